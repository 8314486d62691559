"""The recommendation list's filters, shared by the list page, its facets and the export.

Every parameter lives in the URL (a GET form), so a filtered list can be shared as a link. An
invalid value is reported on the form and otherwise ignored: the page never fails on input.
Relations are filtered with subqueries rather than joins so that no row is repeated and no
DISTINCT is needed (it would get in the way of ordering by relevance).
"""

import django_filters
from django import forms
from django.db import connection
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from handling import supervision
from recommendations import search
from recommendations.models import (
    Article,
    Byline,
    CoDepartment,
    Department,
    Organization,
    Person,
    Recommendation,
    RecommendationTag,
    Tag,
)

LEVEL_CHOICES = [("1", _("章节")), ("2", _("条目")), ("3", _("子条目"))]
DEADLINE_CHOICES = [("overdue", _("已逾期")), ("none", _("未设期限"))]
SORT_CHOICES = [
    ("place", _("原文顺序")),
    ("-deadline", _("期限由远到近")),
    ("deadline", _("期限由近到远")),
    ("status", _("状态")),
    ("-updated", _("最近更新")),
    ("relevance", _("相关度(搜索时)")),
]
MAX_DUE_DAYS = 3650


def _ids(model_queryset, field):
    return model_queryset.values(field)


class CheckboxFilter(django_filters.Filter):
    """A plain on/off checkbox; the FilterSet reads it in filter_queryset."""

    field_class = forms.BooleanField

    def filter(self, qs, value):
        return qs


class RecommendationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("关键词"), max_length=200, method="filter_q")
    article = django_filters.ModelChoiceFilter(
        label=_("文章"), queryset=Article.objects.all(), method="filter_article"
    )
    author = django_filters.ModelChoiceFilter(
        label=_("作者"), queryset=Person.objects.all(), method="filter_author"
    )
    organization = django_filters.ModelChoiceFilter(
        label=_("单位"), queryset=Organization.objects.all(), method="filter_organization"
    )
    tag = django_filters.ModelChoiceFilter(
        label=_("标签"), queryset=Tag.objects.all(), method="filter_tag"
    )
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Recommendation.Status.choices)
    department = django_filters.ModelChoiceFilter(
        label=_("部门(主办或协办)"), queryset=Department.objects.all(), method="filter_department"
    )
    lead_department = django_filters.ModelChoiceFilter(
        label=_("主办部门"), queryset=Department.objects.all()
    )
    answer_category = django_filters.ChoiceFilter(
        label=_("答复类别"), choices=Recommendation.AnswerCategory.choices
    )
    deadline = django_filters.ChoiceFilter(
        label=_("期限"), choices=DEADLINE_CHOICES, method="filter_deadline"
    )
    due = django_filters.NumberFilter(
        label=_("几天内到期"),
        method="filter_due",
        min_value=0,
        max_value=MAX_DUE_DAYS,
        decimal_places=0,
    )
    level = django_filters.ChoiceFilter(label=_("层级"), choices=LEVEL_CHOICES, field_name="depth")
    removed = CheckboxFilter(label=_("包含已从原文移除的条目"), required=False)
    supervised = CheckboxFilter(label=_("只看重点督办"), required=False, method="filter_supervised")
    sort = django_filters.ChoiceFilter(label=_("排序"), choices=SORT_CHOICES, method="noop")

    class Meta:
        model = Recommendation
        fields = []

    # Parameters a facet ignores when it counts its own values.
    FACETS = (
        "status",
        "tag",
        "department",
        "lead_department",
        "answer_category",
        "level",
        "deadline",
        "author",
        "organization",
    )

    def noop(self, queryset, name, value):
        return queryset

    def filter_q(self, queryset, name, value):
        return search.search_queryset(queryset, value)

    def filter_article(self, queryset, name, value):
        return queryset.filter(article=value)

    def filter_author(self, queryset, name, value):
        return queryset.filter(article__in=_ids(Byline.objects.filter(person=value), "article_id"))

    def filter_organization(self, queryset, name, value):
        return queryset.filter(
            article__in=_ids(Byline.objects.filter(affiliations__organization=value), "article_id")
        )

    def filter_tag(self, queryset, name, value):
        return queryset.filter(
            pk__in=_ids(RecommendationTag.objects.filter(tag=value), "recommendation_id")
        )

    def filter_department(self, queryset, name, value):
        co = _ids(CoDepartment.objects.filter(department=value), "recommendation_id")
        return queryset.filter(Q(lead_department=value) | Q(pk__in=co))

    def filter_deadline(self, queryset, name, value):
        if value == "overdue":
            return queryset.overdue()
        return queryset.filter(deadline__isnull=True)

    def filter_due(self, queryset, name, value):
        return queryset.due_within(int(value))

    def filter_supervised(self, queryset, name, value):
        return queryset.filter(pk__in=supervision.supervised_ids()) if value else queryset

    def _cleaned(self, name):
        self.form.is_valid()  # validates once; invalid fields are left out of cleaned_data
        return self.form.cleaned_data.get(name)

    @property
    def search_query(self) -> str:
        return (self._cleaned("q") or "").strip()

    @property
    def sort_key(self) -> str:
        sort = self._cleaned("sort")
        if sort == "relevance" and not self.search_query:
            return "place"
        return sort or ("relevance" if self.search_query else "place")

    def filter_queryset(self, queryset):
        return self.apply_sort(self._filtered(queryset))

    def _filtered(self, queryset, skip=None):
        """The valid parameters applied (all but `skip`), unsorted. An invalid search (over
        MAX_QUERY_CHARS) matches nothing: the list shows the error, not every item."""
        if "q" in self.form.errors:
            return queryset.none()
        for name, value in self.form.cleaned_data.items():
            if name != skip:
                queryset = self.filters[name].filter(queryset, value)
        if not self.form.cleaned_data.get("removed"):
            queryset = queryset.current()
        return queryset

    def apply_sort(self, queryset):
        key = self.sort_key
        if key == "relevance":
            return search.order_by_rank(queryset)
        orderings = {
            "place": ("article_id", "order"),
            "-deadline": (F("deadline").desc(nulls_last=True), "article_id", "order"),
            "deadline": (F("deadline").asc(nulls_last=True), "article_id", "order"),
            "status": ("status", "article_id", "order"),
            "-updated": ("-updated_at",),
        }
        return queryset.order_by(*orderings[key], "pk")

    def without(self, name: str):
        """The list filtered by every parameter but one: a facet counts its values over this.
        Reuses the validated values, so no choice is looked up twice."""
        self.form.is_valid()
        return self._filtered(self.queryset.all(), skip=name)


