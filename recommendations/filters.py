"""The recommendation list's filters, shared by the list page, its facets and the export.

Every parameter lives in the URL (a GET form), so a filtered list can be shared as a link. An
invalid value is reported on the form and otherwise ignored: the page never fails on input.
Relations are filtered with subqueries rather than joins so that no row is repeated and no
DISTINCT is needed (it would get in the way of ordering by relevance).
"""

import django_filters
from django import forms
from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from handling import queries, supervision
from recommendations import search
from recommendations.models import (
    Article,
    Byline,
    CoDepartment,
    Department,
    ListCount,
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
KIND_CHOICES = [("containers", _("分组条目")), ("all", _("要点和分组条目"))]


def _ids(model_queryset, field):
    return model_queryset.values(field)


def facet_condition(name: str, value, today=None) -> Q:
    """The condition of one facet parameter. The list applies it as a filter; its figures
    (list_figures) compute it once per matching item as a flag, so that each facet can count
    over the items that pass every OTHER parameter."""
    if name == "status":
        return Q(status=value)
    if name == "level":
        return Q(depth=int(value))
    if name == "answer_category":
        return Q(answer_category=value)
    if name == "lead_department":
        return Q(lead_department=value)
    if name == "deadline":
        if value == "overdue":
            return Recommendation.late(today)
        return Q(deadline__isnull=True)
    if name == "tag":
        return Q(pk__in=_ids(RecommendationTag.objects.filter(tag=value), "recommendation_id"))
    if name == "department":
        co = _ids(CoDepartment.objects.filter(department=value), "recommendation_id")
        return Q(lead_department=value) | Q(pk__in=co)
    if name == "author":
        return Q(article__in=_ids(Byline.objects.filter(person=value), "article_id"))
    if name == "organization":
        signed = Byline.objects.filter(affiliations__organization=value)
        return Q(article__in=_ids(signed, "article_id"))
    raise ValueError(name)


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
        label=_("作者"), queryset=Person.objects.all(), method="filter_facet"
    )
    organization = django_filters.ModelChoiceFilter(
        label=_("单位"), queryset=Organization.objects.all(), method="filter_facet"
    )
    tag = django_filters.ModelChoiceFilter(
        label=_("标签"), queryset=Tag.objects.all(), method="filter_facet"
    )
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Recommendation.Status.choices)
    department = django_filters.ModelChoiceFilter(
        label=_("部门(主办或协办)"), queryset=Department.objects.all(), method="filter_facet"
    )
    lead_department = django_filters.ModelChoiceFilter(
        label=_("主办部门"), queryset=Department.objects.all()
    )
    answer_category = django_filters.ChoiceFilter(
        label=_("答复类别"), choices=Recommendation.AnswerCategory.choices
    )
    deadline = django_filters.ChoiceFilter(
        label=_("期限"), choices=DEADLINE_CHOICES, method="filter_facet"
    )
    due = django_filters.NumberFilter(
        label=_("几天内到期"),
        method="filter_due",
        min_value=0,
        max_value=MAX_DUE_DAYS,
        decimal_places=0,
    )
    level = django_filters.ChoiceFilter(label=_("层级"), choices=LEVEL_CHOICES, field_name="depth")
    step = django_filters.ChoiceFilter(
        label=_("办理环节"),
        choices=queries.STEP_CHOICES,
        method="filter_step",
        empty_label=_("全部"),
    )
    kind = django_filters.ChoiceFilter(
        label=_("条目类型"), choices=KIND_CHOICES, method="noop", empty_label=_("要点(默认)")
    )
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

    def filter_facet(self, queryset, name, value):
        return queryset.filter(facet_condition(name, value))

    def filter_step(self, queryset, name, value):
        return queries.at_step(queryset, value)

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

    def _filtered(self, queryset, skip=()):
        """The valid parameters applied (all but those in `skip`), unsorted. An invalid search
        (over MAX_QUERY_CHARS) matches nothing: the list shows the error, not every item."""
        if "q" in self.form.errors:
            return queryset.none()
        for name, value in self.form.cleaned_data.items():
            if name not in skip:
                queryset = self.filters[name].filter(queryset, value)
        removed_step = self.form.cleaned_data.get("step") in queries.REMOVED_STEPS
        if not (self.form.cleaned_data.get("removed") or removed_step):
            queryset = queryset.current()
        # Points by default: a section that only groups its points is no request of its own.
        kind = self.form.cleaned_data.get("kind") or "points"
        if kind == "points":
            queryset = queryset.points()
        elif kind == "containers":
            queryset = queryset.containers()
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


