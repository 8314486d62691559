"""The unfiltered list's figures kept by the database (ListCount, migration 0014): after writes
through every path they equal what the items say, and the list's figures read from them equal
those computed over the whole match."""

import datetime
import importlib
import random
import threading
from collections import Counter

import pytest
from django.db import connection, connections, transaction
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from ui_helpers import assigned, make_article, make_rec

from recommendations import filters
from recommendations.models import (
    CoDepartment,
    Department,
    ListCount,
    Organization,
    Person,
    Recommendation,
    RecommendationTag,
    Tag,
)
from tests.test_import_command import CORRECTED, PAGE, run, write

pytestmark = pytest.mark.django_db


def kept() -> Counter:
    """What ListCount says: the sum of its rows per (facet, key), zeros left out."""
    sums = Counter()
    for facet, key, n in ListCount.objects.values_list("facet", "key", "n"):
        sums[(facet, key)] += n
    return +sums


def actual() -> Counter:
    """The same figures counted from the items themselves, in Python."""
    stopped = {str(s) for s in Recommendation.CLOCK_STOPPED_STATUSES}
    tags, codepts = {}, {}
    for rec, tag in RecommendationTag.objects.values_list("recommendation_id", "tag_id"):
        tags.setdefault(rec, []).append(tag)
    for rec, dept in CoDepartment.objects.values_list("recommendation_id", "department_id"):
        codepts.setdefault(rec, set()).add(dept)
    counts = Counter()
    columns = ("id", "status", "depth", "answer_category", "lead_department_id", "deadline")
    for row in Recommendation.objects.current().points().values(*columns, "article_id"):
        counts[("total", "")] += 1
        counts[("status", row["status"])] += 1
        counts[("level", str(row["depth"]))] += 1
        counts[("answer_category", row["answer_category"])] += 1
        counts[("article", str(row["article_id"]))] += 1
        if row["lead_department_id"] is not None:
            counts[("lead_department", str(row["lead_department_id"]))] += 1
        if row["deadline"] is None:
            counts[("deadline", "none")] += 1
        elif row["status"] not in stopped:
            counts[("open_deadline", row["deadline"].isoformat())] += 1
        for tag in tags.get(row["id"], ()):
            counts[("tag", str(tag))] += 1
        departments = codepts.get(row["id"], set()) | {row["lead_department_id"]}
        for dept in departments - {None}:
            counts[("department", str(dept))] += 1
    # The paired facets again per status (migration 0018).
    return +(counts + paired_by_status())


def paired_by_status() -> Counter:
    counts = Counter()
    points = Recommendation.objects.current().points()
    status_of = dict(points.values_list("id", "status"))
    for rec, tag in RecommendationTag.objects.filter(recommendation__in=points).values_list(
        "recommendation_id", "tag_id"
    ):
        counts[("s:tag", f"{status_of[rec]}:{tag}")] += 1
    departments = {}
    for rec, lead, depth, category in points.values_list(
        "id", "lead_department_id", "depth", "answer_category"
    ):
        status = status_of[rec]
        counts[("s:level", f"{status}:{depth}")] += 1
        counts[("s:answer_category", f"{status}:{category}")] += 1
        if lead is not None:
            counts[("s:lead_department", f"{status}:{lead}")] += 1
            departments.setdefault(rec, set()).add(lead)
    for rec, dept in CoDepartment.objects.filter(recommendation__in=points).values_list(
        "recommendation_id", "department_id"
    ):
        departments.setdefault(rec, set()).add(dept)
    for rec, depts in departments.items():
        for dept in depts:
            counts[("s:department", f"{status_of[rec]}:{dept}")] += 1
    return counts


def test_the_migration_knows_which_statuses_stop_the_clock():
    migration = importlib.import_module("recommendations.migrations.0014_list_counts")
    written = {s.strip().strip("'") for s in migration.CLOCK_STOPPED.split(",")}
    assert written == {str(s) for s in Recommendation.CLOCK_STOPPED_STATUSES}


