"""A stale tab's form gets a Chinese page that explains and gives back the typed text."""

import pytest
from django.test import Client
from django.urls import reverse

from recommendations.models import Comment


@pytest.fixture
def checked_client(staff):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    return client


def test_a_stale_form_shows_a_chinese_page_with_the_typed_text(checked_client, item):
    url = reverse("recommendation_comment", args=[item.pk])
    response = checked_client.post(
        url,
        {"body": "请区科信局牵头,联合区教委研究。", "csrfmiddlewaretoken": "stale-token"},
        HTTP_REFERER="http://testserver" + item.get_absolute_url(),
    )
    assert response.status_code == 403
    content = response.content.decode()
    assert "页面已过期" in content and "没有保存" in content
    assert "请区科信局牵头,联合区教委研究。" in content
    assert 'href="http://testserver' + item.get_absolute_url() + '"' in content
    assert "CSRF" not in content and "Forbidden" not in content
    assert not Comment.objects.exists()


def test_it_never_echoes_a_password_or_the_token(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("login"),
        {"username": "viewer1", "password": "s3cret-typed", "csrfmiddlewaretoken": "old-token"},
    )
    assert response.status_code == 403
    content = response.content.decode()
    assert "viewer1" in content
    assert "s3cret-typed" not in content and "old-token" not in content


def test_the_typed_text_is_escaped(checked_client, item):
    response = checked_client.post(
        reverse("recommendation_comment", args=[item.pk]), {"body": "<script>alert(1)</script>"}
    )
    content = response.content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_a_referer_from_elsewhere_is_not_offered_as_the_way_back(checked_client, item):
    response = checked_client.post(
        reverse("recommendation_comment", args=[item.pk]),
        {"body": "文字"},
        HTTP_REFERER="https://evil.example/phish",
    )
    assert "evil.example" not in response.content.decode()