def _grouped(queryset, field):
    rows = queryset.order_by().values(field).annotate(n=Count("pk"))
    return {row[field]: row["n"] for row in rows if row[field] is not None}


# An archive has hundreds of authors and organisations: the facet offers the busiest ones (a
# chosen one is always shown, see views/lists.py); their own pages list everyone.
MAX_NAMED_FACET_OPTIONS = 30


def _grouped_distinct(queryset, id_field, name_field):
    """Counts per related object reached over a multi-valued relation, with its name."""
    rows = (
        queryset.order_by()
        .filter(**{f"{id_field}__isnull": False})
        .values(id_field, name_field)
        .annotate(n=Count("pk", distinct=True))
        .order_by("-n", name_field)[:MAX_NAMED_FACET_OPTIONS]
    )
    return [(row[id_field], row[name_field], row["n"]) for row in rows]


def _department_counts(queryset):
    """Items per department as lead OR co-department, in one aggregate query."""
    base = queryset.order_by()
    lead_sql, lead_params = (
        base.filter(lead_department__isnull=False)
        .values_list("pk", "lead_department_id")
        .query.sql_with_params()
    )
    ids_sql, ids_params = base.values("pk").query.sql_with_params()
    co = CoDepartment._meta.db_table
    sql = f"""
        SELECT dept_id, COUNT(DISTINCT rec_id) FROM (
            {lead_sql}
            UNION ALL
            SELECT recommendation_id, department_id FROM {co}
            WHERE recommendation_id IN ({ids_sql})
        ) AS pairs (rec_id, dept_id) GROUP BY dept_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*lead_params, *ids_params])
        return dict(cursor.fetchall())


# Facets over a column of the recommendation itself: (parameter, column).
COLUMN_FACETS = (
    ("status", "status"),
    ("level", "depth"),
    ("answer_category", "answer_category"),
    ("lead_department", "lead_department_id"),
)


def _deadline_counts(today):
    late = Q(deadline__lt=today) & ~Q(status__in=Recommendation.CLOSED_STATUSES)
    return {
        "overdue": Count("status", filter=late),
        "none": Count("status", filter=Q(deadline__isnull=True)),
    }


def _column_facets(filterset, today) -> dict:
    """The column facets. Those whose parameter is not set all count over the same filtered
    list, so one GROUP BY over their columns serves them all; a facet whose parameter is set
    counts over the list without it, in a query of its own."""
    counts = {name: {} for name, _column in COLUMN_FACETS}
    counts["deadline"] = {"overdue": 0, "none": 0}
    chosen = filterset.form.cleaned_data
    shared = [(n, c) for n, c in COLUMN_FACETS if chosen.get(n) in (None, "")]
    deadline_shared = chosen.get("deadline") in (None, "")
    if shared or deadline_shared:
        rows = (
            filterset.qs.order_by()
            .values(*[column for _name, column in shared])
            .annotate(n=Count("*"), **_deadline_counts(today))
        )
        for row in rows:
            for name, column in shared:
                if row[column] is not None:
                    key = row[column]
                    counts[name][key] = counts[name].get(key, 0) + row["n"]
            if deadline_shared:
                counts["deadline"]["overdue"] += row["overdue"]
                counts["deadline"]["none"] += row["none"]
    for name, column in COLUMN_FACETS:
        if (name, column) not in shared:
            counts[name] = _grouped(filterset.without(name), column)
    if not deadline_shared:
        counts["deadline"] = (
            filterset.without("deadline").order_by().aggregate(**_deadline_counts(today))
        )
    counts["level"] = {str(k): v for k, v in counts["level"].items()}
    return counts


def facet_counts(filterset: RecommendationFilter) -> dict:
    """For each facet, how many items each value would give: counted over the list filtered by
    every OTHER parameter (so the alternatives to a chosen value stay visible), with one
    aggregate query per facet at most."""

    filterset.form.is_valid()
    if "q" in filterset.form.errors:  # nothing matches an invalid search: nothing to count
        empty = {name: {} for name in ("status", "level", "answer_category", "lead_department")}
        return {
            **empty,
            "deadline": {"overdue": 0, "none": 0},
            "department": {},
            "tag": {},
            "author": [],
            "organization": [],
        }

    def base(name):
        if filterset.form.cleaned_data.get(name) in (None, ""):
            return filterset.qs
        return filterset.without(name)

    tag_links = RecommendationTag.objects.filter(
        recommendation__in=base("tag").order_by().values("pk")
    )
    return {
        **_column_facets(filterset, timezone.localdate()),
        "department": _department_counts(base("department")),
        "tag": _grouped(tag_links, "tag"),
        "author": _grouped_distinct(
            base("author"), "article__bylines__person", "article__bylines__person__name"
        ),
        "organization": _grouped_distinct(
            base("organization"),
            "article__bylines__affiliations__organization",
            "article__bylines__affiliations__organization__name",
        ),
    }