def test_an_import_and_a_corrected_reimport_are_counted(tmp_path):
    run(write(tmp_path, "page.txt", PAGE))
    assert kept()[("total", "")] == Recommendation.objects.current().points().count() > 0
    assert kept() == actual()
    # The corrected page drops a point (kept, marked as no longer printed) and adds a section.
    run(write(tmp_path, "page.txt", CORRECTED))
    assert Recommendation.objects.filter(in_source=False).exists()
    assert kept() == actual()


def test_every_kind_of_write_is_counted(edition, item, tag, lead_department, other_department):
    article = make_article(edition, order=2, author="李四", organization="区教委")
    other_tag = Tag.objects.exclude(pk=tag.pk).first()
    late = make_rec(article, "1", "逾期", tags=[tag], **assigned(lead_department, days=-5))
    soon = make_rec(article, "2", "即将到期", co=[lead_department], **assigned(other_department))
    assert kept() == actual()

    # A model save, a bare QuerySet.update() of many rows, an update of nothing that counts.
    late.status = Recommendation.Status.IN_PROGRESS
    late.save()
    Recommendation.objects.filter(pk__in=[item.pk, soon.pk]).update(
        status=Recommendation.Status.NOT_ACTIONABLE
    )
    Recommendation.objects.update(status_note="备注")
    assert kept() == actual()

    # Tags and co-departments, added and removed by the ORM's m2m and by their rows; a
    # co-department that is also the lead department; the lead moving onto a co-department.
    item.tags.add(tag)
    late.tags.remove(tag)
    RecommendationTag.objects.filter(recommendation=item, tag=tag).update(tag=other_tag)
    CoDepartment.objects.create(recommendation=late, department=lead_department)
    CoDepartment.objects.create(recommendation=late, department=other_department)
    Recommendation.objects.filter(pk=late.pk).update(lead_department=other_department)
    assert kept() == actual()
    CoDepartment.objects.filter(recommendation=late).delete()
    assert kept() == actual()

    # A section turned into a container, an item dropped from the source, a new deadline, a
    # deletion (links first, as Django deletes them).
    Recommendation.objects.filter(pk=soon.pk).update(is_container=True)
    Recommendation.objects.filter(pk=item.pk).update(in_source=False)
    Recommendation.objects.filter(pk=late.pk).update(deadline=timezone.localdate())
    fresh = make_rec(article, "3", "新条目")
    assert kept() == actual()
    fresh.delete()  # an item with links or handling is never deleted
    assert kept() == actual()


def test_random_writes_keep_the_counts(edition, item, tag):
    rng = random.Random(20261202)
    article = make_article(edition, order=2)
    departments = list(Department.objects.all()[:4])
    all_tags = list(Tag.objects.all()[:4])
    # The states that need nothing but a lead department (the others need an answer).
    statuses = ["new", "not_actionable", "assigned", "in_progress"]
    recs = [make_rec(article, str(n), f"要点{n}") for n in range(1, 13)]
    for _step in range(60):
        rec = rng.choice(recs)
        action = rng.randrange(6)
        if action == 0:
            Recommendation.objects.filter(pk=rec.pk).update(
                status=rng.choice(statuses),
                lead_department=rng.choice(departments),
                deadline=rng.choice(
                    [None, timezone.localdate() + datetime.timedelta(days=rng.randint(-9, 9))]
                ),
            )
        elif action == 1:
            rec.tags.add(rng.choice(all_tags))
        elif action == 2:
            rec.tags.remove(rng.choice(all_tags))
        elif action == 3:
            CoDepartment.objects.get_or_create(
                recommendation=rec, department=rng.choice(departments)
            )
        elif action == 4:
            CoDepartment.objects.filter(
                recommendation=rec, department=rng.choice(departments)
            ).delete()
        else:
            Recommendation.objects.filter(pk=rec.pk).update(
                in_source=rng.random() < 0.8, is_container=rng.random() < 0.2
            )
    assert kept() == actual()


