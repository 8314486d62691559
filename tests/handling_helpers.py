"""Helpers shared by the handling loop's tests: put an item at a given step quickly, through the
rules themselves (recommendations/workflow.py), so every record is what the real step writes."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from handling import calendar
from recommendations import workflow
from recommendations.models import Recommendation

S = Recommendation.Status
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_letter(name="答复函.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def assigned_working_days_ago(rec, days: int):
    """Move the item's assignment back by `days` working days (the windows count from it)."""
    start = calendar.add_working_days(timezone.localdate(), -days)
    moment = timezone.make_aware(datetime.datetime.combine(start, datetime.time(9, 0)))
    Recommendation.objects.filter(pk=rec.pk).update(assigned_at=moment)
    rec.refresh_from_db()
    return rec


def signed(rec, handler):
    workflow.receive(rec, handler)
    return rec


def answered_for_review(rec, handler, *, category="A", promised_on=None, letter=None):
    if rec.status == S.ASSIGNED:
        workflow.receive(rec, handler)
    workflow.submit_answer(
        rec,
        handler,
        answer_category=category,
        reply="已会同有关部门研究落实。",
        promised_on=promised_on,
        letter=letter,
        confirm_missing=True,
    )
    return rec


def approved(rec, handler, staff, **answer):
    answered_for_review(rec, handler, **answer)
    workflow.review_answer(rec, staff, approve=True)
    return rec


def in_days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)