# An archive has hundreds of authors and organisations: the facet offers the busiest ones (a
# chosen one is always shown, see views/lists.py); their own pages list everyone.
MAX_NAMED_FACET_OPTIONS = 30
# How many ranked ids of a search the figures keep (the first pages read them).
RANKED_IDS = 1000

# The columns a matching item brings into the figures: all in the covering index
# rec_current_facets, so the match is an index-only scan. A search joins its rank and the
# printed order that breaks its ties from its cached match (search.cached_match), so a search
# reads the index, not the rows.
_HIT_COLUMNS = ("id", "article_id", "status", "depth", "lead_department_id")
_HIT_COLUMNS += ("answer_category", "deadline")
# Facets whose counts ListCount also keeps per status (migration 0018_list_counts_by_status).
STATUS_PAIRED = ("tag", "department", "lead_department", "level", "answer_category")
# Facets over a column of the item itself: (parameter, column).
COLUMN_FACETS = (
    ("status", "status"),
    ("level", "depth"),
    ("answer_category", "answer_category"),
    ("lead_department", "lead_department_id"),
)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


# Parameters that are neither facets nor display choices: any of them narrows the match, so the
# counts kept in ListCount (over every current point) no longer apply.
_DISPLAY = ("sort", "kind")


def _plain(cleaned) -> bool:
    """Whether the match is every current point: no search, article, due date, step, removed
    items, supervision or item kind other than points."""
    return (cleaned.get("kind") or "points") == "points" and not any(
        # `is not False`, not `!= False`: due=0 (due today) is Decimal 0, which equals False.
        value is not None and value != "" and value is not False
        for name, value in cleaned.items()
        if name not in RecommendationFilter.FACETS and name not in _DISPLAY
    )


