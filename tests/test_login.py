from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recommendations.models import User
from tests.conftest import PASSWORD


def test_the_login_page_is_in_chinese(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="zh-Hans">' in content
    assert "用户名" in content and "密码" in content


def test_signing_in_leads_to_the_dashboard(client, viewer):
    response = client.post(reverse("login"), {"username": "viewer1", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


def test_a_wrong_password_keeps_the_username_and_explains_in_chinese(client, viewer):
    response = client.post(reverse("login"), {"username": "viewer1", "password": "wrong"})
    assert response.status_code == 200
    content = response.content.decode()
    assert 'value="viewer1"' in content
    assert "请输入一个正确的" in content  # Django's own Chinese message


def test_repeated_failures_lock_the_username_from_that_address(client, viewer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "viewer1", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "viewer1", "password": PASSWORD})
    assert response.status_code == 429
    assert "登录已暂停" in response.content.decode()
    # Another username from the same address is not locked out.
    User.objects.create_user(username="viewer2", password=PASSWORD)
    ok = client.post(reverse("login"), {"username": "viewer2", "password": PASSWORD})
    assert ok.status_code == 302


def test_a_signed_in_handler_is_read_with_their_department_in_one_query(
    client, handler, lead_department
):
    response = client.post(reverse("login"), {"username": handler.username, "password": PASSWORD})
    assert response.status_code == 302
    client.get(reverse("dashboard"))  # caches the dashboard's body
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("dashboard")).content.decode()
    assert lead_department.name in html  # the header names the handler's department
    department_table = lead_department._meta.db_table
    user_queries = [q["sql"] for q in queries if 'FROM "recommendations_user" ' in q["sql"]]
    assert len(user_queries) == 1 and department_table in user_queries[0]
    assert not [q for q in queries if q["sql"].startswith(f'SELECT "{department_table}"')]