def test_compaction_keeps_the_sums_in_one_row_each(edition, item, tag):
    article = make_article(edition, order=2)
    rec = make_rec(article, "1", "要点", lead_department=Department.objects.first())
    for status in ("assigned", "in_progress", "new", "assigned"):
        Recommendation.objects.filter(pk=rec.pk).update(status=status)
    before = kept()
    rows = ListCount.objects.count()
    folded = ListCount.compact()
    assert 0 < folded < rows  # only the keys with several rows are rewritten
    assert kept() == before == actual()
    assert ListCount.compact() == 0
    facet_keys = list(ListCount.objects.values_list("facet", "key"))
    assert len(facet_keys) == len(set(facet_keys)) == len(before)


@pytest.mark.django_db(transaction=True)
def test_compaction_leaves_a_concurrent_writers_rows_alone(committed_db, edition, item):
    """A writer whose transaction is still open when a compaction runs: its rows survive the
    compaction and count once it commits."""
    article = make_article(edition, order=2)
    rec = make_rec(article, "1", "要点", lead_department=Department.objects.first())
    written, go_on = threading.Event(), threading.Event()

    def writer():
        try:
            with transaction.atomic():
                Recommendation.objects.filter(pk=rec.pk).update(status="assigned")
                written.set()
                go_on.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    assert written.wait(10)
    ListCount.compact()
    go_on.set()
    thread.join(10)
    assert kept() == actual()
    assert kept()[("status", "assigned")] == 1


@pytest.fixture
def world(edition, item, tag, lead_department, other_department):
    other = make_article(edition, order=2, author="李四", organization="区教委")
    make_rec(other, "1", "逾期的条目", tags=[tag], **assigned(lead_department, days=-5))
    make_rec(other, "2", "即将到期", co=[lead_department], **assigned(other_department, days=3))
    make_rec(
        other,
        "3",
        "已审核",
        status=Recommendation.Status.REVIEW,
        deadline=timezone.localdate(),
        lead_department=lead_department,
        answer_category="A",
        reply="已落实",
    )
    make_rec(other, "4", "已移除", in_source=False, tags=[tag])
    make_rec(other, "5", "分组", is_container=True, tags=[tag])


def _params(tag, lead_department):
    person, organization = Person.objects.first(), Organization.objects.first()
    return [
        "",
        "page=2&sort=status",
        "status=assigned",
        f"status=assigned&tag={tag.pk}",
        f"tag={tag.pk}",
        f"department={lead_department.pk}",
        f"department={lead_department.pk}&deadline=overdue",
        "deadline=overdue",
        "deadline=none&level=2",
        f"author={person.pk}",
        f"organization={organization.pk}&status=new",
        f"lead_department={lead_department.pk}&answer_category=A&status=answered",
        # A status and one paired facet: both facets' own counts kept per status.
        f"status=assigned&department={lead_department.pk}",
        f"status=assigned&lead_department={lead_department.pk}",
        "status=answered&answer_category=A",
        "status=new&level=2",
        f"tag={tag.pk}&status=not_actionable",
        # Not the whole list: due today (0, which Python takes for False), removed items.
        "due=0",
        "due=0&status=assigned",
        "removed=on",
        f"kind=all&tag={tag.pk}",
    ]


def test_the_kept_figures_equal_those_counted_over_the_match(
    world, tag, lead_department, monkeypatch
):
    def figures(params, plain):
        monkeypatch.setattr(filters, "_plain", plain)
        queryset = Recommendation.objects.all()
        return filters.list_figures(filters.RecommendationFilter(QueryDict(params), queryset))

    kept_plain = filters._plain
    for params in _params(tag, lead_department):
        assert figures(params, kept_plain) == figures(params, lambda cleaned: False), params


