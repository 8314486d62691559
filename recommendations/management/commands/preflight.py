from django.core.cache import caches
from django.core.management import call_command
from django.core.management.base import BaseCommand

from portal.hostcache import HostCache


class Command(BaseCommand):
    help = (
        "What bin/serve does before gunicorn starts, in one process: the system checks (with "
        "--deploy unless --plain-http), the migrations, the official calendar's new years, the "
        "refusal of demo accounts, collectstatic, and emptying the host's page cache. It creates "
        "no data beyond the migrations and the calendar."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--plain-http",
            action="store_true",
            help="a plain-HTTP loopback test: the checks without --deploy",
        )

    def handle(self, *args, plain_http=False, **options):
        deploy = [] if plain_http else ["--deploy"]
        call_command("check", *deploy, fail_level="WARNING")
        call_command("migrate", interactive=False, verbosity=0)
        # The migration filled the calendar once, with the years chinese-calendar knew then; an
        # upgraded package knows the next year's schedule (published each autumn), which only
        # load_calendar adds. It fills missing years only, so admins' edits stay.
        call_command("load_calendar", stdout=self.stdout)
        call_command("seed_portal", check=True)
        call_command("collectstatic", interactive=False, verbosity=0)
        # The host's cache outlives the server (portal/hostcache.py): a body rendered by the
        # previous release's templates must not be served by this one. (A shared Redis is
        # cleared once every host runs the new release: docs/deployment.md 2.5.)
        if isinstance(caches["default"], HostCache):
            caches["default"].clear()
