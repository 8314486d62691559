"""Driving the admin's import: upload, let the job prepare the preview, confirm, let it import.

The job functions run here in the test's process (imports.jobs); test_import_job.py runs them
in a real worker through the queue."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports import jobs
from imports.models import ImportBatch

UPLOAD_URL = "admin:recommendations_edition_import"


def upload(name, data):
    return SimpleUploadedFile(name, data, content_type="text/plain")


def batch_url(batch, view="import_batch"):
    return reverse(f"admin:recommendations_edition_{view}", args=[batch.pk])


def upload_and_prepare(client, files, **data) -> ImportBatch:
    response = client.post(reverse(UPLOAD_URL), {"files": files, **data})
    batch = ImportBatch.objects.latest("created_at")
    assert response.status_code == 302
    assert response["Location"] == batch_url(batch)
    jobs.prepare(batch.pk)
    batch.refresh_from_db()
    return batch


def confirm_and_import(client, batch, **data):
    response = client.post(batch_url(batch, "import_confirm"), data)
    assert response.status_code == 302
    jobs.apply(batch.pk)
    batch.refresh_from_db()
    return client.get(batch_url(batch))


def outcomes(batch) -> list[str]:
    return [f.result for f in batch.files.order_by("position")]
