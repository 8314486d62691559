"""The item's history as one row per action, grouped, naming the actor's department."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from recommendations.models import Article, Department, Edition, Recommendation

pytestmark = pytest.mark.django_db


def history_rows(html):
    table = html.split('<table class="history-table">')[1].split("</table>")[0]
    return re.findall(r"<tr>\s*<td class=\"history-when\".*?</tr>", table, re.S)


@pytest.mark.django_db(transaction=True)
def test_one_action_is_one_row_newest_first_with_the_actors_department(committed_db, client):
    """Each step is its own request (its own transaction and moment), as in real use."""
    from tests.conftest import make_user

    lead = Department.objects.get(name="区科信局")
    staff = make_user("staff-h", "staff")
    handler = make_user("handler-h", "handler", department=lead)
    article = Article.objects.create(
        edition=Edition.objects.create(source_name="h.txt", sha256="1" * 64, raw_text="x"),
        order=1,
        kind="reflection",
        title="标题",
    )
    item = Recommendation.objects.create(
        article=article, number="1", order=1, depth=2, place="一、1", heading="要点", text="要点。"
    )
    client.force_login(staff)
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    client.post(
        reverse("recommendation_assign", args=[item.pk]),
        {
            "lead_department": lead.pk,
            "co_departments": [Department.objects.get(name="区教委").pk],
            "deadline": deadline.isoformat(),
            "version": item.version,
        },
    )
    item.refresh_from_db()
    assert item.status == "assigned"
    client.force_login(handler)
    client.post(  # the lead handler signs for it: the work starts (handling loop)
        reverse("handling_receive", args=[item.pk]), {"version": item.version}
    )
    html = client.get(item.get_absolute_url()).content.decode()
    rows = history_rows(html)
    # created, the assignment (status, lead, deadline, co-department: one action), the step.
    assert len(rows) == 3, rows
    newest, assignment, created = rows
    assert "办理中" in newest
    assert "区科信局" in newest.split('class="history-who"')[1].split("</td>")[0]
    assert assignment.count("<li") >= 4
    assert "主办部门" in assignment and "办理期限" in assignment and "协办部门" in assignment
    assert "区教委" in assignment
    assert "导入建议" in created


def test_the_history_table_has_headers_and_a_caption(client, viewer, item):
    client.force_login(viewer)
    html = client.get(item.get_absolute_url()).content.decode()
    assert '<caption class="visually-hidden">' in html
    assert re.search(r'<th scope="col">内容</th>', html)
