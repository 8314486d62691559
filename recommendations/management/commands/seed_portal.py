import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from recommendations import demo


class Command(BaseCommand):
    help = (
        "Demo accounts, one per role. Without options: create the missing ones (development "
        "only, and only with DEMO_ACCOUNTS=1, as `make run` sets); existing accounts are never "
        "changed. --check: fail while any signs in with its published password. --remove: "
        "delete them (or disable those that wrote comments)."
    )

    def add_arguments(self, parser):
        modes = parser.add_mutually_exclusive_group()
        modes.add_argument("--check", action="store_true")
        modes.add_argument("--remove", action="store_true")

    def handle(self, *args, check=False, remove=False, **options):
        if check:
            return self.check()
        if remove:
            for username, outcome in demo.remove():
                self.stdout.write(f"  {username}: {outcome}")
            return None
        if settings.PRODUCTION:
            raise CommandError("Demo accounts are never created in production.")
        if not settings.DEMO_ACCOUNTS:
            self.stdout.write("Demo accounts not requested (set DEMO_ACCOUNTS=1 to create them).")
            return None
        self.stdout.write("Demo accounts (development only):")
        for username, password, role, department_name, created in demo.create():
            where = f" ({department_name})" if department_name else ""
            note = "" if created else "  [exists, left unchanged]"
            self.stdout.write(f"  {role:<8} {username:<9} / {password}{where}{note}")
        return None

    def check(self):
        found = demo.present()
        if not found:
            return
        names = ", ".join(sorted(user.username for user in found))
        self.stderr.write(
            f"拒绝启动:数据库中仍有使用公开演示密码的账号({names})。\n"
            f"Refusing to start: this database holds demo accounts with their published "
            f"passwords ({names}). Remove them with `python manage.py seed_portal --remove` "
            f"and create real administrators with `python manage.py createsuperuser`."
        )
        sys.exit(1)