def test_the_unfiltered_list_reads_no_item_row(world):
    """All of its figures come from ListCount, in one statement that names no item table."""
    filterset = filters.RecommendationFilter(QueryDict(""), Recommendation.objects.all())
    with CaptureQueriesContext(connection) as queries:
        figures = filters.list_figures(filterset)
    assert figures["count"] == Recommendation.objects.current().points().count() == 5
    assert len(queries) == 1
    assert Recommendation._meta.db_table not in queries[0]["sql"]


def test_the_worker_compacts_them_every_few_minutes():
    from procrastinate.contrib.django import app

    from notifications.job_admin import task_label
    from recommendations import tasks

    periodic = {p.task.name: p for p in app.periodic_registry.periodic_tasks.values()}
    assert periodic["recommendations.compact_list_counts"].cron == "*/5 * * * *"
    assert tasks.compact_list_counts.queue == "periodic"
    assert task_label("recommendations.compact_list_counts") == "合并列表计数"


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_compaction(committed_db, edition, item):
    from recommendations import tasks
    from tests.job_helpers import empty_queue, run_worker

    empty_queue()
    rec = make_rec(make_article(edition, order=2), "1", "要点")
    Recommendation.objects.filter(pk=rec.pk).update(status="not_actionable")
    before = kept()
    assert ListCount.objects.count() > len(before)
    # On a queue the tests' workers take (their periodic queue is left alone, job_helpers.py).
    tasks.compact_list_counts.configure(queue="default").defer(timestamp=0)
    try:
        run_worker()
    finally:
        empty_queue()
    assert ListCount.objects.count() == len(before)
    assert kept() == before == actual()


def test_a_status_and_a_tag_read_both_facets_kept_per_status(world, tag):
    filterset = filters.RecommendationFilter(
        QueryDict(f"status=assigned&tag={tag.pk}"), Recommendation.objects.all()
    )
    with CaptureQueriesContext(connection) as queries:
        figures = filters.list_figures(filterset)
    assert "facet = 's:tag'" in queries[-1]["sql"]
    assert figures["facets"]["status"] == {"assigned": 1}
    assert figures["facets"]["tag"][tag.pk] == 1


def test_a_truncate_and_the_nightly_rebuild_count_again(edition, item, tag):
    article = make_article(edition, order=2)
    make_rec(article, "1", "要点", tags=[tag])
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred check may be pending
        cursor.execute(f"TRUNCATE {RecommendationTag._meta.db_table}")
    assert kept() == actual()
    assert kept()[("tag", str(tag.pk))] == 0
    ListCount.objects.create(facet="total", key="", n=7)  # drift the triggers could not see
    assert ListCount.rebuild() == len(actual())
    assert kept() == actual()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first", ["item", "link"])
def test_a_link_written_beside_its_items_change_is_counted_once(
    committed_db, edition, item, tag, first
):
    """Two transactions at once: one moves the item on, the other tags it. Whichever writes
    first, the second waits for it (the link trigger locks its items) and counts on what it
    committed."""
    from recommendations.models import Department

    rec = make_rec(make_article(edition, order=2), "1", "要点")
    lead = Department.objects.first()
    started, go_on, done = threading.Event(), threading.Event(), threading.Event()

    def change_item():
        Recommendation.objects.filter(pk=rec.pk).update(status="assigned", lead_department=lead)

    def add_link():
        RecommendationTag.objects.create(recommendation=rec, tag=tag)

    holder, other = (change_item, add_link) if first == "item" else (add_link, change_item)

    def hold():
        try:
            with transaction.atomic():
                holder()
                started.set()
                go_on.wait(10)
        finally:
            connections.close_all()

    def follow():
        try:
            other()  # waits for the holder's commit where the rows meet
        finally:
            done.set()
            connections.close_all()

    threads = [threading.Thread(target=hold), threading.Thread(target=follow)]
    threads[0].start()
    assert started.wait(10)
    threads[1].start()
    threads[1].join(0.5)
    go_on.set()
    for thread in threads:
        thread.join(15)
    assert done.is_set()
    assert kept() == actual()
    assert kept()[("s:tag", f"assigned:{tag.pk}")] == 1
