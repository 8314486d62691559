"""Drop the in-process copies of the calendar and the rules when either changes."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from handling import localcache
from handling.models import CalendarDay, CalendarYear, Rules


@receiver([post_save, post_delete], sender=CalendarDay)
@receiver([post_save, post_delete], sender=CalendarYear)
@receiver([post_save, post_delete], sender=Rules)
def calendar_or_rules_changed(**kwargs):
    localcache.invalidate()
