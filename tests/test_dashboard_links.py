"""Every number on the dashboard is the count of the list its link opens (cards and bars)."""

import pytest
from django.urls import reverse
from ui_helpers import assigned, make_article, make_rec

from handling import supervision
from recommendations.models import Recommendation

pytestmark = pytest.mark.django_db
S = Recommendation.Status


@pytest.fixture
def world(edition, item, tag, staff, lead_department, other_department):
    """Items in every status, late and on time, tagged, supervised, and some no longer printed."""
    other = make_article(edition, order=2, author="李四")
    late = make_rec(other, "1", "逾期", tags=[tag], **assigned(lead_department, days=-5))
    make_rec(other, "2", "按期", tags=[tag], **assigned(lead_department, days=5))
    working = make_rec(other, "3", "办理中", **assigned(other_department, days=9))
    Recommendation.objects.filter(pk=working.pk).update(status=S.IN_PROGRESS)
    make_rec(
        other,
        "4",
        "已办结",
        status=S.ANSWERED,
        lead_department=other_department,
        answer_category="B",
        reply="列入计划。",
    )
    make_rec(other, "5", "无需办理", status=S.NOT_ACTIONABLE, status_note="观点")
    gone = make_rec(other, "6", "已移除", in_source=False, **assigned(other_department, days=-9))
    make_rec(other, "7", "已移除的待研判", in_source=False, tags=[tag])
    # Past its deadline but answered and awaiting review: not overdue, in no overdue number.
    make_rec(
        other,
        "8",
        "待审核",
        answer_category="A",
        reply="已答复。",
        **assigned(lead_department, days=-3, status=S.REVIEW),
    )
    for rec in (late, gone, item):
        supervision.supervise(rec, staff, leader="王区长")
    return other


def listed(client, url) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page_obj"].paginator.count


def test_every_card_counts_what_its_list_shows(client, viewer, world):
    client.force_login(viewer)
    cards = client.get(reverse("dashboard")).context["summary"]
    assert len(cards) >= 6
    for card in cards:
        assert listed(client, card["url"]) == card["value"], card["label"]
    # Not all zero: the world has something behind every card.
    assert all(card["value"] for card in cards), [(c["label"], c["value"]) for c in cards]


def test_every_bar_counts_what_its_list_shows(client, viewer, world):
    client.force_login(viewer)
    charts = client.get(reverse("dashboard")).context["charts"]
    bars = [bar for chart in charts.values() for bar in chart.bars]
    assert len(bars) >= 10
    for bar in bars:
        assert listed(client, bar.url) == bar.value, bar.label
