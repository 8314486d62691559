"""Handling data: the official working-day calendar, the rules that set the loop's clocks, and the
records of the loop's steps (receipts, requests, answers, verdicts, follow-up reports).

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
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from recommendations.models import Department, Person, Recommendation


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


# --- the records of the handling loop (docs/workflow.md) ---------------------------------------
#
# Rows here are written only through the rules in recommendations/workflow.py; each is the record
# of a step (who, when, what), and triggers keep every insert and change of them as history.


class Decision(models.TextChoices):
    OPEN = "open", _("待审批")
    APPROVED = "approved", _("已同意")
    REJECTED = "rejected", _("已驳回")


class Receipt(models.Model):
    """A department signed for an item it was given (lead or co-department)."""

    recommendation = models.ForeignKey(
        Recommendation,
        verbose_name=_("建议"),
        on_delete=models.CASCADE,
        related_name="receipts",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="+"
    )
    # The assignment signed for: a new lead department must sign again. (Empty for items
    # assigned before assignment times were kept.)
    assigned_at = models.DateTimeField(_("交办时间"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签收人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_at = models.DateTimeField(_("签收时间"), default=timezone.now)
    late = models.BooleanField(_("超时签收"), default=False)

    class Meta:
        ordering = ["received_at", "pk"]
        verbose_name = _("签收记录")
        verbose_name_plural = _("签收记录")
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "department", "assigned_at"],
                name="receipt_once_per_assignment",
                nulls_distinct=False,
            )
        ]

    def __str__(self):
        return f"{self.department} {self.received_at:%Y-%m-%d %H:%M}"


class DepartmentRequest(models.Model):
    """What a request of the lead department to staff has (退回, 延期): who asked, when, and
    staff's decision on it."""

    department = models.ForeignKey(
        Department, verbose_name=_("申请部门"), on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decision = models.CharField(
        _("审批结果"), max_length=10, choices=Decision.choices, default=Decision.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        abstract = True
        ordering = ["requested_at", "pk"]


class ReturnRequest(DepartmentRequest):
    """申请退回/调整: the lead department says the item is not its own."""

    recommendation = models.ForeignKey(
        Recommendation,
        verbose_name=_("建议"),
        on_delete=models.CASCADE,
        related_name="return_requests",
    )
    reason = models.TextField(_("退回理由"))
    suggested_department = models.ForeignKey(
        Department,
        verbose_name=_("建议改由"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta(DepartmentRequest.Meta):
        verbose_name = _("退回申请")
        verbose_name_plural = _("退回申请")
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation"],
                condition=Q(decision="open"),
                name="one_open_return_request",
                violation_error_message=_("这条建议已有待审批的退回申请。"),
            )
        ]

    def __str__(self):
        return f"{self.department} {self.get_decision_display()}"


class ExtensionRequest(DepartmentRequest):
    """申请延期: a later deadline, asked before the current one passes."""

    recommendation = models.ForeignKey(
        Recommendation,
        verbose_name=_("建议"),
        on_delete=models.CASCADE,
        related_name="extension_requests",
    )
    old_deadline = models.DateField(_("原办理期限"))
    requested_deadline = models.DateField(_("申请延至"))
    reason = models.TextField(_("延期理由"))

    class Meta(DepartmentRequest.Meta):
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation"],
                condition=Q(decision="open"),
                name="one_open_extension_request",
                violation_error_message=_("这条建议已有待审批的延期申请。"),
            )
        ]

    def __str__(self):
        return f"{self.department} → {self.requested_deadline} {self.get_decision_display()}"


class CoOpinion(models.Model):
    """协办意见: a co-department's written opinion to the lead department (one per department,
    editable until the lead department answers; `answer_round` is the round it was last
    written in)."""

    recommendation = models.ForeignKey(
        Recommendation,
        verbose_name=_("建议"),
        on_delete=models.CASCADE,
        related_name="co_opinions",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("协办部门"), on_delete=models.PROTECT, related_name="+"
    )
    answer_round = models.PositiveSmallIntegerField(_("办理轮次"), default=1)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填写人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    body = models.TextField(_("协办意见"))
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("修改时间"), default=timezone.now)

    class Meta:
        ordering = ["department__order", "department__name"]
        verbose_name = _("协办意见")
        verbose_name_plural = _("协办意见")
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "department"], name="co_opinion_once_per_department"
            )
        ]

    def __str__(self):
        return f"{self.department}: {self.body[:30]}"


