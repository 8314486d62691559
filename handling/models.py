"""Handling data: the official working-day calendar and the rules that set the loop's clocks.

The calendar keeps only the days that differ from the plain weekday rule (Monday to Friday
work): holidays that fall on a weekday and the shifted working weekends (调休). A year counts as
known when it has a CalendarYear row; for other years plain weekdays count (calendar.py).
"""

import datetime

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    """A year whose official schedule (State Council notice) is in the calendar."""

    class Source(models.TextChoices):
        PACKAGE = "package", _("chinese-calendar 软件包")
        ADMIN = "admin", _("管理员录入")

    year = models.PositiveSmallIntegerField(
        _("年份"),
        unique=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
    )
    source = models.CharField(
        _("来源"), max_length=20, choices=Source.choices, default=Source.ADMIN
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("日历年份")
        verbose_name_plural = _("日历年份")

    def __str__(self):
        return _("%(year)s 年") % {"year": self.year}


class CalendarDay(models.Model):
    """A day that is not what its weekday says: a weekday off, or a weekend day of work."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("放假")
        WORKDAY = "workday", _("调休上班")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100, help_text=_("如:国庆节、春节调休上班"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}"

    @property
    def is_working(self) -> bool:
        return self.kind == self.Kind.WORKDAY

    def clean(self):
        # A row that says what the weekday already says would hide nothing but mislead readers.
        if self.date is None or not self.kind:
            return
        weekend = self.date.weekday() >= 5
        if self.kind == self.Kind.HOLIDAY and weekend:
            raise ValidationError({"kind": _("该日是周末,本来就不上班,无需登记为放假。")})
        if self.kind == self.Kind.WORKDAY and not weekend:
            raise ValidationError({"kind": _("该日是工作日,本来就上班,无需登记为调休上班。")})


class Rules(models.Model):
    """The one set of rules for the loop's deadlines and windows (read it via rules.current())."""

    SINGLETON_ID = 1

    deadline_months = models.PositiveSmallIntegerField(
        _("办理期限(月)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text=_("交办时默认的办理期限:交办之日起的月数。"),
    )
    receipt_window_days = models.PositiveSmallIntegerField(
        _("签收时限(工作日)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("交办后多少个工作日内签收,超过即为逾期签收。"),
    )
    return_window_days = models.PositiveSmallIntegerField(
        _("申请退回时限(工作日)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("交办后多少个工作日内可以申请退回或调整。"),
    )
    extension_cap_months = models.PositiveSmallIntegerField(
        _("延期上限(月)"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
        help_text=_("延期后的办理期限最晚为交办之日起的月数。"),
    )
    second_round_months = models.PositiveSmallIntegerField(
        _("二次办理期限(月)"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("答复不满意时重新办理的期限:自退回之日起的月数。"),
    )
    reminder_days_before = models.PositiveSmallIntegerField(
        _("到期提醒(提前工作日)"),
        default=3,
        validators=[MaxValueValidator(60)],
        help_text=_("办理期限前多少个工作日发出提醒。"),
    )
    reminder_time = models.TimeField(
        _("提醒时间"), default=datetime.time(8, 30), help_text=_("北京时间(Asia/Shanghai)。")
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("办理规则")
        verbose_name_plural = _("办理规则")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="rules_singleton"),
        ]

    def __str__(self):
        return str(_("办理规则"))

    def save(self, *args, **kwargs):
        self.pk = self.SINGLETON_ID
        super().save(*args, **kwargs)

    def clean(self):
        if (
            self.extension_cap_months is not None
            and self.deadline_months is not None
            and self.extension_cap_months < self.deadline_months
        ):
            raise ValidationError({"extension_cap_months": _("延期上限不能短于默认办理期限。")})

    # The helpers live with the data they read; rules.py is the module callers import.
    def default_deadline(self, assigned_on: datetime.date) -> datetime.date:
        from handling.calendar import add_months, next_working_day

        return next_working_day(add_months(assigned_on, self.deadline_months))

    def extension_cap(self, assigned_on: datetime.date) -> datetime.date:
        from handling.calendar import add_months, next_working_day

        return next_working_day(add_months(assigned_on, self.extension_cap_months))

    def second_round_deadline(self, reopened_on: datetime.date) -> datetime.date:
        from handling.calendar import add_months, next_working_day

        return next_working_day(add_months(reopened_on, self.second_round_months))

    def receipt_due(self, assigned_on: datetime.date) -> datetime.date:
        from handling.calendar import add_working_days

        return add_working_days(assigned_on, self.receipt_window_days)

    def return_window_end(self, assigned_on: datetime.date) -> datetime.date:
        from handling.calendar import add_working_days

        return add_working_days(assigned_on, self.return_window_days)


# Every change to the rules and the calendar is history (database triggers, as for items).
pghistory.track(
    pghistory.InsertEvent("created"),
    pghistory.UpdateEvent("changed"),
    model_name="RulesEvent",
)(Rules)
pghistory.track(
    pghistory.InsertEvent("added"),
    pghistory.UpdateEvent("changed"),
    pghistory.DeleteEvent("removed"),
    model_name="CalendarDayEvent",
    obj_field=pghistory.ObjForeignKey(related_name="events", db_constraint=False),
)(CalendarDay)
pghistory.track(
    pghistory.InsertEvent("added"),
    pghistory.UpdateEvent("changed"),
    pghistory.DeleteEvent("removed"),
    model_name="CalendarYearEvent",
    obj_field=pghistory.ObjForeignKey(related_name="events", db_constraint=False),
)(CalendarYear)


class Supervision(models.Model):
    """重点督办: staff mark an item as supervised by a named leader (one mark per item)."""

    recommendation = models.OneToOneField(
        "recommendations.Recommendation",
        verbose_name=_("建议"),
        on_delete=models.CASCADE,
        related_name="supervision",
    )
    leader = models.CharField(_("督办领导"), max_length=50)
    note = models.TextField(_("督办要求"), blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("标记人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    marked_at = models.DateTimeField(_("标记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("重点督办")
        verbose_name_plural = _("重点督办")

    def __str__(self):
        return _("%(leader)s督办") % {"leader": self.leader}


pghistory.track(
    pghistory.InsertEvent("added"),
    pghistory.UpdateEvent("changed"),
    pghistory.DeleteEvent("removed"),
    model_name="SupervisionEvent",
    obj_field=pghistory.ObjForeignKey(related_name="events", db_constraint=False),
)(Supervision)
