"""The admin's import runs in the job queue: a real worker parses the upload for the preview,
and after the confirmation imports it, recording its progress on the batch."""

import pytest
from django.urls import reverse

from imports.models import ImportBatch
from recommendations.models import Edition, Recommendation
from tests.import_helpers import UPLOAD_URL, batch_url, upload
from tests.job_helpers import empty_queue, run_worker
from tests.test_admin_import import SEED


@pytest.fixture
def queue(transactional_db):
    empty_queue()
    yield
    empty_queue()


def test_a_real_worker_prepares_the_preview_and_imports_after_the_confirmation(
    client, django_user_model, queue
):
    # Made here: an earlier transactional test may have flushed the role groups.
    client.force_login(django_user_model.objects.create_superuser("importer", "", "x"))
    client.post(reverse(UPLOAD_URL), {"files": [upload("page.txt", SEED.read_bytes())]})
    batch = ImportBatch.objects.get()
    waiting = client.get(batch_url(batch)).content.decode()
    assert "正在解析" in waiting and 'http-equiv="refresh"' in waiting

    run_worker()

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.READY
    assert (batch.progress_done, batch.progress_total) == (1, 1)
    assert not Edition.objects.exists()

    client.post(batch_url(batch, "import_confirm"))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.QUEUED
    queued = client.get(batch_url(batch)).content.decode()
    assert "等待导入" in queued and 'http-equiv="refresh"' in queued

    run_worker()

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    assert batch.percent == 100
    assert Recommendation.objects.filter(article__edition__source_name="page.txt").count() == 50
    assert "page.txt:已新建版面" in client.get(batch_url(batch)).content.decode()
