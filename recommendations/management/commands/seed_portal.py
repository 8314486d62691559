from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from recommendations.models import (
    ROLE_ADMIN,
    ROLE_HANDLER,
    ROLE_STAFF,
    ROLE_VIEWER,
    Department,
    User,
)

# One account per role for trying the portal locally. Never created in production.
DEMO_ACCOUNTS = [
    # username, password, role, department, display name
    ("viewer", "viewer-demo-2026", ROLE_VIEWER, None, "演示浏览员"),
    ("staff", "staff-demo-2026", ROLE_STAFF, None, "演示研判员"),
    ("handler", "handler-demo-2026", ROLE_HANDLER, "区科信局", "演示承办人"),
    ("handler2", "handler2-demo-2026", ROLE_HANDLER, "区外办", "演示承办人二"),
    ("admin", "admin-demo-2026", ROLE_ADMIN, None, "演示管理员"),
]


class Command(BaseCommand):
    help = "Create the demo account of each role (development only) and print their credentials."

    def handle(self, *args, **options):
        if not settings.DEMO_ACCOUNTS:
            self.stdout.write("Demo accounts are disabled (DEMO_ACCOUNTS=0 or production).")
            return
        self.stdout.write("Demo accounts (development only):")
        for username, password, role, department_name, display in DEMO_ACCOUNTS:
            department = Department.objects.get(name=department_name) if department_name else None
            user, _ = User.objects.get_or_create(username=username)
            user.first_name = display
            user.department = department
            user.is_staff = role == ROLE_ADMIN  # Django admin is for the admin role only
            user.is_superuser = role == ROLE_ADMIN
            user.set_password(password)
            user.save()
            user.groups.set([Group.objects.get(name=role)])
            where = f" ({department_name})" if department_name else ""
            self.stdout.write(f"  {role:<8} {username:<9} / {password}{where}")
