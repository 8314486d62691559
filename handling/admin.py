from django.contrib import admin, messages
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from handling.calendar import missing_years
from handling.models import CalendarDay, CalendarYear, Rules


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
