from django.core.management.base import BaseCommand

from recommendations.models import Recommendation
from recommendations.search import REFRESH_BATCH_SIZE, refresh_tokens


class Command(BaseCommand):
    help = (
        "Recompute every recommendation's search tokens (after a QuerySet.update() of heading or "
        "text, or a change to the search dictionary), in batches."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=REFRESH_BATCH_SIZE,
            help=f"Items per UPDATE (default {REFRESH_BATCH_SIZE}).",
        )

    def handle(self, *args, **options):
        batch_size = max(1, options["batch_size"])
        count = refresh_tokens(Recommendation.objects.all(), batch_size=batch_size)
        self.stdout.write(f"Rebuilt search tokens for {count} recommendations.")
