from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from bulk import jobs as bulk_jobs
from bulk.views import job_url as bulk_job_url
from recommendations import admin_import, roles, workflow
from recommendations.filters import LEVEL_CHOICES
from recommendations.forms import BULK_STATUS_CHOICES, clean_bulk_status
from recommendations.models import (
    ROLE_HANDLER,
    Affiliation,
    Article,
    Byline,
    CoDepartment,
    Comment,
    Department,
    Edition,
    Organization,
    Person,
    Recommendation,
    RecommendationTag,
    Series,
    Tag,
    User,
)

# An admin page shows at most this many rows of an article's items, blocks or import notes; a
# huge import (the audit stored one of 50,000 items) gets a link to the filtered list instead
# of a change form of megabytes that outlives the worker timeout.
ADMIN_INLINE_ITEMS = 100
ADMIN_SUMMARY_ROWS = 30

admin.site.site_header = _("海淀区人工智能建言办理平台 · 后台管理")
admin.site.site_title = _("建议办理平台后台")
admin.site.index_title = _("后台首页")
# Roles are set with the user's role field (recommendations/roles.py), not by raw groups.
admin.site.unregister(Group)


def role_field():
    return forms.ChoiceField(
        label=_("角色"),
        choices=roles.ROLE_CHOICES,
        help_text=_("承办人必须选择所属部门;管理员可以进入后台。"),
    )


