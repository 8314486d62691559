"""The recommendation list: filters in the URL, counts per filter value, pages of 50."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db import connections, router
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from recommendations import figures, pagecache
from recommendations.filters import (
    DEADLINE_CHOICES,
    LEVEL_CHOICES,
    RANKED_IDS,
    SORT_CHOICES,
    RecommendationFilter,
    list_figures,
)
from recommendations.models import Department, Recommendation, Tag
from recommendations.views.actions import bulk_context, take_refused_bulk

PAGE_SIZE = 50


def list_rows(queryset):
    """What a list row shows, fetched in a fixed number of queries."""
    return queryset.select_related("article", "lead_department", "supervision").prefetch_related(
        "tags"
    )


def paginate(request, queryset, param="page", per_page=PAGE_SIZE, count=None):
    """get_page() turns a missing, malformed or out-of-range number into a valid page. A known
    `count` spares the COUNT(*) over the whole filtered list."""
    paginator = Paginator(queryset, per_page)
    if count is not None:
        paginator.count = count  # Paginator.count is a cached_property: this pre-fills it
    return paginator.get_page(request.GET.get(param))


def labels() -> tuple[list[Department], list[Tag]]:
    """Every department and every tag, each in its model's order, in one statement: the list's
    facets and bulk forms, and an item's facts and forms, name them all. Two short tables
    read side by side in a UNION ALL; each row is built as the ORM builds it (from_db)."""
    using = router.db_for_read(Department)
    quote = connections[using].ops.quote_name
    models = (Department, Tag)
    fields = [[f.attname for f in model._meta.concrete_fields] for model in models]
    branches = []
    for n, model in enumerate(models):
        order = ", ".join(
            f"{quote(name[1:])} DESC" if name.startswith("-") else quote(name)
            for name in model._meta.ordering
        )
        columns = [
            quote(name) if k == n else "NULL" for k, names in enumerate(fields) for name in names
        ]
        branches.append(
            f"SELECT {n} AS kind, row_number() OVER (ORDER BY {order}) AS position, "
            f"{', '.join(columns)} FROM {quote(model._meta.db_table)}"
        )
    found = ([], [])
    with connections[using].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(branches) + " ORDER BY kind, position")
        for kind, _position, *values in cursor.fetchall():
            start = sum(len(names) for names in fields[:kind])
            names = fields[kind]
            model = models[kind]
            found[kind].append(model.from_db(using, names, values[start : start + len(names)]))
    return found


def count_each(*querysets) -> list[int]:
    """COUNT(*) of each queryset, in one statement: a page with several paginated lists reads
    all their totals at once. Each count is a scalar subquery, planned as it would be alone."""
    parts, params = [], []
    for queryset in querysets:
        query = queryset.order_by().values("pk").query
        sql, part_params = query.get_compiler(using=queryset.db).as_sql()
        parts.append(f"(SELECT count(*) FROM ({sql}) AS counted)")
        params.extend(part_params)
    with connections[querysets[0].db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return list(cursor.fetchone())


def _option(value, label, count, selected):
    return {
        "value": str(value),
        "label": label,
        "count": count,
        "selected": str(value) == selected,
    }


def _facets(filterset, counts, departments, tags, total):
    """The choices of each facet with their counts, ready for the template."""
    data = filterset.data
    cleaned = filterset.form.cleaned_data

    def selected(name):
        value = data.get(name, "")
        # A value that failed validation is not "selected": it is shown as an error instead.
        return value if name in cleaned and cleaned[name] not in (None, "") else ""

    facets = {
        "status": [
            _option(value, label, counts["status"].get(value, 0), selected("status"))
            for value, label in Recommendation.Status.choices
        ],
        "level": [
            _option(value, label, counts["level"].get(value, 0), selected("level"))
            for value, label in LEVEL_CHOICES
        ],
        "answer_category": [
            _option(
                value, label, counts["answer_category"].get(value, 0), selected("answer_category")
            )
            for value, label in Recommendation.AnswerCategory.choices
        ],
        "deadline": [
            _option(value, label, counts["deadline"].get(value, 0), selected("deadline"))
            for value, label in DEADLINE_CHOICES
        ],
        "tag": [
            _option(tag.pk, tag.name, counts["tag"].get(tag.pk, 0), selected("tag")) for tag in tags
        ],
        "department": [
            _option(d.pk, d.name, counts["department"].get(d.pk, 0), selected("department"))
            for d in departments
        ],
        "lead_department": [
            _option(
                d.pk, d.name, counts["lead_department"].get(d.pk, 0), selected("lead_department")
            )
            for d in departments
        ],
    }
    for name in ("author", "organization"):
        options = [_option(pk, label, n, selected(name)) for pk, label, n in counts[name]]
        chosen = cleaned.get(name)
        if chosen is not None and not any(o["selected"] for o in options):
            # Beyond the busiest few: its count is the list's own, since it is applied.
            options.insert(0, _option(chosen.pk, chosen.name, total, str(chosen.pk)))
        facets[name] = options
    return facets


def _params(request, *ignored):
    return sorted(
        (name, value)
        for name, values in request.GET.lists()
        if name not in ignored
        for value in values
    )


def _list_figures(request, filterset, stamp):
    """The total, the facet counts and a search's ranked ids of this filter combination, in one
    statement (filters.list_figures), cached until the tables they count over change (see
    figures.py): the same for every page and sort order of it."""
    return figures.cached(
        "list",
        (timezone.localdate(), _params(request, "page", "sort")),
        lambda: list_figures(filterset, stamp),
        stamp=stamp,
    )


class RankedRows:
    """The search results for Paginator: a slice within the ranked ids the figures keep comes
    from them (one query by primary key), any deeper one from the ranked queryset."""

    def __init__(self, queryset, ranked_ids, count):
        self.queryset, self.ranked_ids, self._count = queryset, ranked_ids, count

    def __getitem__(self, window: slice):
        if window.stop is None or window.stop > RANKED_IDS:
            return self.queryset[window]
        ids = self.ranked_ids[window]
        # Still a lazy queryset, in the ranked order: a cached table never runs it.
        position = Case(
            *[When(pk=pk, then=Value(i)) for i, pk in enumerate(ids)], output_field=IntegerField()
        )
        return self.queryset.filter(pk__in=ids).order_by(position)

    def count(self):
        return self._count


class PagedRows:
    """The sorted list for Paginator. A deep page's rows are chosen by a subquery that reads
    only the ids in the list's order, then fetched with their relations: fetched directly, page
    200 read each of the 9,950 skipped rows from the table (14,000 buffers, ~0.5 s at 100,000
    items); its ids alone come from the printed-order index (7,000 buffers of it, ~5 ms). The
    first pages skip too little for the subquery to pay (and it can plan worse with filters)."""

    DEEP = 10 * PAGE_SIZE

    def __init__(self, queryset, ids, count):
        self.queryset, self.ids, self._count = queryset, ids, count

    def __getitem__(self, window: slice):
        if (window.start or 0) < self.DEEP:
            return self.queryset[window]
        return self.queryset.filter(pk__in=self.ids[window])

    def count(self):
        return self._count


def _rows(filterset, numbers):
    ordered = filterset.qs
    rows = list_rows(ordered)
    # No ranked ids: the query had nothing searchable, and the list keeps its printed order.
    if numbers["ranked"] is not None and filterset.sort_key == "relevance":
        return RankedRows(rows, numbers["ranked"], numbers["count"])
    return PagedRows(rows, ordered.values("pk"), numbers["count"])


@require_safe
def recommendation_list(request):
    """The body (sidebar, table, pagination) is the same for everyone with the same view of the
    same data: it is cached under the versions of the tables it reads and the whole URL
    (pagecache.py, figures.py), so a warm page neither queries nor renders its rows."""
    stamp = figures.versions(figures.LIST_SCOPES)
    # A bulk form refused on the previous post is shown once, with its errors and ticks: that
    # body is the user's own, rendered afresh and not cached.
    refused = take_refused_bulk(request) if request.user.is_portal_staff else None
    body = pagecache.render_body(
        request,
        "recommendations/_list_body.html",
        (request.get_full_path(), request.user.is_portal_staff),
        lambda: _list_context(request, stamp, refused),
        stamp=stamp,
        cache=refused is None,
    )
    return render(request, "recommendations/page.html", {"title": _("建议列表"), "body": body})


def _list_context(request, stamp, refused_bulk=None) -> dict:
    filterset = RecommendationFilter(request.GET, queryset=Recommendation.objects.all())
    numbers = _list_figures(request, filterset, stamp)
    departments, tags = labels()
    page = paginate(request, _rows(filterset, numbers), count=numbers["count"])
    context = {
        "filter": filterset,
        "form": filterset.form,
        "page_obj": page,
        "facets": _facets(filterset, numbers["facets"], departments, tags, numbers["count"]),
        "search_query": filterset.search_query,
        "sort_key": filterset.sort_key,
        "sort_choices": [
            (value, label)
            for value, label in SORT_CHOICES
            if value != "relevance" or filterset.search_query
        ],
        "chosen_article": filterset.form.cleaned_data.get("article"),
        "show_removed": bool(filterset.form.cleaned_data.get("removed")),
        "show_supervised": bool(filterset.form.cleaned_data.get("supervised")),
        "list_url": request.get_full_path(),
        "page_title": _("建议列表"),
    }
    if request.user.is_portal_staff:
        context.update(bulk_context(request, refused_bulk, departments=departments, tags=tags))
        # "Every item the filter matches" posts the filter itself (the page's query string).
        context["bulk_filter"] = urlencode(_params(request, "page"))
        context["bulk_total"] = numbers["count"]
        if refused_bulk is not None:
            context.update(_refused_ticks(refused_bulk, page))
    return context


def _refused_ticks(form, page) -> dict:
    """The rows the refused bulk form had ticked, ticked again; ticked items that are not on
    this page (the list changed meanwhile) are listed above it, so nothing chosen is lost."""
    ticked = {int(v) for v in form.data.getlist("ids") if str(v).isdigit()}
    shown = {rec.pk for rec in page.object_list}
    others = Recommendation.objects.filter(pk__in=ticked - shown).select_related("article")
    return {
        "bulk_ticked": ticked,
        "bulk_ticked_elsewhere": list(others.order_by("article_id", "order")[:200]),
        "bulk_scope": form.data.get("scope") or "ticked",
    }
