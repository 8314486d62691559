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


# Each page's bound holds for 5 items and for 50: any per-row query would break it at 50.
# (Each includes the session and the user: sessions live in the database unless a shared cache
# is configured; the rest is the page's own fixed set of queries.)
BOUNDS = {
    # The bound, plus one walk for the overdue items in 待审核 (one per open status) and
    # one count of the handling loop's step cards; a cached visit needs 4 fewer.
    "dashboard": 14,
    "list": 12,
    # Cold: the total, every facet and the search's ranking come from one statement
    # (filters.list_figures); each of the four chosen author, organisation, tag and department
    # is looked up once by the form, which makes this URL one more than the 12.
    "list_filtered": 13,
    "article": 11,  # cold: the change stamp and the title are read before the cached body
    "person": 9,
    "organization": 9,
    "department": 10,
    "tag_list": 4,
    "tag": 7,
    "my_work": 4,  # with the check whether the user speaks for an author (handling)
    # Also with a long history (test_a_long_history_adds_no_query below). One of them reads
    # the handling loop's records in one query, one whether the viewer speaks for an author.
    "detail": 13,
}
# Staff and handlers see more on these pages (bulk forms, action forms, both My work lists).
# My work adds one query per step of the handling loop it lists (three for a handler, three
# for staff).
STAFF_BOUNDS = {"list": 12, "my_work": 20, "detail": 13}


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


@pytest.mark.parametrize("page", sorted(BOUNDS))
def test_query_count_is_fixed_for_viewers(
    client, viewer, world, lead_department, page, django_assert_max_num_queries
):
    client.force_login(viewer)
    url = urls(world, lead_department)[page]
    with django_assert_max_num_queries(BOUNDS[page]):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("page", sorted(STAFF_BOUNDS))
def test_query_count_is_fixed_for_staff_and_handlers(
    client, staff, handler, world, lead_department, page, django_assert_max_num_queries
):
    handler.groups.add(Group.objects.get(name="staff"))  # both sections of My work
    client.force_login(handler)
    url = urls(world, lead_department)[page]
    with django_assert_max_num_queries(STAFF_BOUNDS[page]):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("page", ["list", "list_filtered", "dashboard"])
def test_a_second_visit_reads_cached_figures_in_at_most_twelve_queries(
    client, staff, world, lead_department, page, django_assert_max_num_queries
):
    client.force_login(staff)
    url = urls(world, lead_department)[page]
    client.get(url)
    with django_assert_max_num_queries(12):
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
