"""An import batch whose worker died (killed, machine restarted) shows as 已中断 with 重试 and
放弃 instead of 正在导入 for ever; old batches are deleted by clean_import_batches (also run
every night by the worker)."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from imports import jobs, tasks
from imports.models import STALE_AFTER, ImportBatch
from recommendations.models import Edition
from tests.import_helpers import batch_url, upload, upload_and_prepare
from tests.test_admin_import import SEED

pytestmark = pytest.mark.django_db


def _confirmed(client, admin_user, django_capture_on_commit_callbacks):
    client.force_login(admin_user)
    batch = upload_and_prepare(client, [upload("page.txt", SEED.read_bytes())])
    with django_capture_on_commit_callbacks():  # the job is queued, no worker runs it
        client.post(batch_url(batch, "import_confirm"))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.QUEUED
    return batch


def _killed(batch, status=ImportBatch.Status.IMPORTING, ago=STALE_AFTER):
    """The worker died in the middle: the batch kept its status, with no step since."""
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=status,
        stage="正在写入 1 个文件(整批一次写入)",
        updated_at=timezone.now() - ago - datetime.timedelta(minutes=1),
    )
    batch.refresh_from_db()
    return batch


def test_a_batch_without_progress_shows_as_interrupted_with_retry_and_give_up(
    client, admin_user, django_capture_on_commit_callbacks
):
    batch = _killed(_confirmed(client, admin_user, django_capture_on_commit_callbacks))

    page = client.get(batch_url(batch)).content.decode()

    assert batch.stalled and not batch.in_progress
    assert "导入已中断" in page and "整批导入是一次写入的,中断时没有写入任何数据。" in page
    assert 'http-equiv="refresh"' not in page  # it no longer waits for progress
    assert batch_url(batch, "import_retry") in page
    assert "放弃这次导入" in page
    assert "正在导入" not in page.split('id="content"')[1]


def test_a_batch_still_moving_is_not_interrupted(
    client, admin_user, django_capture_on_commit_callbacks
):
    batch = _killed(
        _confirmed(client, admin_user, django_capture_on_commit_callbacks),
        ago=datetime.timedelta(minutes=-1),
    )
    page = client.get(batch_url(batch)).content.decode()
    assert not batch.stalled
    assert "导入已中断" not in page and 'http-equiv="refresh"' in page

    response = client.post(batch_url(batch, "import_retry"))

    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTING  # nothing restarted
    assert client.post(batch_url(batch, "import_cancel")).status_code == 302
    assert ImportBatch.objects.filter(pk=batch.pk).exists()  # and not cancelled either


def test_retry_queues_the_import_again_and_it_completes(
    client, admin_user, django_capture_on_commit_callbacks
):
    batch = _killed(_confirmed(client, admin_user, django_capture_on_commit_callbacks))

    with django_capture_on_commit_callbacks() as queued:
        response = client.post(batch_url(batch, "import_retry"))

    assert response.status_code == 302
    assert len(queued) == 1  # the apply job, queued again
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.QUEUED and not batch.stalled
    jobs.apply(batch.pk)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    assert Edition.objects.count() == 1


def test_an_interrupted_parse_is_retried_as_a_parse(
    client, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks():
        client.post(
            "/admin/recommendations/edition/import/",
            {"files": [upload("page.txt", SEED.read_bytes())]},
        )
    batch = _killed(ImportBatch.objects.get(), status=ImportBatch.Status.PREPARING)

    client.post(batch_url(batch, "import_retry"))
    jobs.prepare(batch.pk)

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.READY


def test_give_up_deletes_an_interrupted_batch(
    client, admin_user, django_capture_on_commit_callbacks
):
    batch = _killed(_confirmed(client, admin_user, django_capture_on_commit_callbacks))

    client.post(batch_url(batch, "import_cancel"))

    assert not ImportBatch.objects.filter(pk=batch.pk).exists()
    assert not Edition.objects.exists()


def _aged(batch, days):
    ImportBatch.objects.filter(pk=batch.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=days)
    )


def test_old_batches_are_cleaned_and_recent_ones_kept(admin_user):
    def make(status, days):
        batch = ImportBatch.objects.create(created_by=admin_user, status=status)
        batch.files.create(position=0, name="a.txt", size=1, data=b"x")
        _aged(batch, days)
        return batch

    old = [make(s, 8) for s in ("ready", "failed", "done", "importing")]
    kept = [make("ready", 6), make("importing", 0), make("done", 1)]
    out = StringIO()

    call_command("clean_import_batches", stdout=out)

    assert "已删除 4 个旧的导入批次。" in out.getvalue()
    assert set(ImportBatch.objects.all()) == set(kept)
    assert not ImportBatch.objects.filter(pk__in=[b.pk for b in old]).exists()


def test_the_worker_cleans_every_night(admin_user):
    from procrastinate.contrib.django import app

    batch = ImportBatch.objects.create(created_by=admin_user, status="ready")
    _aged(batch, 30)
    periodic = [p for p in app.periodic_registry.periodic_tasks.values()]
    assert any(p.task.name == "imports.clean_old_batches" for p in periodic), periodic

    tasks.clean_old_batches(timestamp=0)

    assert not ImportBatch.objects.exists()


def test_the_job_admin_names_the_cleanup_task_in_chinese():
    from notifications.job_admin import task_label

    assert task_label("imports.clean_old_batches") == "导入:清理一周未动的导入批次"