def letter_path(instance, filename):
    # The stored name never reuses the uploaded one (it may hold anything); the original name
    # is kept in `letter_name` for the download.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    now = timezone.now()
    name = f"{instance.recommendation_id}-{instance.number}-{now:%d%H%M%S%f}.{suffix}"
    return f"letters/{now:%Y/%m}/{name}"


class Answer(models.Model):
    """One version of the lead department's answer, as submitted for review. Never edited
    afterwards, except for the review's outcome."""

    class Review(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("审核通过")
        RETURNED = "returned", _("退回修改")

    recommendation = models.ForeignKey(
        Recommendation,
        verbose_name=_("建议"),
        on_delete=models.CASCADE,
        related_name="answers",
    )
    number = models.PositiveIntegerField(_("版本"))
    answer_round = models.PositiveSmallIntegerField(_("办理轮次"), default=1)
    department = models.ForeignKey(
        Department, verbose_name=_("答复部门"), on_delete=models.PROTECT, related_name="+"
    )
    answer_category = models.CharField(
        _("答复类别"), max_length=1, choices=Recommendation.AnswerCategory.choices
    )
    reply = models.TextField(_("答复内容"))
    promised_on = models.DateField(_("承诺完成日期"), null=True, blank=True)
    letter = models.FileField(_("答复函"), upload_to=letter_path, blank=True, max_length=255)
    letter_name = models.CharField(_("答复函文件名"), max_length=255, blank=True)
    # Co-departments whose opinion was missing when the lead answered; answering anyway was
    # confirmed explicitly (the confirmation is this record).
    missing_opinions = models.CharField(_("未收到协办意见的部门"), max_length=500, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    review = models.CharField(
        _("审核结果"), max_length=10, choices=Review.choices, default=Review.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_note = models.TextField(_("审核意见"), blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("答复版本")
        verbose_name_plural = _("答复版本")
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "number"], name="answer_unique_number"
            ),
            models.UniqueConstraint(
                fields=["recommendation"],
                condition=Q(review="pending"),
                name="one_pending_answer",
            ),
        ]

    def __str__(self):
        return _("第%(n)s版答复") % {"n": self.number}


class Verdict(models.Model):
    """评价: the author's satisfaction with the answer of one round."""

    class Level(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASICALLY = "basically", _("基本满意")
        UNSATISFIED = "unsatisfied", _("不满意")

    recommendation = models.ForeignKey(
        Recommendation,
        verbose_name=_("建议"),
        on_delete=models.CASCADE,
        related_name="verdicts",
    )
    answer_round = models.PositiveSmallIntegerField(_("办理轮次"))
    level = models.CharField(_("满意度"), max_length=12, choices=Level.choices)
    note = models.TextField(_("说明"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填写人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # True: staff wrote it down for the author; False: the author's own account.
    on_behalf = models.BooleanField(_("代为填写"), default=True)
    recorded_at = models.DateTimeField(_("评价时间"), default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "pk"]
        verbose_name = _("满意度评价")
        verbose_name_plural = _("满意度评价")
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "answer_round"], name="verdict_once_per_round"
            )
        ]

    def __str__(self):
        return self.get_level_display()


class ProgressReport(models.Model):
    """跟踪: a progress report on an item answered B (being solved or planned)."""

    recommendation = models.ForeignKey(
        Recommendation,
        verbose_name=_("建议"),
        on_delete=models.CASCADE,
        related_name="progress_reports",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填写人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    body = models.TextField(_("进展情况"))
    created_at = models.DateTimeField(_("填报时间"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("进展报告")
        verbose_name_plural = _("进展报告")

    def __str__(self):
        return f"{self.department} {self.created_at:%Y-%m-%d}"


class AuthorAccount(models.Model):
    """A user account that speaks for an author (a Person who wrote recommendations): that user
    may give the verdict on the answers to the author's items. Admins link them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="author_account",
    )
    person = models.ForeignKey(
        Person, verbose_name=_("作者"), on_delete=models.CASCADE, related_name="accounts"
    )

    class Meta:
        verbose_name = _("作者账号")
        verbose_name_plural = _("作者账号")

    def __str__(self):
        return f"{self.user} → {self.person}"


# Every insert and change of these records is kept by database triggers.
for _model in (
    Receipt,
    ReturnRequest,
    ExtensionRequest,
    CoOpinion,
    Answer,
    Verdict,
    ProgressReport,
    AuthorAccount,
):
    pghistory.track(
        pghistory.InsertEvent("added"),
        pghistory.UpdateEvent("changed"),
        pghistory.DeleteEvent("removed"),
        model_name=f"{_model.__name__}Event",
        obj_field=pghistory.ObjForeignKey(related_name="events", db_constraint=False),
    )(_model)
