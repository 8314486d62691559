from io import StringIO

from django.contrib.auth.models import Group
from django.core.management import call_command

from recommendations.models import Department, Tag


def test_models_and_migrations_agree(db):
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_starting_data_creates_role_groups_departments_and_tags(db):
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "viewer",
        "staff",
        "handler",
        "admin",
    }
    assert Department.objects.filter(name="区政务服务和数据管理局").exists()
    assert Department.objects.count() >= 15
    assert Tag.objects.filter(name="安全与伦理").exists()


def test_staff_group_may_change_recommendations_but_viewer_may_not(db):
    staff = Group.objects.get(name="staff").permissions.values_list("codename", flat=True)
    viewer = Group.objects.get(name="viewer").permissions.values_list("codename", flat=True)
    assert "change_recommendation" in staff
    assert "view_recommendation" in viewer
    assert "change_recommendation" not in viewer
