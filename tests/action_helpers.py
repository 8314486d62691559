"""Small helpers shared by the tests of the write actions (views/actions.py)."""

import datetime
import re

from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from recommendations.models import Recommendation

S = Recommendation.Status


def url(name, rec=None):
    return reverse(name, args=[rec.pk]) if rec is not None else reverse(name)


def post_as(client, user, name, rec=None, data=None):
    if user is not None:
        client.force_login(user)
    return client.post(url(name, rec), data or {})


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def detail_url(rec) -> str:
    return reverse("recommendation_detail", args=[rec.pk])


def days_from_today(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def make_status(rec, status, **fields):
    """Put `rec` in a state directly (as an import or an earlier step would have)."""
    Recommendation.objects.filter(pk=rec.pk).update(status=status, **fields)
    rec.refresh_from_db()
    return rec


def answered(rec):
    return make_status(rec, S.ANSWERED, answer_category="A", reply="已采纳。")


def refused_page(client, response):
    """A refused post on an item (bad input, a rule's refusal, a stale version): the browser is
    sent to the item's page (303, post/redirect/get), never left at the action URL; that page
    shows the refused form with the error and what was typed. Returns that page."""
    assert response.status_code == 303, response.status_code
    pk = re.match(r"/recommendations/(\d+)/", response.wsgi_request.path).group(1)
    location = response["Location"]
    assert re.fullmatch(rf"/recommendations/{pk}/#[a-z-]+-form", location), location
    page = client.get(location)
    assert page.status_code == 200
    return page