class RoleFormMixin:
    """The user's role as one choice, validated with the department: a handler answers for a
    department, so it cannot be saved without one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["role"].initial = roles.role_of(self.instance)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == ROLE_HANDLER and not cleaned.get("department"):
            self.add_error("department", _("承办人必须有所属部门:请选择部门,或改选其他角色。"))
        return cleaned


class UserRoleChangeForm(RoleFormMixin, UserChangeForm):
    role = role_field()


class UserRoleCreationForm(RoleFormMixin, AdminUserCreationForm):
    role = role_field()

    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ["username", "department"]


class RoleFilter(admin.SimpleListFilter):
    title = _("角色")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return list(roles.ROLE_NAMES.items())

    def queryset(self, request, queryset):
        return roles.with_role(queryset, self.value()) if self.value() else queryset


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserRoleChangeForm
    add_form = UserRoleCreationForm
    list_display = ["username", "last_name", "first_name", "role", "department", "is_active"]
    list_filter = [RoleFilter, "department", "is_active"]
    list_select_related = ["department"]
    fieldsets = (
        (None, {"fields": ["username", "password"]}),
        (_("个人信息"), {"fields": ["last_name", "first_name", "email"]}),
        (_("角色与部门"), {"fields": ["role", "department", "is_active"]}),
        (_("重要日期"), {"fields": ["last_login", "date_joined"]}),
    )
    add_fieldsets = (
        (None, {"fields": ["username", "usable_password", "password1", "password2"]}),
        (_("角色与部门"), {"fields": ["role", "department"]}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("角色"))
    def role(self, user):
        return roles.ROLE_NAMES[roles.role_of(user)]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        roles.assign_role(obj, form.cleaned_data["role"])


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "order"]
    list_editable = ["order"]
    search_fields = ["name", "short_name"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "created_by", "created_at"]
    search_fields = ["name"]
    readonly_fields = ["created_by", "created_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["title", "subtitle"]
    search_fields = ["title", "subtitle"]


class ArticleInline(admin.TabularInline):
    model = Article
    fields = ["order", "kind", "title", "author_names", "in_series"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ["source_name", "series", "installment", "published_on", "imported_at"]
    list_filter = ["series", "published_on"]
    search_fields = ["source_name", "series__title"]
    date_hierarchy = "imported_at"
    autocomplete_fields = ["series"]
    readonly_fields = [
        "source_name",
        "sha256",
        "encoding",
        "line_count",
        "raw_text",
        "import_notes",
        "imported_at",
        "updated_at",
    ]
    exclude = ["warnings"]
    inlines = [ArticleInline]

    @admin.display(description=_("导入提示"))
    def import_notes(self, edition):
        notes = [w for w in edition.warnings or [] if isinstance(w, dict)]
        return _summary(
            notes, lambda w: (w.get("kind", ""), Truncator(str(w.get("message", ""))).chars(200))
        )

    def has_add_permission(self, request):
        return False  # pages arrive through the importer, which keeps them consistent

    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(partial(function, admin_site=self.admin_site))

        return [
            path("import/", view(admin_import.import_pages), name="recommendations_edition_import"),
            path(
                "import/<uuid:token>/",
                view(admin_import.import_batch),
                name="recommendations_edition_import_batch",
            ),
            path(
                "import/<uuid:token>/confirm/",
                view(admin_import.confirm_batch),
                name="recommendations_edition_import_confirm",
            ),
            path(
                "import/<uuid:token>/cancel/",
                view(admin_import.cancel_batch),
                name="recommendations_edition_import_cancel",
            ),
            path(
                "import/<uuid:token>/retry/",
                view(admin_import.retry_batch),
                name="recommendations_edition_import_retry",
            ),
            *super().get_urls(),
        ]


def _summary(rows, cells):
    """The first ADMIN_SUMMARY_ROWS rows as a list, and how many there are in all."""
    shown = format_html_join(
        "", "<li>{}:{}</li>", (cells(row) for row in rows[:ADMIN_SUMMARY_ROWS])
    )
    if len(rows) <= ADMIN_SUMMARY_ROWS:
        return format_html("<ol>{}</ol>", shown) if rows else "—"
    return format_html(
        "<p>{}</p><ol>{}</ol>",
        _("共 %(n)d 条,这里列出前 %(shown)d 条。") % {"n": len(rows), "shown": ADMIN_SUMMARY_ROWS},
        shown,
    )


class BylineInline(admin.TabularInline):
    model = Byline
    extra = 0
    autocomplete_fields = ["person", "affiliations"]


class RecommendationInline(admin.TabularInline):
    model = Recommendation
    fields = ["number", "marker", "heading", "status", "lead_department", "deadline"]
    readonly_fields = ["number", "marker", "heading", "status", "lead_department", "deadline"]
    extra = 0
    show_change_link = True
    can_delete = False
    ordering = ["order"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "author_names", "kind", "in_series", "edition", "order"]
    list_filter = ["kind", "in_series", "edition__series"]
    search_fields = ["title", "kicker", "subtitle", "author_names"]
    list_select_related = ["edition", "edition__series"]
    readonly_fields = ["edition", "order", "items", "text"]
    exclude = ["blocks"]
    inlines = [BylineInline, RecommendationInline]

    def has_add_permission(self, request):
        return False  # articles come from an imported page

    def get_inlines(self, request, obj):
        # Beyond a real article's size the items are read in the changelist, page by page.
        if obj is not None and obj.recommendations.count() > ADMIN_INLINE_ITEMS:
            return [BylineInline]
        return super().get_inlines(request, obj)

    @admin.display(description=_("建议条目"))
    def items(self, article):
        url = reverse("admin:recommendations_recommendation_changelist")
        return format_html(
            '<a href="{}?article__id__exact={}">{}</a>',
            url,
            article.pk,
            _("在建议列表中查看本文的 %(n)d 条建议") % {"n": article.recommendations.count()},
        )

    @admin.display(description=_("正文段落"))
    def text(self, article):
        blocks = [b for b in article.blocks or [] if isinstance(b, dict)]
        return _summary(
            blocks,
            lambda b: (
                "标题" if b.get("type") == "heading" else "段落",
                Truncator(str(b.get("text") or "")).chars(120),
            ),
        )


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "department"]
    search_fields = ["name"]
    autocomplete_fields = ["department"]


@admin.register(Affiliation)
class AffiliationAdmin(admin.ModelAdmin):
    list_display = ["person", "organization", "position"]
    search_fields = ["person__name", "organization__name", "position"]
    list_select_related = ["person", "organization"]
    autocomplete_fields = ["person", "organization"]


@admin.register(Byline)
class BylineAdmin(admin.ModelAdmin):
    list_display = ["article", "person", "role", "order"]
    list_filter = ["role"]
    search_fields = ["person__name", "article__title"]
    list_select_related = ["article", "person"]
    autocomplete_fields = ["article", "person", "affiliations"]


class TagLinkInline(admin.TabularInline):
    model = RecommendationTag
    extra = 0
    autocomplete_fields = ["tag"]


class CoDepartmentInline(admin.TabularInline):
    model = CoDepartment
    extra = 0
    autocomplete_fields = ["department"]


class CommentInline(admin.TabularInline):
    model = Comment
    extra = 0
    fields = ["author", "body", "created_at"]
    readonly_fields = ["author", "body", "created_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class BulkAssignForm(forms.Form):
    lead_department = forms.ModelChoiceField(label=_("主办部门"), queryset=Department.objects.all())
    co_departments = forms.ModelMultipleChoiceField(
        label=_("协办部门"), queryset=Department.objects.all(), required=False
    )
    deadline = forms.DateField(label=_("办理期限"), widget=forms.DateInput(attrs={"type": "date"}))


class BulkStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("新状态"), choices=Recommendation.Status.choices)
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Offered: what a bulk step can reach (已办结 takes each item's own answer).
        self.fields["status"].widget.choices = BULK_STATUS_CHOICES

    def clean_status(self):
        return clean_bulk_status(self.cleaned_data["status"])


class LevelFilter(admin.SimpleListFilter):
    """层级 by name (章节/条目/子条目), not the bare depth 1/2/3."""

    title = _("层级")
    parameter_name = "level"

    def lookups(self, request, model_admin):
        return LEVEL_CHOICES

    def queryset(self, request, queryset):
        return queryset.filter(depth=self.value()) if self.value() else queryset


class RecommendationAdminForm(forms.ModelForm):
    """The change form carries the version it was read at: a save based on a stale version is
    refused, as the portal refuses it (409), instead of reverting someone else's change."""

    seen_version = forms.IntegerField(
        label=_("读取时的版本"), widget=forms.HiddenInput, required=False
    )

    class Meta:
        model = Recommendation
        fields = ["status"]  # the admin's fieldsets below decide the form's fields

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            # Locked until the admin's transaction ends, so nothing lands between the check
            # and the save (the portal's compare-and-set waits for it, then sees the new version).
            current = (
                Recommendation.objects.select_for_update()
                .filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if cleaned.get("seen_version") != current:
                raise forms.ValidationError(workflow.conflict_message(), code="stale")
        return cleaned


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    form = RecommendationAdminForm
    list_display = [
        "place",
        "heading",
        "article",
        "level",
        "status",
        "lead_department",
        "deadline",
        "answer_category",
        "in_source",
    ]
    list_filter = ["status", LevelFilter, "answer_category", "lead_department", "tags", "in_source"]
    search_fields = ["heading", "text", "article__title", "article__author_names"]
    list_select_related = ["article", "lead_department"]
    # A page of 50 rows, and no second COUNT over every item beside the filtered one.
    list_per_page = 50
    show_full_result_count = False
    # Departments are a short list: a plain, labelled select (select2's box has no name).
    autocomplete_fields = ["parent"]
    readonly_fields = [
        "article",
        "number",
        "order",
        "depth",
        "marker",
        "place",
        "source_lines",
        "in_source",
        "version",
        "created_at",
        "updated_at",
        "answered_at",
    ]
    fieldsets = [
        (
            _("原文"),
            {
                "fields": [
                    "article",
                    "number",
                    "order",
                    "depth",
                    "marker",
                    "place",
                    "parent",
                    "heading",
                    "text",
                    "source_lines",
                    "in_source",
                ]
            },
        ),
        (
            _("办理"),
            {
                "fields": [
                    "status",
                    "status_note",
                    "lead_department",
                    "deadline",
                    "answer_category",
                    "reply",
                    "answered_at",
                    "version",
                    "seen_version",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]
    inlines = [TagLinkInline, CoDepartmentInline, CommentInline]
    actions = ["bulk_assign", "bulk_change_status"]

    def has_add_permission(self, request):
        return False  # recommendations come from an imported page

    @admin.display(description=_("层级"), ordering="depth")
    def level(self, rec):
        return dict(LEVEL_CHOICES).get(str(rec.depth), rec.depth)

    def get_deleted_objects(self, objs, request):
        # An item that has been handled, tagged, commented or changed keeps its history: it is
        # never deleted (the database refuses it too). The admin lists it as protected.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        handled = Recommendation.objects.filter(pk__in=[o.pk for o in objs]).handled()
        protected = [*protected, *(f"{self.model._meta.verbose_name}: {rec}" for rec in handled)]
        return deleted, counts, perms_needed, protected

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one by one, where the rule above is checked
        return actions

    def save_model(self, request, obj, form, change):
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)

    @admin.action(description=_("交办所选建议"), permissions=["change"])
    def bulk_assign(self, request, queryset):
        form = BulkAssignForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            data = form.cleaned_data
            choice = {
                "lead_department": data["lead_department"],
                "co_departments": data["co_departments"],
                "deadline": data["deadline"],
            }
            ids = self._selected_ids(queryset)
            if len(ids) > bulk_jobs.sync_max():
                return self._start_job(request, ids, bulk_jobs.assign_spec(**choice))
            result = workflow.bulk_assign(ids, user=request.user, **choice)
            self._report(request, result, _("已交办 %(n)d 条建议。"))
            return None
        return self._intermediate(request, queryset, form, "bulk_assign", _("交办所选建议"))

    @admin.action(description=_("更改所选建议的状态"), permissions=["change"])
    def bulk_change_status(self, request, queryset):
        form = BulkStatusForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            choice = {"to_status": form.cleaned_data["status"], "note": form.cleaned_data["note"]}
            ids = self._selected_ids(queryset)
            if len(ids) > bulk_jobs.sync_max():
                return self._start_job(request, ids, bulk_jobs.status_spec(**choice))
            result = workflow.bulk_transition(ids, user=request.user, **choice)
            self._report(request, result, _("已更改 %(n)d 条建议的状态。"))
            return None
        return self._intermediate(request, queryset, form, "bulk_change_status", _("更改状态"))

    def _selected_ids(self, queryset) -> list[int]:
        # By primary key: the changelist's queryset may carry DISTINCT (a filter by tag).
        return sorted(set(queryset.order_by().values_list("pk", flat=True)))

    def _start_job(self, request, ids, spec):
        """A selection too large for one request (bulk/jobs.py): a background job, and the
        user is sent to its progress page, which links back to this filtered changelist."""
        if not workflow.can_triage(request.user):
            raise PermissionDenied
        job = bulk_jobs.start(
            user=request.user,
            ids=ids,
            back_url=request.get_full_path(),
            origin=request.path,
            **spec,
        )
        response = redirect(bulk_job_url(job))
        response.status_code = 303
        return response

    def _report(self, request, result, done):
        """The items changed, then each refused item with the rule's reason."""
        if result.changed:
            self.message_user(request, done % {"n": result.changed}, messages.SUCCESS)
        for rec, reason in result.refused:
            self.message_user(
                request, f"{rec.place or rec.number} {rec.heading}:{reason}", messages.WARNING
            )

    def _intermediate(self, request, queryset, form, action, title):
        # "Select all" over a filter travels as the filter (the changelist's query string, which
        # this form posts back to) and select_across, not as one hidden field per item.
        across = request.POST.get("select_across") == "1"
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "queryset": queryset,
            "count": queryset.count(),
            "select_across": across,
            "selected_ids": []
            if across
            else request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
            "first_id": queryset.order_by("pk").values_list("pk", flat=True).first(),
            "sync_max": bulk_jobs.sync_max(),
            "action": action,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return render(request, "admin/recommendations/bulk_action.html", context)


class LinkAdmin(admin.ModelAdmin):
    """A link or comment never moves to another item (the database refuses it too): it would
    vanish from the first item's history."""

    show_full_result_count = False  # as many rows as items: one COUNT is enough

    fixed_on_change = ["recommendation"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields + self.fixed_on_change if obj is not None else fields


@admin.register(Comment)
class CommentAdmin(LinkAdmin):
    list_display = ["recommendation", "author", "created_at"]
    search_fields = ["body", "author__username"]
    list_select_related = ["recommendation__article", "author"]
    autocomplete_fields = ["recommendation", "author"]
    readonly_fields = ["created_at"]
    fixed_on_change = ["recommendation", "author"]

    def has_delete_permission(self, request, obj=None):
        return False  # comments are append-only; an edit keeps the old text in history


@admin.register(RecommendationTag)
class RecommendationTagAdmin(LinkAdmin):
    list_display = ["recommendation", "tag"]
    list_filter = ["tag"]
    search_fields = ["recommendation__heading", "tag__name"]
    list_select_related = ["recommendation__article", "tag"]
    autocomplete_fields = ["recommendation", "tag"]


@admin.register(CoDepartment)
class CoDepartmentAdmin(LinkAdmin):
    list_display = ["recommendation", "department"]
    list_filter = ["department"]
    search_fields = ["recommendation__heading", "department__name"]
    list_select_related = ["recommendation__article", "department"]
    autocomplete_fields = ["recommendation", "department"]
