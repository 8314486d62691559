"""Forms of the handling loop's steps (handling/views.py).

As in recommendations/forms.py, the forms check the shape of the input; the rules (who, when,
which step) are in recommendations/workflow.py. Each form carries the item's version and its own
`auto_id`, so several forms on the item page keep unique HTML ids.
"""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from handling.models import Verdict
from recommendations.forms import DATE_ERRORS, VersionedForm, set_model_choices
from recommendations.models import Department, Recommendation

NOTE_MAX = 2000
TEXT_MAX = 20000


def _text(label, *, required=True, rows=3, max_length=TEXT_MAX, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": _("此项必填。"),
            "max_length": _("不能超过 %(limit_value)d 个字。"),
        },
    )


def _date(label, *, required=True, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={**DATE_ERRORS, "required": _("请填写日期。")},
    )


class ReceiveForm(VersionedForm):
    prefix_id = "receive"


class ContainerForm(VersionedForm):
    prefix_id = "container"

    is_container = forms.TypedChoiceField(
        label=_("条目类型"),
        choices=[("1", _("分组条目(不单独办理)")), ("0", _("要点(单独办理)"))],
        coerce=lambda value: value == "1",
        error_messages={"required": _("请选择条目类型。"), "invalid_choice": _("未知的类型。")},
    )


class ReturnRequestForm(VersionedForm):
    prefix_id = "return"

    reason = _text(_("退回理由"), help_text=_("说明为什么这条建议不属于本部门职责。"))
    suggested_department = forms.ModelChoiceField(
        label=_("建议改由(可选)"),
        queryset=Department.objects.all(),
        required=False,
        empty_label=_("不指定"),
        error_messages={"invalid_choice": _("所选部门不存在。")},
    )

    def use_choices(self, departments):
        set_model_choices(self.fields["suggested_department"], departments)
        return self


class ReturnDecisionForm(VersionedForm):
    prefix_id = "return_decision"

    outcome = forms.ChoiceField(
        label=_("审批结果"),
        choices=[
            ("", _("请选择")),
            ("triage", _("同意,退回待研判")),
            ("suggested", _("同意,改由建议的部门主办")),
            ("reject", _("驳回,维持交办")),
        ],
        error_messages={"required": _("请选择审批结果。"), "invalid_choice": _("未知的结果。")},
    )
    note = _text(_("审批意见"), required=False, rows=2, max_length=NOTE_MAX)


class ExtensionRequestForm(VersionedForm):
    prefix_id = "extension"

    requested_deadline = _date(_("申请延至"))
    reason = _text(_("延期理由"), rows=2)


class ExtensionDecisionForm(VersionedForm):
    prefix_id = "extension_decision"

    approve = forms.TypedChoiceField(
        label=_("审批结果"),
        choices=[("", _("请选择")), ("1", _("同意延期")), ("0", _("驳回"))],
        coerce=lambda value: value == "1",
        error_messages={"required": _("请选择审批结果。"), "invalid_choice": _("未知的结果。")},
    )
    note = _text(_("审批意见"), required=False, rows=2, max_length=NOTE_MAX)


class OpinionForm(VersionedForm):
    prefix_id = "opinion"

    body = _text(_("协办意见"), rows=4, help_text=_("主办部门答复前可以修改。"))


# What a signed answer letter may be: its name's ending and the first bytes of such a file.
LETTER_TYPES = {
    "pdf": (b"%PDF-",),
    "doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    "docx": (b"PK\x03\x04",),
}


def check_letter(upload):
    """A PDF or Word file within the size limit whose content is what its name says."""
    if upload is None:
        return None
    limit = settings.ANSWER_LETTER_MAX_BYTES
    if upload.size > limit:
        raise forms.ValidationError(
            _("答复函不能超过 %(limit)s。") % {"limit": filesizeformat(limit)}, code="too_big"
        )
    suffix = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if suffix not in LETTER_TYPES:
        raise forms.ValidationError(_("答复函须为 PDF 或 Word 文件(.pdf、.doc、.docx)。"))
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in LETTER_TYPES[suffix]):
        raise forms.ValidationError(_("文件内容与扩展名不符,请上传真实的 PDF 或 Word 文件。"))
    return upload


class AnswerForm(VersionedForm):
    prefix_id = "answer"

    answer_category = forms.ChoiceField(
        label=_("答复类别"),
        choices=[("", _("请选择")), *Recommendation.AnswerCategory.choices],
        error_messages={"required": _("请选择答复类别。"), "invalid_choice": _("未知的答复类别。")},
    )
    reply = _text(_("答复内容"), rows=6)
    promised_on = _date(
        _("承诺完成日期"), required=False, help_text=_("B 类(正在解决或列入计划)必填。")
    )
    letter = forms.FileField(
        label=_("答复函(可选)"),
        required=False,
        help_text=_("加盖公章的答复函扫描件,PDF 或 Word。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.doc,.docx"}),
        error_messages={"invalid": _("上传的文件无效。"), "empty": _("上传的文件是空的。")},
    )
    confirm_missing = forms.BooleanField(
        label=_("确认:部分协办部门尚未提交意见,仍然提交答复"),
        required=False,
    )

    def __init__(self, *args, missing=(), **kwargs):
        super().__init__(*args, **kwargs)
        if not missing and not self.is_bound:
            del self.fields["confirm_missing"]

    def clean_letter(self):
        return check_letter(self.cleaned_data.get("letter"))


class ReviewForm(VersionedForm):
    prefix_id = "review"

    approve = forms.TypedChoiceField(
        label=_("审核结果"),
        choices=[("", _("请选择")), ("1", _("审核通过,办结")), ("0", _("退回修改"))],
        coerce=lambda value: value == "1",
        error_messages={"required": _("请选择审核结果。"), "invalid_choice": _("未知的结果。")},
    )
    note = _text(_("审核意见"), required=False, rows=2, max_length=NOTE_MAX)


class VerdictForm(VersionedForm):
    prefix_id = "verdict"

    level = forms.ChoiceField(
        label=_("满意度"),
        choices=[("", _("请选择")), *Verdict.Level.choices],
        error_messages={"required": _("请选择满意度。"), "invalid_choice": _("未知的满意度。")},
    )
    note = _text(_("说明"), required=False, rows=2, max_length=NOTE_MAX)


class ProgressForm(VersionedForm):
    prefix_id = "progress"

    body = _text(_("进展情况"), rows=3)


class CloseDroppedForm(VersionedForm):
    prefix_id = "dropped"

    note = _text(_("不再办理的理由"), required=True, rows=2, max_length=NOTE_MAX)


class FinishFollowUpForm(VersionedForm):
    prefix_id = "finish"

    note = _text(_("说明"), required=False, rows=2, max_length=NOTE_MAX)
