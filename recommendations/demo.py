"""The demo accounts: one per role, for trying the portal on a workstation.

Their passwords are printed in the README, so they must never exist in production: they are
created only in development and only when asked (DEMO_ACCOUNTS=1, which `make run` sets), an
existing account is never reset, and the production launcher (bin/serve) refuses to start while
a database still holds one that signs in with its README password.
"""

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models.deletion import ProtectedError

from recommendations.models import (
    ROLE_ADMIN,
    ROLE_HANDLER,
    ROLE_STAFF,
    ROLE_VIEWER,
    Department,
    User,
)

DEMO_ACCOUNTS = [
    # username, password, role, department, display name
    ("viewer", "viewer-demo-2026", ROLE_VIEWER, None, "演示浏览员"),
    ("staff", "staff-demo-2026", ROLE_STAFF, None, "演示研判员"),
    ("handler", "handler-demo-2026", ROLE_HANDLER, "区科信局", "演示承办人"),
    ("handler2", "handler2-demo-2026", ROLE_HANDLER, "区外办", "演示承办人二"),
    ("admin", "admin-demo-2026", ROLE_ADMIN, None, "演示管理员"),
]


def present() -> list[User]:
    """Active accounts that still sign in with a demo password.

    A real account that happens to be called `admin` (createsuperuser's suggestion) is not one:
    only the published password makes an account dangerous.
    """
    passwords = {username: password for username, password, *_ in DEMO_ACCOUNTS}
    users = User.objects.filter(username__in=passwords, is_active=True)
    return [user for user in users if user.check_password(passwords[user.username])]


def create() -> list[tuple[str, str, str, str | None, bool]]:
    """Create the missing demo accounts; (username, password, role, department, created)."""
    rows = []
    for username, password, role, department_name, display in DEMO_ACCOUNTS:
        created = False
        if not User.objects.filter(username=username).exists():
            department = Department.objects.get(name=department_name) if department_name else None
            user = User.objects.create_user(
                username=username,
                password=password,
                first_name=display,
                department=department,
                # The Django admin is for the admin role only.
                is_staff=role == ROLE_ADMIN,
                is_superuser=role == ROLE_ADMIN,
            )
            user.groups.set([Group.objects.get(name=role)])
            created = True
        rows.append((username, password, role, department_name, created))
    return rows


def remove() -> list[tuple[str, str]]:
    """Delete each demo account; one that authored comments is kept, disabled, for history."""
    done = []
    for user in present():
        try:
            with transaction.atomic():
                user.delete()
            done.append((user.username, "deleted"))
        except ProtectedError:
            user.is_active = False
            user.set_unusable_password()
            user.save(update_fields=["is_active", "password"])
            done.append((user.username, "disabled"))
    return done
