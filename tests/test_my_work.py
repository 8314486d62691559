"""My work: a handler's department items, staff's triage and overdue lists, viewers' note."""

import pytest
from ui_helpers import assigned, make_article, make_rec

from recommendations.models import Recommendation

URL = "/my-work/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def world(edition, item, lead_department, other_department):
    other = make_article(edition, order=2, author="李四")
    return {
        "later": make_rec(other, "1", "期限较远", **assigned(lead_department, days=40)),
        "sooner": make_rec(other, "2", "期限较近", **assigned(lead_department, days=5)),
        "late": make_rec(other, "3", "已经逾期", **assigned(lead_department, days=-2)),
        "co": make_rec(
            other, "4", "协办条目", co=[lead_department], **assigned(other_department, days=10)
        ),
        "others": make_rec(other, "5", "别的部门", **assigned(other_department, days=-1)),
        "done": make_rec(
            other,
            "6",
            "已经办结",
            status=Recommendation.Status.ANSWERED,
            lead_department=lead_department,
            answer_category="A",
            reply="好",
        ),
        "new": item,
    }


def rows(response, name):
    return [rec.pk for rec in response.context[name].object_list]


def test_a_handler_sees_open_items_of_their_department_overdue_first(client, handler, world):
    client.force_login(handler)
    response = client.get(URL)
    assert rows(response, "handler_page") == [
        world["late"].pk,
        world["sooner"].pk,
        world["co"].pk,
        world["later"].pk,
    ]
    html = response.content.decode()
    assert "区科信局主办或协办" in html
    assert "1 条已逾期" in html
    assert "待研判" not in html.split("<main")[1].split("handler-heading")[0]


def test_a_handler_does_not_see_the_triage_list(client, handler, world):
    client.force_login(handler)
    response = client.get(URL)
    assert "triage_page" not in response.context


def test_staff_see_items_awaiting_triage_and_overdue_items(client, staff, world):
    client.force_login(staff)
    response = client.get(URL)
    assert rows(response, "triage_page") == [world["new"].parent.pk, world["new"].pk]
    assert rows(response, "overdue_page") == [world["late"].pk, world["others"].pk]  # by deadline
    assert "handler_page" not in response.context


def test_viewers_get_a_friendly_explanation(client, viewer, world):
    client.force_login(viewer)
    response = client.get(URL)
    html = response.content.decode()
    assert "您目前是浏览用户" in html
    assert 'href="/recommendations/"' in html


def test_the_nav_marks_my_work_as_current(client, viewer):
    client.force_login(viewer)
    html = client.get(URL).content.decode()
    assert '<a href="/my-work/" aria-current="page">我的工作</a>' in html
    assert "后台管理" not in html


def test_admins_see_the_admin_link(client, admin_user):
    client.force_login(admin_user)
    assert "后台管理" in client.get(URL).content.decode()