def list_figures(filterset: RecommendationFilter, stamp=None) -> dict:
    """The list's total, the counts of every facet and (for a search) the first RANKED_IDS ids
    in rank order, from ONE statement.

    The match is the list filtered by every parameter that is not a facet (the search, the
    article, "due within", removed items). Each chosen facet parameter becomes a flag per
    matching item, so a facet counts over the items whose other flags hold (the alternatives to
    a chosen value stay visible) without running the match again; the total and the ranking
    use the items whose flags all hold. Authors and organisations are counted per article first
    and then per distinct signer, which keeps them exact (an organisation may sign twice).

    While the match is every current point (_plain), what counts over all of them is read from
    ListCount instead (the whole list, and a chosen facet's own counts when it is the only one
    chosen), and the match keeps only the items that a facet still counts over: those passing
    all chosen flags but one, so two chosen values read their union rather than every item.

    A search's match (which items, their rank) comes from search.cached_match, kept until a
    text or a name changes; the statement joins it to the items that pass the other parameters.
    `stamp` is the versions the caller read for its own cache key (figures.LIST_SCOPES)."""
    filterset.form.is_valid()
    if "q" in filterset.form.errors:  # nothing matches an invalid search: nothing to count
        return _figures_from_rows([], ranked=False)
    cleaned = filterset.form.cleaned_data
    today = timezone.localdate()
    chosen = [n for n in RecommendationFilter.FACETS if cleaned.get(n) not in (None, "")]
    match = search.cached_match(filterset.search_query, stamp)
    ranked = match is not None
    skip = (*RecommendationFilter.FACETS, "q") if ranked else RecommendationFilter.FACETS
    base = filterset._filtered(filterset.queryset.all(), skip=skip)
    plain = _plain(cleaned)  # a search is never plain: q is a parameter of its own
    flags = {
        f"f_{name}": ExpressionWrapper(
            facet_condition(name, cleaned[name], today), output_field=BooleanField()
        )
        for name in chosen
    }
    hits_sql, hits_params = (
        base.order_by().annotate(**flags).values(*_HIT_COLUMNS, *flags).query.sql_with_params()
    )
    if ranked:
        ids, ranks, orders = match
        hits_sql = (
            "SELECT matched.*, m.rank AS search_rank, m.ord AS search_order "
            f"FROM ({hits_sql}) AS matched JOIN unnest(%s::bigint[], %s::float8[], "
            "%s::bigint[]) AS m(id, rank, ord) ON m.id = matched.id"
        )
        hits_params = (*hits_params, ids, ranks, orders)
    # A status and one paired facet chosen: ListCount has both facets' own counts per status.
    others = [name for name in chosen if name != "status"]
    pair = None
    if plain and len(chosen) == 2 and len(others) == 1 and others[0] in STATUS_PAIRED:
        pair = others[0]

    def stored(name=None) -> bool:
        """Whether `name`'s counts (the total's for None) are those of every current point."""
        return plain and (not chosen or chosen == [name])

    def paired(name) -> bool:
        return pair is not None and name in ("status", pair)

    if plain and chosen:
        # A facet counts over the items passing every chosen flag but its own: the match keeps
        # those of the facets not kept, or only the items passing all when every one is kept.
        every_kept = all(stored(name) or paired(name) for name in chosen)
        held = " + ".join(f"{_q(flag)}::int" for flag in flags)
        least = len(chosen) if every_kept else max(1, len(chosen) - 1)
        hits_sql = f"SELECT * FROM ({hits_sql}) AS matched WHERE {held} >= {least}"

    def where(but=None):
        held = [_q(f"f_{name}") for name in chosen if name != but]
        return " AND ".join(held) or "TRUE"

    rec_tag = RecommendationTag._meta.db_table
    co = CoDepartment._meta.db_table
    byline = Byline._meta.db_table
    byline_aff = Byline.affiliations.through._meta.db_table
    affiliation = Byline.affiliations.field.related_model._meta.db_table
    person, organization = Person._meta.db_table, Organization._meta.db_table

    def kept(facet):
        return f"SELECT '{facet}', key, NULL, n, NULL FROM counts WHERE facet = '{facet}'"

    def kept_pair(facet):
        """The paired facet's counts within the chosen status, or the status counts within
        the chosen value of the paired facet ("<status>:<key>" keys)."""
        if facet == "status":
            value = cleaned[pair]
            params.append(str(getattr(value, "pk", value)))
            mine, other = 1, 2
        else:
            params.append(cleaned["status"])
            mine, other = 2, 1
        return (
            f"SELECT '{facet}', split_part(key, ':', {mine}), NULL, n, NULL FROM counts "
            f"WHERE facet = 's:{pair}' AND split_part(key, ':', {other}) = %s"
        )

    def facet_sql(name, counted):
        """`name`'s counts kept, kept per status or `counted` over the match."""
        if stored(name):
            return kept(name)
        return kept_pair(name) if paired(name) else counted

    params = [*hits_params]
    if stored():
        parts = [
            "SELECT 'total', NULL, NULL, COALESCE(sum(n), 0)::bigint, NULL::int[] FROM counts "
            "WHERE facet = 'total'"
        ]
    else:
        parts = [f"SELECT 'total', NULL, NULL, count(*), NULL::int[] FROM hits WHERE {where()}"]
    for name, column in COLUMN_FACETS:
        parts.append(
            facet_sql(
                name,
                f"SELECT '{name}', {_q(column)}::text, NULL, count(*), NULL FROM hits "
                f"WHERE {where(name)} AND {_q(column)} IS NOT NULL GROUP BY {_q(column)}",
            )
        )
    # Recommendation.late() in SQL: past the deadline, neither closed nor awaiting review.
    stopped = Recommendation.CLOCK_STOPPED_STATUSES
    closed = ", ".join(["%s"] * len(stopped))
    if stored("deadline"):
        # Overdue depends on the day: the kept deadlines of running clocks before today.
        parts.append(
            "SELECT 'deadline', 'overdue', NULL, COALESCE(sum(n), 0)::bigint, NULL FROM counts "
            f"WHERE facet = 'open_deadline' AND key < %s UNION ALL {kept('deadline')}"
        )
        params.append(today.isoformat())
    else:
        parts.append(
            "SELECT 'deadline', 'overdue', NULL, count(*) FILTER (WHERE deadline < %s "
            f"AND status NOT IN ({closed})), NULL FROM hits WHERE {where('deadline')} "
            "UNION ALL SELECT 'deadline', 'none', NULL, count(*) FILTER (WHERE deadline IS NULL), "
            f"NULL FROM hits WHERE {where('deadline')}"
        )
        params += [today, *stopped]
    parts.append(
        facet_sql(
            "tag",
            f"SELECT 'tag', l.tag_id::text, NULL, count(*), NULL FROM hits JOIN {rec_tag} l "
            f"ON l.recommendation_id = hits.id WHERE {where('tag')} GROUP BY l.tag_id",
        )
    )
    parts.append(
        facet_sql(
            "department",
            "SELECT 'department', dept::text, NULL, count(DISTINCT rec), NULL FROM ("
            f"SELECT id AS rec, lead_department_id AS dept FROM hits "
            f"WHERE {where('department')} AND lead_department_id IS NOT NULL UNION ALL "
            f"SELECT hits.id, c.department_id FROM hits JOIN {co} c "
            f"ON c.recommendation_id = hits.id WHERE {where('department')}) AS pairs "
            "GROUP BY dept",
        )
    )
    signers = {
        "author": (
            f"SELECT DISTINCT b.article_id, b.person_id AS signer FROM {byline} b",
            person,
        ),
        "organization": (
            f"SELECT DISTINCT b.article_id, a.organization_id AS signer FROM {byline} b "
            f"JOIN {byline_aff} ba ON ba.byline_id = b.id "
            f"JOIN {affiliation} a ON a.id = ba.affiliation_id",
            organization,
        ),
    }
    for name, (pairs, table) in signers.items():
        per = (
            "SELECT key::int AS article_id, n FROM counts WHERE facet = 'article'"
            if stored(name)
            else f"SELECT article_id, count(*) AS n FROM hits WHERE {where(name)} "
            "GROUP BY article_id"
        )
        # Summed per signer first; names are looked up only for the busiest (those at least as
        # busy as the last one offered), which keeps the name order among equal counts.
        sums = (
            f"SELECT s.signer, sum(per.n)::bigint AS n FROM ({per}) AS per "
            f"JOIN ({pairs}) AS s ON s.article_id = per.article_id GROUP BY s.signer"
        )
        parts.append(
            f"(WITH sums AS MATERIALIZED ({sums}) "
            f"SELECT '{name}', sums.signer::text, t.name, sums.n, NULL FROM sums "
            f"JOIN {table} t ON t.id = sums.signer WHERE sums.n >= COALESCE((SELECT n FROM sums "
            f"ORDER BY n DESC OFFSET {MAX_NAMED_FACET_OPTIONS - 1} LIMIT 1), 0) "
            f"ORDER BY 4 DESC, t.name LIMIT {MAX_NAMED_FACET_OPTIONS})"
        )
    if ranked:
        # A top-N sort: only the first RANKED_IDS of a common word's tens of thousands.
        parts.append(
            "SELECT 'ranked', NULL, NULL, NULL, ARRAY(SELECT id FROM hits "
            f"WHERE {where()} ORDER BY search_rank DESC, article_id, search_order, id "
            f"LIMIT {RANKED_IDS})"
        )
    ctes = []
    if plain and not chosen:  # every figure is kept or read from an index
        params = params[len(hits_params) :]
    else:
        ctes.append(f"hits AS MATERIALIZED ({hits_sql})")
    if plain:
        # The kept rows summed: one per (facet, key) once compacted (ListCount.compact).
        ctes.append(
            f"counts AS MATERIALIZED (SELECT facet, key, sum(n)::bigint AS n FROM "
            f"{ListCount._meta.db_table} GROUP BY facet, key HAVING sum(n) <> 0)"
        )
    sql = f"WITH {', '.join(ctes)} " + " UNION ALL ".join(parts)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return _figures_from_rows(rows, ranked)


def _figures_from_rows(rows, ranked: bool) -> dict:
    keyed = {"lead_department": int, "tag": int, "department": int}
    facets = {name: {} for name in (*dict(COLUMN_FACETS), "tag", "department")}
    facets.update(deadline={"overdue": 0, "none": 0}, author=[], organization=[])
    total, ranked_ids = 0, [] if ranked else None
    for facet, key, label, n, ids in rows:
        if facet == "total":
            total = n
        elif facet == "ranked":
            ranked_ids = list(ids or [])
        elif facet in ("author", "organization"):
            facets[facet].append((int(key), label, n))
        else:
            facets[facet][keyed.get(facet, str)(key)] = n
    return {"count": total, "facets": facets, "ranked": ranked_ids}
