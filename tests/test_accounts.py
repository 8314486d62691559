"""Signing in lands each role where its work is; users change their own password; the favicon."""

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD


@pytest.mark.parametrize(
    "role, landing",
    [
        ("viewer", "dashboard"),
        ("staff", "my_work"),
        ("handler", "my_work"),
        ("admin", "admin:index"),
    ],
)
def test_signing_in_lands_each_role_where_its_work_is(client, users, role, landing):
    username = users[role].username
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse(landing)


def test_a_link_that_asked_for_sign_in_still_leads_back_to_itself(client, handler):
    wanted = reverse("recommendation_list") + "?status=new"
    response = client.post(
        reverse("login"), {"username": "handler1", "password": PASSWORD, "next": wanted}
    )
    assert response["Location"] == wanted


def test_an_official_changes_their_own_password(client, viewer):
    client.force_login(viewer)
    page = client.get(reverse("dashboard")).content.decode()
    assert f'href="{reverse("password_change")}"' in page  # linked from the header
    form = client.get(reverse("password_change"))
    assert form.status_code == 200 and "修改密码" in form.content.decode()

    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "qingshan-2026",
            "new_password2": "qingshan-2026",
        },
    )
    assert response["Location"] == reverse("password_change_done")
    viewer.refresh_from_db()
    assert viewer.check_password("qingshan-2026")
    assert "密码已修改" in client.get(reverse("password_change_done")).content.decode()


def test_a_wrong_current_password_is_refused_in_chinese_and_changes_nothing(client, viewer):
    client.force_login(viewer)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "wrong",
            "new_password1": "qingshan-2026",
            "new_password2": "qingshan-2026",
        },
    )
    assert response.status_code == 200
    assert "旧密码不正确" in response.content.decode()
    viewer.refresh_from_db()
    assert viewer.check_password(PASSWORD)


def test_the_password_page_needs_sign_in(client, db):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_favicon_answers_on_every_page(client, viewer):
    # Signed out too: the login page's tab asks for it.
    response = client.get("/favicon.ico", follow=True)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in b"".join(response.streaming_content)
    client.force_login(viewer)
    page = client.get(reverse("dashboard")).content.decode()
    assert 'rel="icon"' in page
