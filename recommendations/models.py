"""The domain: newspaper pages, their articles and authors, and the recommendation tree that
staff triage, assign and follow until a department answers it (see docs: domain.md)."""

from functools import partial

import pghistory
import pgtrigger
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    name = models.CharField(_("名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("部门")
        verbose_name_plural = _("部门")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("department_detail", args=[self.pk])


class User(AbstractUser):
    """A portal user; handlers belong to the department whose items they answer."""

    department = models.ForeignKey(
        Department,
        verbose_name=_("所属部门"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        full = f"{self.last_name}{self.first_name}".strip()
        return full or self.username

    def in_group(self, name: str) -> bool:
        # Group names are cached per request object to keep permission checks query-free.
        if not hasattr(self, "_group_names"):
            self._group_names = set(self.groups.values_list("name", flat=True))
        return self.is_superuser or name in self._group_names

    @property
    def is_portal_staff(self) -> bool:
        return self.in_group(ROLE_STAFF) or self.in_group(ROLE_ADMIN)

    @property
    def is_handler(self) -> bool:
        return self.department_id is not None and self.in_group(ROLE_HANDLER)


ROLE_VIEWER = "viewer"
ROLE_STAFF = "staff"
ROLE_HANDLER = "handler"
ROLE_ADMIN = "admin"


class Tag(models.Model):
    name = models.CharField(_("名称"), max_length=50, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("标签")
        verbose_name_plural = _("标签")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("tag_detail", args=[self.pk])


class Series(models.Model):
    title = models.CharField(_("标题"), max_length=200)
    subtitle = models.CharField(_("副题"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("系列")
        verbose_name_plural = _("系列")
        constraints = [
            models.UniqueConstraint(fields=["title", "subtitle"], name="series_unique_title")
        ]

    def __str__(self):
        return self.title


class Edition(models.Model):
    """One imported newspaper page, kept verbatim for provenance."""

    source_name = models.CharField(_("来源文件"), max_length=255, unique=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    # The page recognised by its text (recommendations.pagecheck.fingerprint), whatever its
    # file name or encoding; not unique, so that copies stored before it existed can stay.
    fingerprint = models.CharField(_("文本指纹"), max_length=64, blank=True, db_index=True)
    raw_text = models.TextField(_("原始文本"))
    encoding = models.CharField(_("编码"), max_length=20, default="utf-8")
    line_count = models.PositiveIntegerField(_("行数"), default=0)
    series = models.ForeignKey(
        Series,
        verbose_name=_("系列"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="editions",
    )
    installment = models.PositiveIntegerField(_("期次"), null=True, blank=True)
    published_on = models.DateField(_("出版日期"), null=True, blank=True)
    warnings = models.JSONField(_("导入提示"), default=list, blank=True)
    imported_at = models.DateTimeField(_("导入时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-published_on", "-imported_at"]
        verbose_name = _("版面")
        verbose_name_plural = _("版面")

    def __str__(self):
        if self.series_id and self.installment:
            return _("%(series)s 第%(n)s期(%(source)s)") % {
                "series": self.series,
                "n": self.installment,
                "source": self.source_name,
            }
        return self.source_name

    def source_line(self, number: int) -> str:
        lines = self.raw_text.splitlines()
        return lines[number - 1] if 0 < number <= len(lines) else ""


class Article(models.Model):
    class Kind(models.TextChoices):
        REFLECTION = "reflection", _("学员建言")
        NEWS = "news", _("新闻报道")

    edition = models.ForeignKey(
        Edition, verbose_name=_("版面"), on_delete=models.CASCADE, related_name="articles"
    )
    order = models.PositiveIntegerField(_("顺序"))
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=300)
    kicker = models.CharField(_("引题"), max_length=300, blank=True)
    subtitle = models.CharField(_("副题"), max_length=300, blank=True)
    in_series = models.BooleanField(_("属于系列"), default=False)
    blocks = models.JSONField(_("正文段落"), default=list, blank=True)
    photo_credits = ArrayField(
        models.CharField(max_length=100), verbose_name=_("图片来源"), default=list, blank=True
    )
    # Denormalised "张三" / "李四、王五" so that list rows need no byline query.
    author_names = models.CharField(_("作者"), max_length=200, blank=True)

    class Meta:
        ordering = ["edition", "order"]
        verbose_name = _("文章")
        verbose_name_plural = _("文章")
        constraints = [
            models.UniqueConstraint(fields=["edition", "order"], name="article_unique_order")
        ]
        # An import recognises a corrected page by its article titles (importer.plan): without
        # it every import read all articles, a cost growing with the archive.
        indexes = [models.Index(fields=["title"], name="article_title")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("article_detail", args=[self.pk])


class Person(models.Model):
    name = models.CharField(_("姓名"), max_length=50, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("人物")
        verbose_name_plural = _("人物")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("person_detail", args=[self.pk])


class Organization(models.Model):
    name = models.CharField(_("名称"), max_length=100, unique=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("对应部门"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organizations",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("单位")
        verbose_name_plural = _("单位")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("organization_detail", args=[self.pk])


class Affiliation(models.Model):
    person = models.ForeignKey(
        Person, verbose_name=_("人物"), on_delete=models.CASCADE, related_name="affiliations"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("单位"),
        on_delete=models.CASCADE,
        related_name="affiliations",
    )
    position = models.CharField(_("职务"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("任职")
        verbose_name_plural = _("任职")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organization", "position"], name="affiliation_unique"
            )
        ]

    def __str__(self):
        return f"{self.organization}{self.position} {self.person}"


class Byline(models.Model):
    class Role(models.TextChoices):
        AUTHOR = "author", _("作者")
        REPORTER = "reporter", _("记者")
        CORRESPONDENT = "correspondent", _("通讯员")

    article = models.ForeignKey(
        Article, verbose_name=_("文章"), on_delete=models.CASCADE, related_name="bylines"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("人物"), on_delete=models.PROTECT, related_name="bylines"
    )
    role = models.CharField(_("身份"), max_length=20, choices=Role.choices)
    order = models.PositiveIntegerField(_("顺序"), default=0)
    affiliations = models.ManyToManyField(
        Affiliation, verbose_name=_("署名单位"), blank=True, related_name="bylines"
    )

    class Meta:
        ordering = ["article", "order"]
        verbose_name = _("署名")
        verbose_name_plural = _("署名")
        constraints = [
            models.UniqueConstraint(fields=["article", "person", "role"], name="byline_unique")
        ]

    def __str__(self):
        return f"{self.get_role_display()} {self.person}"


class RecommendationQuerySet(models.QuerySet):
    def sections(self):
        return self.filter(depth=1)

    def items(self):
        return self.filter(depth=2)

    def sub_items(self):
        return self.filter(depth=3)

    def open(self):
        return self.exclude(status__in=Recommendation.CLOSED_STATUSES)

    def running(self):
        """Items whose deadline runs: open and not awaiting staff's review (docs/workflow.md)."""
        return self.exclude(status__in=Recommendation.CLOCK_STOPPED_STATUSES)

    def overdue(self, today=None):
        return self.filter(Recommendation.late(today))

    def due_within(self, days: int, today=None):
        today = today or timezone.localdate()
        return self.running().filter(
            deadline__gte=today, deadline__lte=today + timezone.timedelta(days=days)
        )

    def follow_up_due(self, today=None):
        """Answered B ("being solved or planned") whose promised date has come: 待跟踪."""
        today = today or timezone.localdate()
        return self.filter(
            status=Recommendation.Status.ANSWERED,
            answer_category=Recommendation.AnswerCategory.B,
            promised_on__lte=today,
        )

    def for_department(self, department):
        """Items the department leads or co-handles."""
        return self.filter(Q(lead_department=department) | Q(co_departments=department)).distinct()

    def led_by(self, department):
        return self.filter(lead_department=department)

    def awaiting_triage(self):
        return self.points().filter(status=Recommendation.Status.NEW)

    def points(self):
        """The requests themselves: what dashboards, lists and statistics count."""
        return self.filter(is_container=False)

    def containers(self):
        """Sections that only group their points (see docs/workflow.md)."""
        return self.filter(is_container=True)

    def points_under(self, container):
        """The points below `container` (the tree is at most three levels deep). The grandchildren
        are those whose parent is the container or one of its children, one IN over those ids:
        an OR across a join (or with a subquery) could use no index and scanned the whole table
        on every cold container page (~100,000 rows, 160-300 ms)."""
        parents = Recommendation.objects.filter(Q(pk=container.pk) | Q(parent=container))
        return self.points().filter(parent_id__in=parents.values("pk"))

    def current(self):
        """Items still present in their source page (not dropped by a corrected re-import)."""
        return self.filter(in_source=True)

    def in_work(self):
        """Current items, and those dropped from their source while in handling: they stay in
        their department's work until staff close them out (docs/workflow.md)."""
        return self.filter(Q(in_source=True) | Q(status__in=Recommendation.WORKING_STATUSES))

    def with_list_relations(self):
        return self.select_related("article", "lead_department").prefetch_related("tags")

    def handled(self):
        """Items that staff or a department have worked on: handled, tagged, commented, or with
        any recorded change after their import. Their page cannot be deleted."""
        mine = OuterRef("pk")
        event = partial(apps.get_model, "recommendations")  # made by pghistory.track below
        history = [
            event("RecommendationEvent")
            .objects.filter(pgh_obj_id=mine)
            .exclude(pgh_label="created"),
            event("RecommendationTagEvent").objects.filter(recommendation_id=mine),
            event("CoDepartmentEvent").objects.filter(recommendation_id=mine),
            Comment.objects.filter(recommendation_id=mine),
        ]
        condition = (
            ~Q(status=Recommendation.Status.NEW)
            | Q(lead_department__isnull=False)
            | Q(deadline__isnull=False)
        )
        for rows in history:
            condition |= Exists(rows)
        return self.filter(condition)


def protect_handled(collector, field, sub_objs, using):
    """on_delete for an article's items: deleting a page or an article takes its items with it
    (CASCADE) unless one of them has handling, comments or history (then PROTECT)."""
    items = Recommendation.objects.filter(pk__in=[obj.pk for obj in sub_objs])
    handled = list(items.handled().select_related("article"))
    if handled:
        raise models.ProtectedError(
            _("不能删除:其中有 %(n)s 条建议已在办理或有办理记录。") % {"n": len(handled)},
            handled,
        )
    models.CASCADE(collector, field, sub_objs, using)


SEARCH_DOCUMENT_TABLE = "recommendations_searchdocument"
# One search document from a recommendation row (as NEW in the trigger, or a table alias in the
# migration that fills the table): what SearchDocument's columns hold, in their order.
SEARCH_DOCUMENT_ROW = (
    '{row}.id, {row}.article_id, {row}."order", lower(normalize({row}.heading, NFKC)), '
    "strip(to_tsvector('simple', {row}.search_words)), to_tsvector('simple', {row}.search_chars)"
)


_SEARCH_DOCUMENT_UPSERT = """ON CONFLICT (recommendation_id) DO UPDATE SET
                    article_id = EXCLUDED.article_id, "order" = EXCLUDED."order",
                    heading = EXCLUDED.heading, words = EXCLUDED.words, chars = EXCLUDED.chars"""


class Recommendation(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("待研判")
        NOT_ACTIONABLE = "not_actionable", _("无需办理")
        ASSIGNED = "assigned", _("已交办")
        IN_PROGRESS = "in_progress", _("办理中")
        REVIEW = "review", _("待审核")
        ANSWERED = "answered", _("已办结")

    class AnswerCategory(models.TextChoices):
        A = "A", _("A 已采纳或已解决")
        B = "B", _("B 正在解决或列入计划")
        C = "C", _("C 留作参考")
        N = "N", _("N 不予采纳")

    CLOSED_STATUSES = (Status.ANSWERED, Status.NOT_ACTIONABLE)
    ASSIGNED_STATUSES = (Status.ASSIGNED, Status.IN_PROGRESS, Status.REVIEW, Status.ANSWERED)
    # The department works on the item (a reply submitted for review is out of its hands).
    HANDLING_STATUSES = (Status.ASSIGNED, Status.IN_PROGRESS)
    # No deadline runs: the item is closed, or its answer awaits staff's review (the department
    # has answered; the clock is staff's now), so it is neither overdue nor due soon.
    CLOCK_STOPPED_STATUSES = (*CLOSED_STATUSES, Status.REVIEW)
    # Assigned and not closed: a department holds the item or staff review its answer.
    WORKING_STATUSES = (Status.ASSIGNED, Status.IN_PROGRESS, Status.REVIEW)

    article = models.ForeignKey(
        Article,
        verbose_name=_("文章"),
        on_delete=protect_handled,
        related_name="recommendations",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        # Deleting a section takes its items with it only while none of them is handled.
        on_delete=protect_handled,
        null=True,
        blank=True,
        related_name="children",
    )
    number = models.CharField(_("编号"), max_length=20, help_text=_("树中位置,如 2.3.1"))
    order = models.PositiveIntegerField(_("顺序"), default=0)
    depth = models.PositiveSmallIntegerField(_("层级"), default=1)
    marker = models.CharField(_("序号"), max_length=20, blank=True)
    # "一、2": the section's printed marker, then the item's position, for list rows.
    place = models.CharField(_("位置"), max_length=40, blank=True)
    heading = models.CharField(_("要点"), max_length=500)
    text = models.TextField(_("正文"))
    source_lines = ArrayField(
        models.PositiveIntegerField(), verbose_name=_("原文行号"), default=list, blank=True
    )
    # A numbered section that only groups its points is a container: not triaged, not assigned
    # by default, shown with the roll-up of its points. Staff may turn either into the other.
    is_container = models.BooleanField(
        _("分组条目"),
        default=False,
        help_text=_("只起分组作用的章节,本身不作为一条建议办理;其下的要点才计入统计。"),
    )
    in_source = models.BooleanField(
        _("仍在原文中"),
        default=True,
        help_text=_("更正后的版面重新导入时已不再出现的条目会被标记,而不是删除。"),
    )

    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.NEW)
    status_note = models.TextField(_("状态说明"), blank=True)
    lead_department = models.ForeignKey(
        Department,
        verbose_name=_("主办部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_recommendations",
    )
    co_departments = models.ManyToManyField(
        Department,
        verbose_name=_("协办部门"),
        through="CoDepartment",
        blank=True,
        related_name="co_recommendations",
    )
    deadline = models.DateField(_("办理期限"), null=True, blank=True)
    # When the current lead department got the item: the receipt, return and extension windows
    # count from here (handling/rules.py).
    assigned_at = models.DateTimeField(_("交办时间"), null=True, blank=True)
    # 1, or 2 once the author's 不满意 reopened the item for a second answer.
    answer_round = models.PositiveSmallIntegerField(_("办理轮次"), default=1)
    # A B answer ("being solved or planned") promises a date; from then on it is followed up.
    promised_on = models.DateField(_("承诺完成日期"), null=True, blank=True)
    answer_category = models.CharField(
        _("答复类别"), max_length=1, choices=AnswerCategory.choices, blank=True
    )
    reply = models.TextField(_("答复内容"), blank=True)
    answered_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    tags = models.ManyToManyField(
        Tag,
        verbose_name=_("标签"),
        through="RecommendationTag",
        blank=True,
        related_name="recommendations",
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    # Search: Chinese is tokenised in Python (recommendations/search.py) because PostgreSQL's
    # parser does not segment it. The tokens live here; their vectors and GIN indexes live in
    # the narrow SearchDocument table, kept current by the trigger below.
    search_words = models.TextField(editable=False, blank=True, default="")
    search_chars = models.TextField(editable=False, blank=True, default="")

    objects = RecommendationQuerySet.as_manager()

    class Meta:
        ordering = ["article_id", "order"]
        verbose_name = _("建议")
        verbose_name_plural = _("建议")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "number"], name="recommendation_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(depth__gte=1) & Q(depth__lte=3), name="recommendation_depth_range"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["assigned", "in_progress", "review", "answered"])
                | Q(lead_department__isnull=False),
                name="recommendation_assigned_has_lead",
                violation_error_message=_("交办、办理中、待审核或已办结的建议必须有主办部门。"),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["review", "answered"])
                | (~Q(answer_category="") & ~Q(reply="")),
                name="recommendation_answered_has_reply",
                violation_error_message=_("待审核或已办结的建议必须有答复类别和答复内容。"),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "deadline"], name="rec_status_deadline"),
            models.Index(fields=["lead_department", "status"], name="rec_lead_status"),
            models.Index(fields=["depth", "status"], name="rec_depth_status"),
            models.Index(fields=["answer_category"], name="rec_answer_category"),
            models.Index(fields=["-updated_at"], name="rec_updated"),
            # Covers the dashboard's and the list facets' GROUP BYs over current items, so they
            # are answered from the index alone instead of reading every row. is_container is
            # included because lists and figures count points only: without it every such scan
            # fetched the 2 KB heap row of each item to read one boolean (1.5-2.5 s at 100,000).
            # assigned_at and promised_on let the dashboard's step cards (handling/queries.py
            # condition()) count from the index too.
            models.Index(
                fields=["status", "depth", "lead_department", "answer_category", "deadline"],
                include=["id", "article", "is_container", "assigned_at", "promised_on"],
                condition=Q(in_source=True),
                name="rec_current_facets",
            ),
            models.Index(fields=["id"], condition=Q(in_source=False), name="rec_removed"),
            # The list's default order (the printed order, pk last as the list sorts), so a
            # deep page is an index walk rather than a sort; with is_container included, the
            # walk over the skipped rows of a deep page reads the index alone (PagedRows).
            models.Index(
                fields=["article", "order", "id"],
                include=["is_container"],
                condition=Q(in_source=True),
                name="rec_current_printed_order",
            ),
        ]
        # The database's own guard, whatever path the delete takes (QuerySet.delete(), SQL): an
        # item with handling, links, comments or any change after its import is never deleted.
        # RecommendationQuerySet.handled() is the same rule for Django's on_delete and the admin.
        triggers = [
            pgtrigger.Trigger(
                name="handled_is_never_deleted",
                when=pgtrigger.Before,
                operation=pgtrigger.Delete,
                func="""
                IF OLD.status <> 'new' OR OLD.lead_department_id IS NOT NULL
                   OR OLD.deadline IS NOT NULL
                   OR EXISTS (SELECT 1 FROM recommendations_recommendationevent
                              WHERE pgh_obj_id = OLD.id AND pgh_label <> 'created')
                   OR EXISTS (SELECT 1 FROM recommendations_recommendationtagevent
                              WHERE recommendation_id = OLD.id)
                   OR EXISTS (SELECT 1 FROM recommendations_codepartmentevent
                              WHERE recommendation_id = OLD.id)
                   OR EXISTS (SELECT 1 FROM recommendations_comment
                              WHERE recommendation_id = OLD.id) THEN
                    RAISE EXCEPTION 'recommendation % has handling or history: not deleted', OLD.id
                        USING ERRCODE = 'restrict_violation';
                END IF;
                RETURN OLD;
                """,
            ),
            # The search document follows its item on every path (save, bulk_create,
            # bulk_update, COPY, QuerySet.update, SQL), as the generated columns it replaces
            # did. Statement-level: one INSERT … SELECT (or DELETE) per statement from its
            # transition tables, instead of a PL/pgSQL call and a one-row upsert per item,
            # which was a third of the database's time for an imported page. PostgreSQL
            # allows no column list with transition tables, so the UPDATE trigger fires on
            # every update of items and writes only the rows whose searched columns changed.
            pgtrigger.Trigger(
                name="search_document_insert",
                when=pgtrigger.After,
                operation=pgtrigger.Insert,
                level=pgtrigger.Statement,
                referencing=pgtrigger.Referencing(new="new_rows"),
                func=f"""
                INSERT INTO {SEARCH_DOCUMENT_TABLE}
                    (recommendation_id, article_id, "order", heading, words, chars)
                SELECT {SEARCH_DOCUMENT_ROW.format(row="new_rows")} FROM new_rows
                {_SEARCH_DOCUMENT_UPSERT};
                RETURN NULL;
                """,
            ),
            pgtrigger.Trigger(
                name="search_document_update",
                when=pgtrigger.After,
                operation=pgtrigger.Update,
                level=pgtrigger.Statement,
                referencing=pgtrigger.Referencing(old="old_rows", new="new_rows"),
                func=f"""
                INSERT INTO {SEARCH_DOCUMENT_TABLE}
                    (recommendation_id, article_id, "order", heading, words, chars)
                SELECT {SEARCH_DOCUMENT_ROW.format(row="n")}
                FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE (n.heading, n.search_words, n.search_chars, n.article_id, n."order")
                    IS DISTINCT FROM
                    (o.heading, o.search_words, o.search_chars, o.article_id, o."order")
                {_SEARCH_DOCUMENT_UPSERT};
                RETURN NULL;
                """,
            ),
            pgtrigger.Trigger(
                name="search_document_delete",
                when=pgtrigger.After,
                operation=pgtrigger.Delete,
                level=pgtrigger.Statement,
                referencing=pgtrigger.Referencing(old="old_rows"),
                func=f"""
                DELETE FROM {SEARCH_DOCUMENT_TABLE}
                WHERE recommendation_id IN (SELECT id FROM old_rows);
                RETURN NULL;
                """,
            ),
        ]

    def __str__(self):
        return f"{self.article.author_names or self.article.title} · {self.place or self.number} {self.heading}"

    def save(self, *args, **kwargs):
        self.refresh_search_tokens()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"heading", "text"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_words", "search_chars"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("recommendation_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.parent_id is not None and self.pk is not None:
            if self.parent_id == self.pk or self.parent_id in self.descendant_ids():
                raise ValidationError({"parent": _("上级不能是本条建议或它的下级条目。")})

    def descendant_ids(self) -> set[int]:
        """The pks below this item, one query per level (a tree is at most three deep)."""
        found, level = set(), {self.pk}
        while level:
            level = set(
                Recommendation.objects.filter(parent_id__in=level)
                .exclude(pk__in=found)
                .values_list("pk", flat=True)
            )
            found |= level
        return found

    def refresh_search_tokens(self):
        from recommendations.search import tokens_for_document

        self.search_words, self.search_chars = tokens_for_document(self.heading, self.text)

    @staticmethod
    def late(today=None) -> Q:
        """The one condition "overdue" (已逾期) for every list, count, card and reminder."""
        today = today or timezone.localdate()
        return Q(deadline__lt=today) & ~Q(status__in=Recommendation.CLOCK_STOPPED_STATUSES)

    @property
    def is_overdue(self) -> bool:
        return (
            self.deadline is not None
            and self.status not in self.CLOCK_STOPPED_STATUSES
            and self.deadline < timezone.localdate()
        )


class SearchDocument(models.Model):
    """What a search reads of an item, one narrow row per recommendation, written only by the
    recommendation's triggers (search_document_insert, _update, _delete).

    A search for a common word matches a quarter of the archive. Reading those matches from
    the 2 KB recommendation rows, each with its vectors out of line in TOAST, cost ~130,000
    buffers at 100,000 items; these rows hold only what matching, ranking and its tie-break
    need (the table keeps them inline and uncompressed, see migration 0015), and the list's
    other columns come from the covering index rec_current_facets.
    """

    recommendation = models.OneToOneField(
        Recommendation,
        primary_key=True,
        on_delete=models.DO_NOTHING,  # the trigger deletes the document with its item
        db_constraint=False,
        related_name="search_document",
    )
    # Copies of the item's own columns: a search's match (signed by a name) and its ranking
    # (the printed order breaks ties) are then answered from this table and the index alone.
    article_id = models.BigIntegerField(db_index=True)
    order = models.PositiveIntegerField()
    heading = models.TextField()  # normalised: lower(normalize(heading, NFKC))
    # Both unweighted: a weight in the query would make PostgreSQL recheck every candidate.
    # words: jieba's words without positions (a words match is in any order);
    # chars: bigrams with positions (phrases), then the single characters.
    words = SearchVectorField()
    chars = SearchVectorField()

    class Meta:
        db_table = SEARCH_DOCUMENT_TABLE
        indexes = [
            GinIndex(fields=["words"], name="rec_search_words"),
            GinIndex(fields=["chars"], name="rec_search_chars"),
        ]

    def __str__(self):
        return self.heading


class RecommendationTag(models.Model):
    recommendation = models.ForeignKey(
        Recommendation, verbose_name=_("建议"), on_delete=models.CASCADE, related_name="tag_links"
    )
    tag = models.ForeignKey(
        Tag, verbose_name=_("标签"), on_delete=models.CASCADE, related_name="recommendation_links"
    )

    class Meta:
        verbose_name = _("建议标签")
        verbose_name_plural = _("建议标签")
        constraints = [
            models.UniqueConstraint(fields=["recommendation", "tag"], name="rectag_unique")
        ]
        # Moved to another item, a link would vanish from the first item's history.
        triggers = [
            pgtrigger.Protect(
                name="rectag_stays_on_its_item",
                operation=pgtrigger.Update,
                condition=pgtrigger.AnyChange("recommendation"),
            )
        ]

    def __str__(self):
        return f"{self.tag}"


class CoDepartment(models.Model):
    recommendation = models.ForeignKey(
        Recommendation,
        verbose_name=_("建议"),
        on_delete=models.CASCADE,
        related_name="co_department_links",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("部门"),
        on_delete=models.PROTECT,
        related_name="co_department_links",
    )

    class Meta:
        verbose_name = _("协办部门")
        verbose_name_plural = _("协办部门")
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "department"], name="codepartment_unique"
            )
        ]
        triggers = [
            pgtrigger.Protect(
                name="codepartment_stays_on_its_item",
                operation=pgtrigger.Update,
                condition=pgtrigger.AnyChange("recommendation"),
            )
        ]

    def __str__(self):
        return f"{self.department}"


class Comment(models.Model):
    recommendation = models.ForeignKey(
        Recommendation, verbose_name=_("建议"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("作者"),
        on_delete=models.PROTECT,
        related_name="comments",
    )
    body = models.TextField(_("内容"))
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("评论")
        verbose_name_plural = _("评论")
        # Append-only: an edit of the text is recorded (its old text stays in history); a
        # comment is never deleted, moved to another item or given another author.
        triggers = [
            pgtrigger.Protect(name="comment_is_never_deleted", operation=pgtrigger.Delete),
            pgtrigger.Protect(
                name="comment_keeps_its_place",
                operation=pgtrigger.Update,
                condition=pgtrigger.AnyChange("recommendation", "author", "created_at"),
            ),
        ]

    def __str__(self):
        return f"{self.author}: {self.body[:30]}"


# History is written by database triggers (django-pghistory), so a change made through a view, a
# bulk action, the admin, the importer or a bare QuerySet.update() is recorded alike. Each row
# is a snapshot of the handling fields; the previous snapshot gives the old value.
TRACKED_FIELDS = [
    "heading",  # a re-import or an admin correction of the printed text is history too
    "text",
    "status",
    "status_note",
    "lead_department",
    "deadline",
    "answer_category",
    "reply",
    "is_container",
    "promised_on",
    "answer_round",
    # A corrected re-import that no longer prints the item (or prints it again) is history too:
    # an item in handling must not lose its source without a trace (docs/workflow.md).
    "in_source",
]


def _name_at_the_time(column: str, table: str, key: str) -> dict:
    """An event table's column holding a related row's name as it was when the event was
    written, so that renaming a tag or a department later does not rewrite old entries."""
    return {
        "triggers": [
            pgtrigger.Trigger(
                name=f"{column}_at_the_time",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert,
                # No key, no name (the column stays NULL): an imported item has no lead
                # department, and a page's ~40 creation events then skip the call.
                condition=pgtrigger.Condition(f"NEW.{key} IS NOT NULL"),
                func=f"NEW.{column} := (SELECT name FROM {table} WHERE id = NEW.{key}); RETURN NEW;",
            )
        ]
    }


def _name_column(label):
    return models.CharField(label, max_length=100, null=True, blank=True, editable=False)


# Every event table is append-only (pghistory's Protect trigger): history is never rewritten.
# The items' triggers are statement-level: one INSERT … SELECT of events from the statement's
# transition tables (the UPDATE's condition joins old and new rows by id), with the context
# attached once. A row-level trigger ran two PL/pgSQL functions per row, each with an EXCEPTION
# block (a subtransaction), and upserted the context for every row; that was a third of an
# import's INSERT time and slows every bulk update of items likewise.
pghistory.track(
    pghistory.InsertEvent("created"),
    pghistory.UpdateEvent("changed", condition=pghistory.AnyChange(*TRACKED_FIELDS)),
    fields=TRACKED_FIELDS,
    model_name="RecommendationEvent",
    level=pghistory.Statement,
    append_only=True,
    attrs={"lead_department_name": _name_column(_("主办部门名称"))},
    meta=_name_at_the_time(
        "lead_department_name", "recommendations_department", "lead_department_id"
    ),
)(Recommendation)
pghistory.track(
    pghistory.InsertEvent("added"),
    pghistory.UpdateEvent("changed", condition=pghistory.AnyChange("tag")),
    pghistory.DeleteEvent("removed"),
    model_name="RecommendationTagEvent",
    obj_field=pghistory.ObjForeignKey(related_name="events", db_constraint=False),
    append_only=True,
    attrs={"tag_name": _name_column(_("标签名称"))},
    meta=_name_at_the_time("tag_name", "recommendations_tag", "tag_id"),
)(RecommendationTag)
pghistory.track(
    pghistory.InsertEvent("added"),
    pghistory.UpdateEvent("changed", condition=pghistory.AnyChange("department")),
    pghistory.DeleteEvent("removed"),
    model_name="CoDepartmentEvent",
    obj_field=pghistory.ObjForeignKey(related_name="events", db_constraint=False),
    append_only=True,
    attrs={"department_name": _name_column(_("部门名称"))},
    meta=_name_at_the_time("department_name", "recommendations_department", "department_id"),
)(CoDepartment)
pghistory.track(
    pghistory.InsertEvent("added"),
    pghistory.UpdateEvent("edited", condition=pghistory.AnyChange("body")),
    model_name="CommentEvent",
    append_only=True,
)(Comment)


class ListCount(models.Model):
    """The unfiltered list's figures (current points) per facet value, kept by the database.

    Statement-level triggers on the items, their tags and their co-departments (migration
    0014_list_counts) add one row of differences per changed (facet, key) to this table in the
    writing transaction itself, so every path (views, admin, importer, bulk, jobs, a bare
    QuerySet.update()) is counted alike and a reader's snapshot sees counts that match exactly
    the rows it can see. Rows are only ever added, never updated, so concurrent writers take no
    row locks here (a counter row per value would make every transition of one status queue
    behind the others until they commit, and could deadlock); a figure is the sum of its
    rows. `compact()` folds them into one row per (facet, key) now and then.

    facet: total ('' key), status, level, answer_category, lead_department, deadline ('none'),
    tag, department (lead or co, each item once) and article (the author and organisation
    facets sum their articles' counts)."""

    facet = models.CharField(max_length=20)
    key = models.CharField(max_length=40, blank=True)
    n = models.BigIntegerField()

    class Meta:
        verbose_name = _("列表计数")
        verbose_name_plural = _("列表计数")
        default_permissions = ()

    def __str__(self):
        return f"{self.facet}:{self.key} {self.n:+d}"

    @classmethod
    def compact(cls) -> int:
        """Fold the rows of each (facet, key) into one (dropping those that sum to nothing);
        returns how many rows it folded. Safe beside concurrent writers and another compaction:
        it takes only rows committed before it started, and sums exactly those. Run every few
        minutes by the worker (recommendations/tasks.py)."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT portal_compact_list_counts()")
            return cursor.fetchone()[0]

    @classmethod
    def rebuild(cls) -> int:
        """Count everything again from the items, in one statement (migration 0022); returns
        the number of rows. Also run by the database itself after a TRUNCATE."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT portal_rebuild_list_counts()")
            return cursor.fetchone()[0]
