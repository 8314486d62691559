from django.contrib import admin, messages
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from handling.calendar import missing_years
from handling.models import (
    Answer,
    AuthorAccount,
    CalendarDay,
    CalendarYear,
    CoOpinion,
    ExtensionRequest,
    ProgressReport,
    Receipt,
    ReturnRequest,
    Rules,
    Verdict,
)


class MissingYearsWarning:
    """Say on the calendar's pages which years have no official schedule."""

    def changelist_view(self, request, extra_context=None):
        missing = missing_years()
        if missing:
            messages.warning(
                request,
                _(
                    "日历中没有 %(years)s 年的节假日与调休安排,这些年份暂按普通周一至周五计算"
                    "工作日。国务院公布安排后,请在此录入放假和调休上班的日期,再添加该年份。"
                )
                % {"years": "、".join(str(y) for y in missing)},
            )
        return super().changelist_view(request, extra_context)


@admin.register(CalendarDay)
class CalendarDayAdmin(MissingYearsWarning, admin.ModelAdmin):
    list_display = ["date", "weekday", "kind", "name"]
    list_filter = ["kind"]
    search_fields = ["name"]
    date_hierarchy = "date"
    readonly_fields = ["updated_at"]

    @admin.display(description=_("星期"))
    def weekday(self, obj):
        return "一二三四五六日"[obj.date.weekday()]


@admin.register(CalendarYear)
class CalendarYearAdmin(MissingYearsWarning, admin.ModelAdmin):
    list_display = ["year", "source", "note", "updated_at"]
    readonly_fields = ["updated_at"]


@admin.register(Rules)
class RulesAdmin(admin.ModelAdmin):
    """One row: the list goes straight to it, and it can be neither added twice nor deleted."""

    fieldsets = [
        (_("期限"), {"fields": ["deadline_months", "extension_cap_months", "second_round_months"]}),
        (_("时限(工作日)"), {"fields": ["receipt_window_days", "return_window_days"]}),
        (_("提醒"), {"fields": ["reminder_days_before", "reminder_time"]}),
        (None, {"fields": ["updated_at"]}),
    ]
    readonly_fields = ["updated_at"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not Rules.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        rules = Rules.objects.first()
        if rules is None:
            return redirect("admin:handling_rules_add")
        return redirect("admin:handling_rules_change", rules.pk)


# --- the handling loop ------------------------------------------------------------------------


@admin.register(AuthorAccount)
class AuthorAccountAdmin(admin.ModelAdmin):
    """Link a user account to an author (a person who wrote recommendations): that user may then
    give the verdict on the answers to the author's items."""

    list_display = ["user", "person"]
    list_select_related = ["user", "person"]
    search_fields = ["user__username", "user__last_name", "user__first_name", "person__name"]


class RecordAdmin(admin.ModelAdmin):
    """The loop's records are written by its steps (recommendations/workflow.py); the admin shows
    them for reference only, so that no rule is bypassed."""

    list_select_related = True

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


for _model, _columns in (
    (Receipt, ["recommendation", "department", "received_by", "received_at", "late"]),
    (ReturnRequest, ["recommendation", "department", "requested_at", "decision"]),
    (ExtensionRequest, ["recommendation", "department", "requested_deadline", "decision"]),
    (CoOpinion, ["recommendation", "department", "author", "updated_at"]),
    (Answer, ["recommendation", "number", "answer_category", "submitted_at", "review"]),
    (Verdict, ["recommendation", "answer_round", "level", "recorded_by", "on_behalf"]),
    (ProgressReport, ["recommendation", "department", "author", "created_at"]),
):
    admin.site.register(
        _model, type(f"{_model.__name__}Admin", (RecordAdmin,), {"list_display": _columns})
    )
