"""Every list page and the dashboard use a fixed number of queries, whatever the item count."""

import pghistory
import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from ui_helpers import assigned, make_article, make_rec

from handling import rules
from recommendations import workflow
from recommendations.models import Comment, Department, Recommendation, Tag

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def warm_process_caches(db):
    # The rules and the calendar are read once per process (handling/localcache.py); whether
    # an earlier test read them must not change a page's count.
    rules.current().default_deadline(timezone.localdate())


# Each page's bounds hold for 5 items and for 50: any per-row query would break them at 50.
# Every one is within the issue's 12, cold (nothing cached, as right after a write) and warm.
# Each includes the session and the user (sessions live in the database unless a shared cache
# is configured; the user's department, groups and unread count come in that one query); the
# rest is the page's own fixed set of queries.
ISSUE_BOUND = 12
COLD = {
    # The figures (one GROUP BY, the tag bars, the loop's step cards), the department names,
    # the first overdue items (one UNION ALL of a walk per open status), recent comments.
    "dashboard": 10,
    "list": 7,
    # Each of the chosen author, organisation, tag and department is looked up once by the
    # filter form; the search's match (cached on its own, search.cached_match) is one query,
    # and the total, every facet and the ranking around it come from one statement.
    "list_filtered": 12,
    "article": 9,
    "person": 8,
    "organization": 7,
    "department": 9,
    "tag_list": 3,
    "tag": 6,
    "my_work": 3,  # a viewer: with the check whether the user speaks for an author
    # Also with a long history (test_a_long_history_adds_no_query below). One of them reads
    # the handling loop's records in one query, one whether the viewer speaks for an author.
    "detail": 10,
}
# A warm visit: the session, the user, the versions (for an item or an article in the same
# statement as its title) before the cached body. The entity pages are not cached.
WARM = {
    **COLD,
    "dashboard": 3,
    "list": 3,
    "list_filtered": 3,
    "article": 3,
    "detail": 4,
}
# A handler in the staff group sees more on these pages (bulk forms, action forms, both My
# work lists): My work reads every list's total in one statement and the handling loop's
# steps in another (a UNION ALL of one walk per step), whatever the number of steps.
STAFF_COLD = {"list": 7, "my_work": 10, "detail": 9}
STAFF_WARM = {"list": 3, "my_work": 10, "detail": 3}
# What the long-history test below reads.
BOUNDS = COLD


@pytest.fixture(params=[5, 50], ids=["5-items", "50-items"])
def world(request, edition, lead_department, other_department, staff):
    article = make_article(edition, order=2, author="李四", organization="区科信局")
    tags = list(Tag.objects.all()[:3])
    parent = make_rec(article, "1", "章节", depth=1, tags=tags)
    recs = []
    for n in range(request.param):
        state = assigned(lead_department, days=(n % 7) - 3) if n % 2 else {}
        rec = make_rec(
            article,
            f"1.{n + 1}",
            f"条目{n}",
            parent=parent,
            order=n + 2,
            tags=tags[: n % 3 + 1],
            co=[other_department] if n % 3 == 0 else [],
            **state,
        )
        Comment.objects.create(recommendation=rec, author=staff, body=f"评论{n}")
        recs.append(rec)
    return {"article": article, "parent": parent, "recs": recs, "tag": tags[0]}


def urls(world, lead_department):
    person = world["article"].bylines.get().person
    organization = world["article"].bylines.get().affiliations.get().organization
    return {
        "dashboard": "/",
        "list": "/recommendations/",
        "list_filtered": (
            f"/recommendations/?q=条目&tag={world['tag'].pk}&department={lead_department.pk}"
            f"&author={person.pk}&organization={organization.pk}&status=assigned&level=2&due=30"
        ),
        "article": f"/articles/{world['article'].pk}/",
        "person": f"/people/{person.pk}/",
        "organization": f"/organizations/{organization.pk}/",
        "department": f"/departments/{lead_department.pk}/",
        "tag_list": "/tags/",
        "tag": f"/tags/{world['tag'].pk}/",
        "my_work": "/my-work/",
        "detail": f"/recommendations/{world['parent'].pk}/",
    }


def _cold_then_warm(client, url, cold, warm, django_assert_max_num_queries):
    assert max(cold, warm) <= ISSUE_BOUND
    # Nothing of the page cached: its cost right after a write. A write to an item does not
    # reload the per-process rules and calendar, so they are read again before counting.
    cache.clear()
    rules.current().default_deadline(timezone.localdate())
    with django_assert_max_num_queries(cold):
        response = client.get(url)
    assert response.status_code == 200
    with django_assert_max_num_queries(warm):
        again = client.get(url)
    assert again.status_code == 200


