"""Forms for the write actions on recommendations (views/actions.py).

The forms check the shape of the input (required fields, dates, known choices); the rules of
the workflow (who may do what, which step is legal) stay in workflow.py. Every form that changes
the item carries its version number so that a save based on a stale page is refused.
Field names are plain (`to_status`, `reply`, …); each form has its own `auto_id` so that several
forms on one page keep unique HTML ids.
"""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from recommendations.models import Department, Recommendation, Tag
from recommendations.workflow import BULK_STATUSES

REQUIRED = {"required": _("此项必填。")}
DATE_ERRORS = {"required": _("请填写办理期限。"), "invalid": _("请输入有效的日期,如 2025-06-30。")}


BULK_STATUS_CHOICES = [
    (value, label) for value, label in Recommendation.Status.choices if value in BULK_STATUSES
]


def clean_bulk_status(status):
    if status and status not in BULK_STATUSES:
        raise forms.ValidationError(_("“已办结”须逐条填写答复类别和答复内容,不能批量设置。"))
    return status


class VersionedForm(forms.Form):
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={
            "required": _("表单缺少版本号,请刷新页面后重试。"),
            "invalid": _("表单版本号无效,请刷新页面后重试。"),
            "min_value": _("表单版本号无效,请刷新页面后重试。"),
        },
    )
    prefix_id = "rec"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.prefix_id}_%s")
        super().__init__(*args, **kwargs)


def _departments():
    return Department.objects.all()


def set_model_choices(field, objects) -> None:
    """Let a model choice field render from a list already fetched instead of querying its
    queryset; the options come out as the queryset's would. Validation on POST still checks
    against the database."""
    choices = [(obj.pk, field.label_from_instance(obj)) for obj in objects]
    if field.empty_label is not None:
        choices.insert(0, ("", field.empty_label))
    field.choices = choices


def tags_field():
    """The tag checkboxes of the tag form and the bulk form."""
    return forms.ModelMultipleChoiceField(
        label=_("标签"),
        queryset=Tag.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("所选标签不存在。"),
            "invalid_pk_value": _("所选标签无效。"),
        },
    )


ANSWER_CHOICES = [("", _("请选择")), *Recommendation.AnswerCategory.choices]


def answer_category_field():
    """The answer category of the transition form and the reply form (blank: none yet)."""
    return forms.ChoiceField(
        label=_("答复类别"),
        choices=ANSWER_CHOICES,
        required=False,
        error_messages={"invalid_choice": _("未知的答复类别。")},
    )


def co_departments_field(**extra):
    """The co-department checkboxes of the assign form and the bulk form."""
    return forms.ModelMultipleChoiceField(
        label=_("协办部门"),
        queryset=_departments(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("所选协办部门不存在。"),
            "invalid_pk_value": _("所选协办部门无效。"),
        },
        **extra,
    )


def check_deadline(deadline, current=None):
    """Refuse a deadline before today, unless it is the one the item already has."""
    if deadline is not None and deadline < timezone.localdate() and deadline != current:
        raise forms.ValidationError(_("办理期限不能早于今天。"), code="past")
    return deadline


class TagForm(VersionedForm):
    prefix_id = "tags"

    tags = tags_field()
    new_tag = forms.CharField(
        label=_("新建标签"),
        required=False,
        max_length=Tag._meta.get_field("name").max_length,
        help_text=_("输入名称即新建标签并加到这条建议上;已有同名标签时直接使用。"),
        error_messages={"max_length": _("标签名称不能超过 %(limit_value)d 个字。")},
    )

    # The tags as the page showed them (ids, comma-separated): after a conflict the page can tell
    # the user's own change (against this) from the other person's (views/actions.py tag_merge).
    base = forms.CharField(required=False, widget=forms.HiddenInput)

    @staticmethod
    def ids(text) -> set[int] | None:
        """The ids in a `base` value; None when it is missing or not a list of ids."""
        parts = [p for p in str(text or "").split(",") if p]
        if text is None or not all(p.isdigit() for p in parts):
            return None
        return {int(p) for p in parts}

    def use_choices(self, tags):
        """Render the tag choices from the page's list of every tag (see set_model_choices)."""
        set_model_choices(self.fields["tags"], tags)
        return self

    def clean_new_tag(self):
        return " ".join(self.cleaned_data["new_tag"].split())


