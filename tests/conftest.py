"""Shared fixtures: one user per role, and a small recommendation tree to act on."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache

from recommendations.models import (
    Article,
    Department,
    Edition,
    Recommendation,
    Tag,
    User,
)

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def empty_cache():
    # Figures are cached per process under a change stamp; each test starts from nothing.
    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # PBKDF2 is slow on purpose; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(username, role=None, department=None, **extra):
    user = User.objects.create_user(username=username, password=PASSWORD, **extra)
    if department is not None:
        user.department = department
        user.save(update_fields=["department"])
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def departments(db):
    return {d.name: d for d in Department.objects.all()}


@pytest.fixture
def lead_department(departments):
    return departments["区科信局"]


@pytest.fixture
def other_department(departments):
    return departments["区教委"]


@pytest.fixture
def viewer(db):
    return make_user("viewer1", "viewer")


@pytest.fixture
def staff(db):
    return make_user("staff1", "staff")


@pytest.fixture
def handler(lead_department):
    return make_user("handler1", "handler", department=lead_department)


@pytest.fixture
def other_handler(other_department):
    return make_user("handler2", "handler", department=other_department)


@pytest.fixture
def admin_user(db):
    return make_user("admin1", "admin", is_staff=True, is_superuser=True)


@pytest.fixture
def users(viewer, staff, handler, other_handler, admin_user):
    return {
        "viewer": viewer,
        "staff": staff,
        "handler": handler,
        "other_handler": other_handler,
        "admin": admin_user,
    }


@pytest.fixture
def edition(db):
    return Edition.objects.create(
        source_name="test-page.txt",
        sha256="0" * 64,
        raw_text="标题\n\n区科信局局长 张三\n\n一、加强算力统筹\n\n一是建设智算中心。推动算力共享。\n",
        line_count=7,
    )


@pytest.fixture
def article(edition):
    return Article.objects.create(
        edition=edition,
        order=1,
        kind=Article.Kind.REFLECTION,
        title="加快人工智能发展",
        in_series=True,
        author_names="张三",
        blocks=[{"type": "paragraph", "text": "一是建设智算中心。推动算力共享。", "lines": [7]}],
    )


@pytest.fixture
def section(article):
    return Recommendation.objects.create(
        article=article,
        number="1",
        order=1,
        depth=1,
        marker="一、",
        place="一、",
        heading="加强算力统筹",
        text="一、加强算力统筹",
        source_lines=[5],
    )


@pytest.fixture
def item(section):
    return Recommendation.objects.create(
        article=section.article,
        parent=section,
        number="1.1",
        order=2,
        depth=2,
        marker="一是",
        place="一、1",
        heading="建设智算中心",
        text="一是建设智算中心。推动算力共享。",
        source_lines=[7],
    )


@pytest.fixture
def assigned_item(item, lead_department):
    Recommendation.objects.filter(pk=item.pk).update(
        status=Recommendation.Status.ASSIGNED,
        lead_department=lead_department,
        deadline=datetime.date.today() + datetime.timedelta(days=30),
    )
    item.refresh_from_db()
    return item


@pytest.fixture
def tag(db):
    return Tag.objects.get(name="算力")


@pytest.fixture
def committed_db(transactional_db):
    """Rows committed where another process (a launched server) can read them.

    A transactional test before this one ended with a flush, which also removed the starting
    data of migration 0002 (departments, tags, role groups): it is loaded again here.
    """
    import importlib

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    migration = "0002_starting_data"
    state = MigrationExecutor(connection).loader.project_state(("recommendations", migration))
    importlib.import_module(f"recommendations.migrations.{migration}").forwards(state.apps, None)


# --- the handling loop (tests/test_handling_*.py) ---------------------------------------------


@pytest.fixture
def co_department(departments):
    return departments["区商务局"]


@pytest.fixture
def co_handler(co_department):
    return make_user("cohandler1", "handler", department=co_department)


@pytest.fixture
def loop_item(item, staff, lead_department, co_department):
    """The item as staff assign it today: 区科信局 leads, 区商务局 co-handles, default deadline."""
    from handling import rules
    from recommendations import workflow

    workflow.assign(
        item,
        staff,
        lead_department=lead_department,
        co_departments=[co_department],
        deadline=rules.current().default_deadline(datetime.date.today()),
    )
    item.refresh_from_db()
    return item


@pytest.fixture
def media_root(settings, tmp_path):
    # Uploaded letters go to a folder of the test's own.
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
