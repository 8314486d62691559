"""Items at a step of the handling loop, as querysets: for the list filter, My work and the
dashboard cards alike, so that a card's number and the list it links to always agree."""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from handling.models import CoOpinion, Decision, ExtensionRequest, Receipt, ReturnRequest, Verdict
from recommendations.models import CoDepartment, Recommendation

S = Recommendation.Status
WORKING = (S.ASSIGNED, S.IN_PROGRESS, S.REVIEW)

STEP_CHOICES = [
    ("to_sign", _("待签收")),
    ("late_receipt", _("超时签收")),
    ("return_open", _("退回申请待审批")),
    ("extension_open", _("延期申请待审批")),
    ("opinion_missing", _("协办意见未齐")),
    ("review", _("待审核")),
    ("second_round", _("第二轮办理")),
    ("verdict_missing", _("待评价")),
    ("unsatisfied", _("不满意")),
    ("follow_up", _("待跟踪")),
    # Dropped from the source by a corrected re-import while in handling, not yet closed out.
    ("dropped", _("原文已移除(在办)")),
]
# Steps whose items are no longer in their source: the list shows them without 包含已移除.
REMOVED_STEPS = {"dropped"}


def _signed(department_ref):
    return Receipt.objects.filter(
        recommendation=OuterRef("pk"),
        department=department_ref,
        assigned_at=OuterRef("assigned_at"),
    )


def _signed_outer(department_ref):
    # The same, one level down (inside a co-department subquery).
    return Receipt.objects.filter(
        recommendation=OuterRef(OuterRef("pk")),
        department=department_ref,
        assigned_at=OuterRef(OuterRef("assigned_at")),
    )


def to_sign(queryset, department=None):
    """Items a department (any, or the one given) has not signed for yet."""
    if department is None:
        return queryset.filter(condition("to_sign"))
    co = CoDepartment.objects.filter(recommendation=OuterRef("pk"), department=department)
    return (
        queryset.filter(status__in=WORKING)
        .filter(Q(lead_department=department) | Q(Exists(co)))
        .exclude(Exists(_signed(department)))
    )


def condition(step, today=None) -> Q:
    """The steps the dashboard counts together, as conditions for one aggregate."""
    today = today or timezone.localdate()
    if step == "to_sign":
        co_unsigned = CoDepartment.objects.filter(recommendation=OuterRef("pk")).exclude(
            Exists(_signed_outer(OuterRef("department")))
        )
        return Q(status__in=WORKING) & (
            ~Exists(_signed(OuterRef("lead_department"))) | Exists(co_unsigned)
        )
    if step == "review":
        return Q(status=S.REVIEW)
    if step == "follow_up":
        return Q(
            status=S.ANSWERED,
            answer_category=Recommendation.AnswerCategory.B,
            promised_on__lte=today,
        )
    if step == "dropped":
        return Q(in_source=False, status__in=WORKING)
    raise ValueError(step)


def opinion_missing(queryset, department=None):
    """Items in handling whose co-department (any, or the one given) has given no opinion."""
    co = CoDepartment.objects.filter(recommendation=OuterRef("pk")).exclude(
        Exists(
            CoOpinion.objects.filter(
                recommendation=OuterRef(OuterRef("pk")), department=OuterRef("department")
            )
        )
    )
    if department is not None:
        co = co.filter(department=department)
    return queryset.filter(status__in=Recommendation.HANDLING_STATUSES).filter(Exists(co))


def _open(model):
    return Exists(model.objects.filter(recommendation=OuterRef("pk"), decision=Decision.OPEN))


def at_step(queryset, step, today=None):
    """`queryset` narrowed to the items at `step` (one of STEP_CHOICES)."""
    today = today or timezone.localdate()
    if step == "to_sign":
        return to_sign(queryset)
    if step == "late_receipt":
        late = Receipt.objects.filter(recommendation=OuterRef("pk"), late=True)
        return queryset.filter(Exists(late))
    if step == "return_open":
        return queryset.filter(_open(ReturnRequest))
    if step == "extension_open":
        return queryset.filter(_open(ExtensionRequest))
    if step == "opinion_missing":
        return opinion_missing(queryset)
    if step == "review":
        return queryset.filter(condition(step))
    if step == "second_round":
        return queryset.filter(answer_round__gt=1).exclude(status=S.ANSWERED)
    if step == "verdict_missing":
        rated = Verdict.objects.filter(
            recommendation=OuterRef("pk"), answer_round=OuterRef("answer_round")
        )
        return queryset.filter(status=S.ANSWERED).exclude(Exists(rated))
    if step == "unsatisfied":
        unhappy = Verdict.objects.filter(
            recommendation=OuterRef("pk"), level=Verdict.Level.UNSATISFIED
        )
        return queryset.filter(Exists(unhappy))
    if step in ("follow_up", "dropped"):
        return queryset.filter(condition(step, today))
    raise ValueError(step)