class AssignForm(VersionedForm):
    prefix_id = "assign"

    lead_department = forms.ModelChoiceField(
        label=_("主办部门"),
        queryset=_departments(),
        empty_label=_("请选择"),
        error_messages={
            "required": _("请选择主办部门。"),
            "invalid_choice": _("所选主办部门不存在。"),
        },
    )
    co_departments = co_departments_field()
    deadline = forms.DateField(
        label=_("办理期限"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages=DATE_ERRORS,
    )

    def __init__(self, *args, current_deadline: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.current_deadline = current_deadline

    def use_choices(self, departments):
        """Render both department fields from the page's list of every department."""
        set_model_choices(self.fields["lead_department"], departments)
        set_model_choices(self.fields["co_departments"], departments)
        return self

    def clean_deadline(self):
        return check_deadline(self.cleaned_data["deadline"], self.current_deadline)

    def clean(self):
        cleaned = super().clean()
        lead = cleaned.get("lead_department")
        co = cleaned.get("co_departments") or []
        if lead is not None and lead in co:
            self.add_error("co_departments", _("主办部门不能同时作为协办部门。"))
        return cleaned


class TransitionForm(VersionedForm):
    prefix_id = "transition"

    to_status = forms.ChoiceField(
        label=_("改为"),
        choices=Recommendation.Status.choices,
        error_messages={
            "required": _("请选择新的状态。"),
            "invalid_choice": _("未知的状态。"),
        },
    )
    note = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("标记为“无需办理”或重新打开时必填。"),
        error_messages={"max_length": _("说明不能超过 %(limit_value)d 个字。")},
    )
    answer_category = answer_category_field()
    reply = forms.CharField(
        label=_("答复内容"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("改为“已办结”时必填。"),
    )

    def __init__(self, *args, allowed: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if allowed is None:
            return
        # Offer the steps this user may take. A posted status stays a choice even when it is
        # not allowed, so that the workflow can explain why it refuses that step.
        offered = list(allowed)
        posted = self.data.get(self.add_prefix("to_status")) if self.is_bound else None
        if posted in Recommendation.Status.values and posted not in offered:
            offered.append(posted)
        labels = dict(Recommendation.Status.choices)
        # No step is preselected: choosing one is the deliberate act.
        self.fields["to_status"].choices = [
            ("", _("请选择")),
            *((s, labels[s]) for s in Recommendation.Status.values if s in offered),
        ]
        if not self.is_bound and Recommendation.Status.ANSWERED not in allowed:
            del self.fields["answer_category"], self.fields["reply"]


class ReplyForm(VersionedForm):
    prefix_id = "reply"

    answer_category = answer_category_field()
    reply = forms.CharField(
        label=_("答复内容"),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("请填写答复内容。")},
    )


class CommentForm(forms.Form):
    """Comments only add; they cannot overwrite anyone's work, so they carry no version."""

    body = forms.CharField(
        label=_("评论"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("评论不能为空。"),
            "max_length": _("评论不能超过 %(limit_value)d 个字。"),
        },
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_comment_%s")
        super().__init__(*args, **kwargs)


class BulkForm(forms.Form):
    class Action:
        TAG = "tag"
        UNTAG = "untag"
        ASSIGN = "assign"
        STATUS = "status"

    ACTION_CHOICES = [
        ("", _("请选择操作")),
        (Action.TAG, _("添加标签")),
        (Action.UNTAG, _("移除标签")),
        (Action.ASSIGN, _("交办")),
        (Action.STATUS, _("更改状态")),
    ]

    class Scope:
        TICKED = "ticked"
        FILTER = "filter"

    # The ticked rows of the page, or every item the list's filter matches: that selection
    # travels as the filter (`filter`, the list's query string), not as thousands of ids.
    scope = forms.ChoiceField(
        choices=[(Scope.TICKED, _("勾选的建议")), (Scope.FILTER, _("筛选出的全部建议"))],
        required=False,
        error_messages={"invalid_choice": _("未知的范围。")},
    )
    filter = forms.CharField(required=False, max_length=4000, widget=forms.HiddenInput)
    ids = forms.ModelMultipleChoiceField(
        queryset=Recommendation.objects.all(),
        widget=forms.MultipleHiddenInput,
        required=False,
        error_messages={
            "invalid_choice": _("所选建议不存在或已被删除。"),
            "invalid_pk_value": _("所选建议无效。"),
        },
    )
    action = forms.ChoiceField(
        label=_("批量操作"),
        choices=ACTION_CHOICES,
        error_messages={"required": _("请选择批量操作。"), "invalid_choice": _("未知的操作。")},
    )
    tags = tags_field()
    lead_department = forms.ModelChoiceField(
        label=_("主办部门"),
        queryset=_departments(),
        required=False,
        empty_label=_("请选择"),
        error_messages={"invalid_choice": _("所选主办部门不存在。")},
    )
    co_departments = co_departments_field(help_text=_("交办时替换所选建议原有的协办部门。"))
    deadline = forms.DateField(
        label=_("办理期限"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages=DATE_ERRORS,
    )

    def use_choices(self, departments, tags):
        """Render the choices from lists the page already fetched, instead of one query per
        field; validation on POST still checks against the database."""
        set_model_choices(self.fields["lead_department"], departments)
        set_model_choices(self.fields["co_departments"], departments)
        set_model_choices(self.fields["tags"], tags)
        return self

    status = forms.ChoiceField(
        label=_("新状态"),
        choices=[("", _("请选择")), *Recommendation.Status.choices],
        required=False,
        error_messages={"invalid_choice": _("未知的状态。")},
    )
    note = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": _("说明不能超过 %(limit_value)d 个字。")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_bulk_%s")
        super().__init__(*args, **kwargs)
        # Offer only what a bulk step can reach: 已办结 takes each item's own answer.
        self.fields["status"].widget.choices = [("", _("请选择")), *BULK_STATUS_CHOICES]

    def clean_status(self):
        return clean_bulk_status(self.cleaned_data["status"])

    def clean_deadline(self):
        return check_deadline(self.cleaned_data["deadline"])

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        if action in (self.Action.TAG, self.Action.UNTAG) and not cleaned.get("tags"):
            self.add_error("tags", _("请至少选择一个标签。"))
        if action == self.Action.ASSIGN:
            if not cleaned.get("lead_department") and "lead_department" not in self.errors:
                self.add_error("lead_department", _("请选择主办部门。"))
            if not cleaned.get("deadline") and "deadline" not in self.errors:
                self.add_error("deadline", _("请填写办理期限。"))
        if action == self.Action.STATUS and not cleaned.get("status"):
            if "status" not in self.errors:
                self.add_error("status", _("请选择新的状态。"))
        self._select(cleaned)
        return cleaned

    def _select(self, cleaned) -> None:
        """cleaned["selected_ids"]: the ids of the ticked items, or of every item the posted
        filter matches now (read here once, so the action and its count agree)."""
        if cleaned.get("scope") == self.Scope.FILTER:
            from django.http import QueryDict

            from recommendations.filters import RecommendationFilter

            filterset = RecommendationFilter(
                QueryDict(cleaned.get("filter") or ""), queryset=Recommendation.objects.all()
            )
            if not filterset.form.is_valid():
                self.add_error("filter", _("筛选条件无效,请先在左侧修正筛选条件。"))
                return
            ids = list(filterset.qs.order_by().values_list("pk", flat=True))
            if not ids:
                self.add_error("filter", _("没有符合筛选条件的建议。"))
            cleaned["selected_ids"] = ids
            return
        if "ids" in self.errors:
            return
        ids = [rec.pk for rec in cleaned.get("ids") or ()]
        if not ids:
            self.add_error("ids", _("请至少勾选一条建议。"))
        cleaned["selected_ids"] = ids
