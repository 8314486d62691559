"""The user form sets a role (viewer/staff/handler/admin) with the department, validated."""

import pytest
from django.urls import reverse

from recommendations import roles
from recommendations.models import User
from tests.conftest import make_user


def add_user(client, **fields):
    data = {
        "username": "newofficial",
        "usable_password": "true",
        "password1": "qingshan-2026",
        "password2": "qingshan-2026",
        "role": "viewer",
        "department": "",
        "_save": "保存",
        **fields,
    }
    return client.post(reverse("admin:recommendations_user_add"), data)


def change_user(client, user, **fields):
    data = {
        "username": user.username,
        "last_name": "",
        "first_name": "",
        "email": "",
        "is_active": "on",
        "role": "viewer",
        "department": "",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "08:00:00",
        "_save": "保存",
        **fields,
    }
    return client.post(reverse("admin:recommendations_user_change", args=[user.pk]), data)


def test_the_user_form_offers_a_role_instead_of_raw_groups(client, admin_user, viewer):
    client.force_login(admin_user)
    page = client.get(reverse("admin:recommendations_user_change", args=[viewer.pk]))
    content = page.content.decode()
    assert 'name="role"' in content and "角色与部门" in content
    assert 'name="groups"' not in content and 'name="is_superuser"' not in content
    assert client.get("/admin/auth/group/").status_code == 404


def test_a_new_handler_gets_the_role_and_department(client, admin_user, lead_department):
    client.force_login(admin_user)
    response = add_user(client, role="handler", department=lead_department.pk)
    assert response.status_code == 302
    user = User.objects.get(username="newofficial")
    assert roles.role_of(user) == "handler"
    assert user.is_handler and user.department == lead_department
    assert not user.is_staff


def test_it_refuses_a_handler_without_a_department(client, admin_user):
    client.force_login(admin_user)
    response = add_user(client, role="handler")
    assert response.status_code == 200
    assert "承办人必须有所属部门" in response.content.decode()
    assert not User.objects.filter(username="newofficial").exists()


def test_changing_the_role_replaces_the_old_one(client, admin_user, handler):
    client.force_login(admin_user)
    response = change_user(client, handler, role="staff", department=handler.department_id)
    assert response.status_code == 302, response.content.decode()[:2000]
    handler.refresh_from_db()
    assert sorted(handler.groups.values_list("name", flat=True)) == ["staff"]
    assert roles.role_of(handler) == "staff"

    change_user(client, handler, role="admin")
    handler.refresh_from_db()
    assert roles.role_of(handler) == "admin" and handler.is_staff and handler.is_superuser


def test_it_refuses_to_turn_a_user_into_a_handler_without_department(client, admin_user, staff):
    client.force_login(admin_user)
    response = change_user(client, staff, role="handler")
    assert response.status_code == 200
    assert "承办人必须有所属部门" in response.content.decode()
    assert roles.role_of(User.objects.get(pk=staff.pk)) == "staff"


def test_the_list_shows_and_filters_by_role(client, admin_user, users):
    make_user("both", "staff").groups.add(*users["handler"].groups.all())  # staff wins
    client.force_login(admin_user)
    url = reverse("admin:recommendations_user_changelist")
    content = client.get(url).content.decode()
    assert "承办人" in content and "研判员" in content
    for role, expected in {
        "handler": {"handler1", "handler2"},
        "staff": {"staff1", "both"},
        "viewer": {"viewer1"},
        "admin": {"admin1"},
    }.items():
        shown = client.get(url, {"role": role}).context["cl"].result_list
        assert {u.username for u in shown} == expected, role


@pytest.mark.parametrize("role", ["viewer", "staff", "handler", "admin"])
def test_role_of_reads_back_what_assign_role_set(users, lead_department, role):
    user = users["viewer"]
    user.department = lead_department
    user.save()
    roles.assign_role(user, role)
    assert roles.role_of(User.objects.get(pk=user.pk)) == role