@pytest.mark.parametrize("page", sorted(COLD))
def test_query_count_is_fixed_for_viewers(
    client, viewer, world, lead_department, page, django_assert_max_num_queries
):
    client.force_login(viewer)
    url = urls(world, lead_department)[page]
    _cold_then_warm(client, url, COLD[page], WARM[page], django_assert_max_num_queries)


@pytest.mark.parametrize("page", sorted(STAFF_COLD))
def test_query_count_is_fixed_for_staff_and_handlers(
    client, staff, handler, world, lead_department, page, django_assert_max_num_queries
):
    handler.groups.add(Group.objects.get(name="staff"))  # both sections of My work
    client.force_login(handler)
    url = urls(world, lead_department)[page]
    _cold_then_warm(client, url, STAFF_COLD[page], STAFF_WARM[page], django_assert_max_num_queries)


@pytest.mark.parametrize("page", ["list", "list_filtered", "dashboard"])
def test_another_page_of_a_list_reads_the_cached_figures(
    client, staff, world, lead_department, page, django_assert_max_num_queries
):
    """Page 1 of a list whose figures are cached (from the URL without page=) reads only its
    rows: the figures are shared by every page and sort order of the same filters."""
    client.force_login(staff)
    url = urls(world, lead_department)[page]
    client.get(url)
    with django_assert_max_num_queries(COLD[page] - 1):
        response = client.get(url + ("&" if "?" in url else "?") + "page=1")
    assert response.status_code == 200


def test_the_list_shows_every_item_of_the_fixture(client, viewer, world):
    client.force_login(viewer)
    response = client.get("/recommendations/")
    expected = Recommendation.objects.current().count()
    assert response.context["page_obj"].paginator.count == expected


def _long_history(rec, staff, handler, other_handler, departments, tags):
    """30 changes of the handling fields, 10 tag adds and removes, co-departments added and
    removed, and 10 comments, by several users (as many requests would have written them)."""
    people = [staff, handler, other_handler]
    for n in range(30):
        with pghistory.context(user=people[n % 3].pk):
            Recommendation.objects.filter(pk=rec.pk).update(
                status_note=f"第{n}次说明",
                lead_department=departments[n % len(departments)],
                status=Recommendation.Status.ASSIGNED if n % 2 else Recommendation.Status.NEW,
            )
    for n in range(10):
        with pghistory.context(user=people[n % 3].pk):
            tag = tags[n % len(tags)]
            if n % 2:
                rec.tags.remove(tag)
            else:
                rec.tags.add(tag)
            rec.co_departments.add(departments[-1 - n % 3])
            if n % 3 == 0:
                rec.co_departments.remove(departments[-1 - n % 3])
            # Written directly: the rule of who may comment is not what this measures.
            Comment.objects.create(recommendation=rec, author=people[n % 3], body=f"第{n}条评论")
    for n in range(6):
        make_rec(
            rec.article, f"{rec.number}.{n + 1}", f"下级{n}", parent=rec, depth=3, order=90 + n
        )


def _detail_queries(client, user, rec) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/recommendations/{rec.pk}/")
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["viewer", "staff", "staff_handler"])
def test_a_long_history_adds_no_query_to_the_detail_page(client, users, item, section, role):
    staff, handler, other_handler = users["staff"], users["handler"], users["other_handler"]
    if role == "staff_handler":  # a handler in the staff group: every form, and a department
        handler.groups.add(Group.objects.get(name="staff"))
    user = {"viewer": users["viewer"], "staff": staff, "staff_handler": handler}[role]
    departments = list(Department.objects.all())
    tags = list(Tag.objects.all())
    short = make_rec(section.article, "1.9", "短历史", parent=section, order=9)
    workflow.add_comment(short, staff, "一条评论")  # so that both pages name a user

    few = _detail_queries(client, user, short)
    _long_history(item, staff, handler, other_handler, departments, tags)
    many = _detail_queries(client, user, item)

    cache.clear()  # render the body again, to look at what it was given
    response = client.get(f"/recommendations/{item.pk}/")
    assert len(response.context["history"]) > 50
    assert len(response.context["comments"]) == 10
    assert len(response.context["children"]) == 6
    # The bound of the page plus the users named in the history (a comment's author).
    assert many == few <= BOUNDS["detail"] + 1
