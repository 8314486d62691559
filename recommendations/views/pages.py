"""The dashboard and each user's own work list."""

from datetime import date

from django.db import connection
from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from handling import queries, supervision
from handling.models import AuthorAccount
from recommendations import figures, pagecache
from recommendations.charts import bar_chart
from recommendations.models import (
    CoDepartment,
    Comment,
    Department,
    ListCount,
    Recommendation,
    Tag,
)
from recommendations.views.lists import count_each, list_rows, paginate

RECENT = 8
# The handling loop's steps that get a card of their own.
CARD_STEPS = ("to_sign", "review", "follow_up", "dropped")
MAX_TAG_BARS = 15


def _list_url(**params):
    query = "&".join(f"{name}={value}" for name, value in params.items())
    return f"{reverse('recommendation_list')}?{query}"


def _dashboard_figures(today, stamp):
    """The dashboard's numbers: one GROUP BY over (status, lead department, answer category)
    that also counts overdue items, and one over tag links. Cached until a table they count
    changes: a comment, which only the body's latest comments show, keeps them."""
    return figures.cached(
        "dashboard",
        today,
        lambda: _compute_figures(today),
        stamp=figures.narrow(stamp, figures.LIST_SCOPES),
    )


def _compute_figures(today):
    open_late = Recommendation.late(today)
    # The loop's steps, counted by the same conditions as the list's 办理环节 filter: those of
    # current items in the GROUP BY below (an index-only scan of rec_current_facets, which
    # holds every column they read), the others over the few items dropped from their source.
    current_steps = [step for step in CARD_STEPS if step not in queries.REMOVED_STEPS]
    groups = (
        Recommendation.objects.current()
        .points()
        .order_by()
        .values("status", "lead_department_id", "answer_category")
        .annotate(
            n=Count("*"),
            late=Count("status", filter=open_late),
            # The (few) supervised ids are a hashed subplan: the scan stays index-only.
            supervised=Count("status", filter=Q(pk__in=supervision.supervised_ids())),
            **{
                f"step_{step}": Count("status", filter=queries.condition(step, today))
                for step in current_steps
            },
        )
    )
    by_status, by_department, by_answer = {}, {}, {}
    steps = dict.fromkeys(CARD_STEPS, 0)
    overdue = supervised = 0
    for row in groups:
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["n"]
        overdue += row["late"]
        supervised += row["supervised"]
        for step in current_steps:
            steps[step] += row[f"step_{step}"]
        if row["lead_department_id"] is not None:
            dept = row["lead_department_id"]
            by_department[dept] = by_department.get(dept, 0) + row["n"]
        if row["status"] == Recommendation.Status.ANSWERED:
            category = row["answer_category"]
            by_answer[category] = by_answer.get(category, 0) + row["n"]
    removed_steps = [step for step in CARD_STEPS if step in queries.REMOVED_STEPS]
    if removed_steps:
        steps.update(
            Recommendation.objects.filter(in_source=False)
            .points()
            .order_by()
            .aggregate(
                **{
                    step: Count("pk", filter=queries.condition(step, today))
                    for step in removed_steps
                }
            )
        )
    names = dict(Department.objects.filter(pk__in=by_department).values_list("pk", "name"))
    departments = sorted(
        ((pk, names.get(pk, "?"), n) for pk, n in by_department.items()),
        key=lambda row: (-row[2], row[1]),
    )
    # Tag links of current points, as the database keeps them for the list (ListCount, the
    # same counts as the list's tag facet): a few hundred rows instead of joining every tag
    # link to its item (~70 ms at 100,000 items).
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT t.id, t.name, c.n FROM (
                    SELECT key::int AS tag_id, sum(n) AS n FROM {ListCount._meta.db_table}
                    WHERE facet = 'tag' GROUP BY key HAVING sum(n) > 0
                ) AS c JOIN {Tag._meta.db_table} t ON t.id = c.tag_id
                ORDER BY c.n DESC, t.name LIMIT %s""",
            [MAX_TAG_BARS],
        )
        tags = cursor.fetchall()
    return {
        "steps": steps,
        "status": by_status,
        "overdue": overdue,
        "supervised": supervised,
        "departments": departments,
        "answers": by_answer,
        "tags": [(pk, name, int(n)) for pk, name, n in tags],
    }


def _first_overdue(today, related):
    """The items furthest past their deadline. One short walk of the (status, deadline) index
    per open status instead of sorting every late item, all in one statement (UNION ALL of the
    walks, each LIMITed)."""
    open_statuses = [
        value
        for value, _label in Recommendation.Status.choices
        if value not in Recommendation.CLOCK_STOPPED_STATUSES
    ]
    walks = [
        Recommendation.objects.current()
        .points()
        .filter(status=status, deadline__lt=today)
        .select_related(*related)
        .order_by("deadline", "pk")[:RECENT]
        for status in open_statuses
    ]
    late = walks[0].union(*walks[1:], all=True)
    return sorted(late, key=lambda rec: (rec.deadline, rec.pk))[:RECENT]


@require_safe
def dashboard(request):
    """The same for every viewer: its body is cached until something changes (pagecache.py)."""
    stamp = figures.versions(figures.DASHBOARD_SCOPES)
    body = pagecache.render_body(
        request,
        "recommendations/_dashboard_body.html",
        (),
        lambda: _dashboard_context(stamp),
        stamp=stamp,
    )
    return render(request, "recommendations/page.html", {"title": _("概览"), "body": body})


def _dashboard_context(stamp) -> dict:
    today = timezone.localdate()
    numbers = _dashboard_figures(today, stamp)
    status_count = numbers["status"]
    total = sum(status_count.values())
    overdue = numbers["overdue"]

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
            [(name, n, _list_url(lead_department=pk)) for pk, name, n in numbers["departments"]],
        ),
        "tag": bar_chart(
            "chart-tag",
            _("按标签"),
            [(name, n, _list_url(tag=pk)) for pk, name, n in numbers["tags"]],
            css="bar tag-bar",
        ),
        "answer": bar_chart(
            "chart-answer",
            _("答复类别"),
            [
                (
                    label,
                    numbers["answers"].get(value, 0),
                    # Answered items' categories: an answer awaiting review is not counted yet.
                    _list_url(answer_category=value, status="answered"),
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
        # One card per status, so that each number is the count of the list its link opens.
        {
            "label": _("已交办"),
            "value": status_count.get("assigned", 0),
            "url": _list_url(status="assigned"),
            "css": "status-assigned",
        },
        {
            "label": _("办理中"),
            "value": status_count.get("in_progress", 0),
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
        {
            "label": _("重点督办"),
            "value": numbers["supervised"],
            "url": _list_url(supervised=1),
            "css": "supervised",
        },
        *(
            {
                "label": label,
                "value": numbers["steps"][step],
                "url": _list_url(step=step),
                "css": f"step-{step}",
            }
            for step, label in queries.STEP_CHOICES
            # A step's card shows only while something waits at it.
            if step in CARD_STEPS and numbers["steps"][step]
        ),
    ]
    related = ("article", "lead_department")
    overdue_items = _first_overdue(today, related)
    recently_updated = (
        Recommendation.objects.current().select_related(*related).order_by("-updated_at")
    )[:RECENT]
    comments = Comment.objects.select_related("author", "recommendation__article").order_by(
        "-created_at"
    )[:RECENT]
    return {
        "summary": summary,
        "charts": charts,
        "overdue_items": list(overdue_items),
        "overdue_count": overdue,
        "recently_updated": list(recently_updated),
        "comments": list(comments),
        "today": today,
    }


def _overdue_first(queryset, today):
    return (
        supervision.supervised_first(queryset)
        .annotate(
            late_rank=Case(
                When(Recommendation.late(today), then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by(
            "-supervised",
            "late_rank",
            F("deadline").asc(nulls_last=True),
            "article_id",
            "order",
            "pk",
        )
    )


LOOP_ITEMS = 20  # each step's list shows this many; its link opens the whole list


def _loop_sections(user, current, today) -> list[dict]:
    """The handling loop's steps waiting for this user: one short list per step, with a link
    to the full list (the list's 办理环节 filter gives the same items). All the steps' lists come
    from one statement: a UNION ALL of one LIMITed walk per step, each tagged with its step."""
    steps = []

    def add(title, queryset, url):
        steps.append((title, queryset, url))

    points = current.points()
    if user.is_handler:
        department = user.department
        add(
            _("待本部门签收"),
            queries.to_sign(points, department),
            _list_url(step="to_sign", department=department.pk),
        )
        add(
            _("待本部门提交协办意见"),
            queries.opinion_missing(points, department),
            _list_url(step="opinion_missing", department=department.pk),
        )
        add(
            _("待跟踪(已到承诺完成日期的 B 类答复)"),
            points.follow_up_due(today).filter(lead_department=department),
            _list_url(step="follow_up", lead_department=department.pk),
        )
    if user.is_portal_staff:
        add(_("待审核的答复"), queries.at_step(points, "review"), _list_url(step="review"))
        add(
            _("原文已移除、仍在办理的条目(请确定是否不再办理)"),
            queries.at_step(Recommendation.objects.points(), "dropped"),
            _list_url(step="dropped"),
        )
        add(
            _("待审批的退回申请"),
            queries.at_step(points, "return_open"),
            _list_url(step="return_open"),
        )
        add(
            _("待审批的延期申请"),
            queries.at_step(points, "extension_open"),
            _list_url(step="extension_open"),
        )
    authored = AuthorAccount.objects.filter(user=user).values("person__bylines__article_id")
    if not user.is_portal_staff and AuthorAccount.objects.filter(user=user).exists():
        add(
            _("待我评价的答复"),
            queries.at_step(points, "verdict_missing").filter(article_id__in=authored),
            _list_url(step="verdict_missing"),
        )
    if not steps:
        return []
    order = (F("deadline").asc(nulls_last=True), "article_id", "order", "pk")
    walks = [
        queryset.select_related("article", "lead_department")
        .annotate(loop_step=Value(n, output_field=IntegerField()))
        .order_by(*order)[:LOOP_ITEMS]
        for n, (_title, queryset, _url) in enumerate(steps)
    ]
    rows = {}
    for rec in walks[0].union(*walks[1:], all=True):
        rows.setdefault(rec.loop_step, []).append(rec)
    sections = []
    for n, (title, _queryset, url) in enumerate(steps):
        found = rows.get(n)
        if found:  # a UNION's rows come in no particular order: each step's own order again
            found.sort(key=_loop_order)
            sections.append({"title": title, "rows": found, "url": url})
    return sections


def _loop_order(rec):
    # The walks' ORDER BY: deadline ascending with the undated last, then printed order.
    return (rec.deadline is None, rec.deadline or date.min, rec.article_id, rec.order, rec.pk)


@require_safe
def my_work(request):
    user = request.user
    today = timezone.localdate()
    current = Recommendation.objects.current()
    context = {"today": today, "role_sections": False}
    # Each list's total (for its pagination) and the handler's overdue figure, in one statement.
    counted = {}
    if user.is_handler:
        department = user.department
        co_ids = CoDepartment.objects.filter(department=department).values("recommendation_id")
        # With the items dropped from their source while in handling (badged in the list):
        # the department keeps them until staff close them out.
        mine = Recommendation.objects.in_work().filter(
            Q(lead_department=department) | Q(pk__in=co_ids)
        )
        open_items = _overdue_first(mine.open(), today)
        counted["handler"] = open_items
        counted["handler_overdue"] = mine.overdue(today)
    if user.is_portal_staff:
        # 重点督办 first in every section, then each section's own order.
        triage = supervision.supervised_first(current.awaiting_triage()).order_by(
            "-supervised", "article_id", "order", "pk"
        )
        late = supervision.supervised_first(current.overdue(today)).order_by(
            "-supervised", "deadline", "article_id", "order", "pk"
        )
        counted["triage"] = triage
        counted["overdue"] = late
    totals = dict(zip(counted, count_each(*counted.values()), strict=True)) if counted else {}
    if user.is_handler:
        context.update(
            {
                "department": department,
                "handler_page": paginate(
                    request, list_rows(open_items), param="page", count=totals["handler"]
                ),
                "handler_overdue": totals["handler_overdue"],
                "handler_answered_url": _list_url(department=department.pk, status="answered"),
                "show_handler": True,
                "role_sections": True,
            }
        )
    context["loop_sections"] = _loop_sections(user, current, today)
    if context["loop_sections"]:
        context["role_sections"] = True
    if user.is_portal_staff:
        context.update(
            {
                "triage_page": paginate(
                    request, list_rows(triage), param="triage_page", count=totals["triage"]
                ),
                "overdue_page": paginate(
                    request, list_rows(late), param="overdue_page", count=totals["overdue"]
                ),
                "show_staff": True,
                "role_sections": True,
            }
        )
    return render(request, "recommendations/my_work.html", context)
