"""The dashboard and each user's own work list."""

from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from recommendations.charts import bar_chart
from recommendations.models import CoDepartment, Comment, Recommendation, RecommendationTag
from recommendations.views.lists import list_rows, paginate

RECENT = 8
MAX_TAG_BARS = 15


def _list_url(**params):
    query = "&".join(f"{name}={value}" for name, value in params.items())
    return f"{reverse('recommendation_list')}?{query}"


def _dashboard_figures(today):
    """All the dashboard's numbers in four GROUP BY queries."""
    current = Recommendation.objects.current().order_by()
    open_late = Q(deadline__lt=today) & ~Q(status__in=Recommendation.CLOSED_STATUSES)

    by_status = {
        row["status"]: row
        for row in current.values("status").annotate(
            n=Count("pk"), late=Count("pk", filter=open_late)
        )
    }
    by_department = list(
        current.filter(lead_department__isnull=False)
        .values("lead_department_id", "lead_department__name")
        .annotate(n=Count("pk"), late=Count("pk", filter=open_late))
        .order_by("-n", "lead_department__name")
    )
    by_tag = list(
        RecommendationTag.objects.filter(recommendation__in_source=True)
        .values("tag_id", "tag__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "tag__name")[:MAX_TAG_BARS]
    )
    by_answer = {
        row["answer_category"]: row["n"]
        for row in current.filter(status=Recommendation.Status.ANSWERED)
        .values("answer_category")
        .annotate(n=Count("pk"))
    }
    return by_status, by_department, by_tag, by_answer


def dashboard(request):
    today = timezone.localdate()
    by_status, by_department, by_tag, by_answer = _dashboard_figures(today)
    status_count = {value: row["n"] for value, row in by_status.items()}
    total = sum(status_count.values())
    overdue = sum(row["late"] for row in by_status.values())
    in_hand = status_count.get("assigned", 0) + status_count.get("in_progress", 0)

    charts = {
        "status": bar_chart(
            "chart-status",
            _("按状态"),
            [
                (label, status_count.get(value, 0), _list_url(status=value), f"bar status-{value}")
                for value, label in Recommendation.Status.choices
            ],
        ),
        "department": bar_chart(
            "chart-department",
            _("按主办部门"),
            [
                (
                    row["lead_department__name"],
                    row["n"],
                    _list_url(lead_department=row["lead_department_id"]),
                )
                for row in by_department
            ],
        ),
        "tag": bar_chart(
            "chart-tag",
            _("按标签"),
            [(row["tag__name"], row["n"], _list_url(tag=row["tag_id"])) for row in by_tag],
            css="bar tag-bar",
        ),
        "answer": bar_chart(
            "chart-answer",
            _("答复类别"),
            [
                (
                    label,
                    by_answer.get(value, 0),
                    _list_url(answer_category=value),
                    f"bar answer-{value}",
                )
                for value, label in Recommendation.AnswerCategory.choices
            ],
        ),
    }
    summary = [
        {"label": _("建议总数"), "value": total, "url": reverse("recommendation_list"), "css": ""},
        {
            "label": _("待研判"),
            "value": status_count.get("new", 0),
            "url": _list_url(status="new"),
            "css": "status-new",
        },
        {
            "label": _("办理中(含已交办)"),
            "value": in_hand,
            "url": _list_url(status="in_progress"),
            "css": "status-in_progress",
        },
        {
            "label": _("已办结"),
            "value": status_count.get("answered", 0),
            "url": _list_url(status="answered"),
            "css": "status-answered",
        },
        {
            "label": _("已逾期"),
            "value": overdue,
            "url": _list_url(deadline="overdue"),
            "css": "overdue",
        },
    ]
    related = ("article", "lead_department")
    overdue_items = (
        Recommendation.objects.current()
        .overdue()
        .select_related(*related)
        .order_by("deadline", "pk")
    )[:RECENT]
    recently_updated = (
        Recommendation.objects.current().select_related(*related).order_by("-updated_at")
    )[:RECENT]
    comments = Comment.objects.select_related("author", "recommendation__article").order_by(
        "-created_at"
    )[:RECENT]
    return render(
        request,
        "recommendations/dashboard.html",
        {
            "summary": summary,
            "charts": charts,
            "overdue_items": list(overdue_items),
            "overdue_count": overdue,
            "recently_updated": list(recently_updated),
            "comments": list(comments),
            "today": today,
        },
    )


def _overdue_first(queryset, today):
    return queryset.annotate(
        late_rank=Case(
            When(deadline__lt=today, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    ).order_by("late_rank", F("deadline").asc(nulls_last=True), "article_id", "order", "pk")


def my_work(request):
    user = request.user
    today = timezone.localdate()
    current = Recommendation.objects.current()
    context = {"today": today, "role_sections": False}
    if user.is_handler:
        department = user.department
        co_ids = CoDepartment.objects.filter(department=department).values("recommendation_id")
        mine = current.filter(Q(lead_department=department) | Q(pk__in=co_ids))
        open_items = _overdue_first(mine.open(), today)
        context.update(
            {
                "department": department,
                "handler_page": paginate(request, list_rows(open_items), param="page"),
                "handler_overdue": mine.overdue(today).count(),
                "handler_answered_url": _list_url(department=department.pk, status="answered"),
                "show_handler": True,
                "role_sections": True,
            }
        )
    if user.is_portal_staff:
        triage = current.awaiting_triage().order_by("article_id", "order", "pk")
        late = current.overdue(today).order_by("deadline", "article_id", "order", "pk")
        context.update(
            {
                "triage_page": paginate(request, list_rows(triage), param="triage_page"),
                "overdue_page": paginate(request, list_rows(late), param="overdue_page"),
                "show_staff": True,
                "role_sections": True,
            }
        )
    return render(request, "recommendations/my_work.html", context)
