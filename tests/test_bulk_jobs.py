"""Large bulk actions run as jobs on the queue: a real worker (`manage.py procrastinate worker`)
takes them chunk by chunk on real PostgreSQL, every change lands in history with the user who
sent the form, the job's page shows how far it got, and a failing chunk stops the job cleanly
with what was done, to be continued."""

import subprocess
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from bulk import jobs
from bulk.models import BulkJob
from recommendations import workflow
from recommendations.models import Article, Recommendation, RecommendationEvent
from tests.job_helpers import ROOT, empty_queue, worker_command, worker_env
from tests.notify_helpers import committed_world

S = Recommendation.Status


@pytest.fixture
def world(committed_db):
    empty_queue()
    yield committed_world()
    empty_queue()


def add_items(world, n) -> list[int]:
    """n new points in an article of their own (world["bulk_query"] filters the list to them),
    in their printed order; their ids."""
    item = world["item"]
    article = Article.objects.create(
        edition=item.article.edition, order=2, kind=Article.Kind.REFLECTION, title="批量文章"
    )
    world["bulk_query"] = f"article={article.pk}"
    Recommendation.objects.bulk_create(
        Recommendation(
            article=article,
            number=f"9.{k}",
            order=k + 1,
            depth=2,
            heading=f"批量条目{k}",
            text=f"批量条目{k}。",
        )
        for k in range(n)
    )
    return list(
        Recommendation.objects.filter(article=article).order_by("pk").values_list("pk", flat=True)
    )


def run_bulk_worker() -> subprocess.CompletedProcess:
    """One real worker on the bulk queue only, until it is empty. The items' notifications
    (queued by each assignment) stay queued: they are another test's business."""
    return subprocess.run(
        worker_command("--one-shot", "--queues", "bulk"),
        cwd=ROOT,
        env=worker_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def assign_everything_matching(client, world, query: str):
    return client.post(
        reverse("recommendation_bulk"),
        {
            "scope": "filter",
            "filter": query,
            "action": "assign",
            "lead_department": world["lead"].pk,
            "deadline": "2031-06-30",
            "next": f"/recommendations/?{query}",
        },
    )


def job_page(client, job) -> str:
    response = client.get(reverse("bulk_job", args=[job.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_5000_items_are_assigned_by_a_job_with_history_for_every_item(world):
    ids = add_items(world, 5000)
    staff = world["staff"]
    client = signed_in(staff)
    query = world["bulk_query"]

    response = assign_everything_matching(client, world, query)

    # The request only stores the selection and queues the job: nothing is changed yet.
    job = BulkJob.objects.get()
    assert response.status_code == 303
    assert response["Location"] == reverse("bulk_job", args=[job.pk])
    assert (job.total, job.processed, job.status) == (5000, 0, BulkJob.Status.QUEUED)
    assert job.ids == ids
    assert not Recommendation.objects.filter(pk__in=ids, status=S.ASSIGNED).exists()
    waiting = job_page(client, job)
    assert "等待处理" in waiting and "已处理 <strong>0</strong> / 5000 条" in waiting
    assert 'http-equiv="refresh"' in waiting
    # No worker runs yet: the page says so rather than reloading at 0 % for ever.
    assert "现在没有在运行的后台处理进程" in waiting

    worker = run_bulk_worker()

    assert worker.returncode == 0, worker.stderr
    job.refresh_from_db()
    assert (job.status, job.processed, job.changed, job.refused_count) == ("done", 5000, 5000, 0)
    assigned = Recommendation.objects.filter(
        pk__in=ids, status=S.ASSIGNED, lead_department=world["lead"]
    )
    assert assigned.count() == 5000
    # One history row per item, each with the user who sent the form and the job it ran in.
    events = RecommendationEvent.objects.filter(
        pgh_obj_id__in=ids, pgh_label="changed", status=S.ASSIGNED
    ).select_related("pgh_context")
    assert events.count() == 5000
    assert len({e.pgh_obj_id for e in events}) == 5000
    metadata = {
        (e.pgh_context.metadata["user"], e.pgh_context.metadata["bulk_job"]) for e in events
    }
    assert metadata == {(staff.pk, str(job.pk))}
    done = job_page(client, job)
    assert "已完成:5000 条建议已更改。" in done
    assert "已处理 <strong>5000</strong> / 5000 条" in done
    assert 'http-equiv="refresh"' not in done
    back = f"/recommendations/?{query}".replace("&", "&amp;")
    assert f'href="{back}"' in done  # back to the filtered list


def test_a_small_selection_stays_in_the_request(world):
    ids = add_items(world, jobs.sync_max())
    client = signed_in(world["staff"])

    response = assign_everything_matching(client, world, world["bulk_query"])

    assert response.status_code == 302
    assert not BulkJob.objects.exists()
    assert Recommendation.objects.filter(pk__in=ids, status=S.ASSIGNED).count() == len(ids)


@pytest.fixture
def failing_item():
    """A database error on updating one chosen item, as a broken constraint or a lost
    connection would raise it in the middle of a job."""
    chosen = []

    def arm(pk):
        chosen.append(pk)
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE FUNCTION bulk_test_fail() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'injected failure'; END $$"
            )
            cursor.execute(
                "CREATE TRIGGER bulk_test_fail BEFORE UPDATE ON recommendations_recommendation "
                f"FOR EACH ROW WHEN (OLD.id = {int(pk)}) EXECUTE FUNCTION bulk_test_fail()"
            )

    def disarm():
        with connection.cursor() as cursor:
            cursor.execute(
                "DROP TRIGGER IF EXISTS bulk_test_fail ON recommendations_recommendation"
            )
            cursor.execute("DROP FUNCTION IF EXISTS bulk_test_fail()")

    arm.disarm = disarm
    yield arm
    disarm()


def test_a_failing_chunk_stops_the_job_with_what_was_done_and_it_can_be_continued(
    world, failing_item
):
    ids = add_items(world, 450)
    client = signed_in(world["staff"])
    failing_item(ids[250])  # in the second chunk (items 201-400)
    assign_everything_matching(client, world, world["bulk_query"])
    job = BulkJob.objects.get()

    run_bulk_worker()

    job.refresh_from_db()
    assert (job.status, job.processed, job.changed) == ("failed", 200, 200)
    assert job.error.startswith("处理第 201–400 条时出错")
    assert "已处理 200 条(其中 200 条已更改),其余 250 条未处理。" in job.error
    # The first chunk is committed; the failing chunk rolled back whole, the rest untouched.
    status = dict(Recommendation.objects.filter(pk__in=ids).values_list("pk", "status"))
    assert [status[pk] for pk in ids] == [S.ASSIGNED] * 200 + [S.NEW] * 250
    page = job_page(client, job)
    assert "出错停止" in page and job.error in page
    assert "已处理 <strong>200</strong> / 450 条" in page
    assert "继续处理剩下的 250 条建议" in page
    assert 'http-equiv="refresh"' not in page

    failing_item.disarm()
    response = client.post(reverse("bulk_job_continue", args=[job.pk]))
    assert response.status_code == 302
    run_bulk_worker()

    job.refresh_from_db()
    assert (job.status, job.processed, job.changed, job.error) == ("done", 450, 450, "")
    assert Recommendation.objects.filter(pk__in=ids, status=S.ASSIGNED).count() == 450
    # The first 200 were not assigned twice.
    events = RecommendationEvent.objects.filter(pgh_obj_id__in=ids, status=S.ASSIGNED)
    assert events.count() == 450


def test_refused_items_are_listed_and_the_rest_done(world):
    ids = add_items(world, 300)
    Recommendation.objects.filter(pk__in=ids[:3]).update(
        status=S.ANSWERED, answer_category="A", reply="已采纳。", lead_department=world["lead"]
    )
    client = signed_in(world["staff"])
    assign_everything_matching(client, world, world["bulk_query"])
    job = BulkJob.objects.get()

    run_bulk_worker()

    job.refresh_from_db()
    assert (job.status, job.processed, job.changed, job.refused_count) == ("done", 300, 297, 3)
    page = job_page(client, job)
    assert "3 条未更改,原因见下。" in page
    for pk in ids[:3]:
        assert f'href="/recommendations/{pk}/"' in page
    assert Recommendation.objects.filter(pk__in=ids[:3], status=S.ANSWERED).count() == 3


def test_a_job_whose_user_lost_the_right_changes_nothing(world):
    ids = add_items(world, 250)
    staff = world["staff"]
    client = signed_in(staff)
    assign_everything_matching(client, world, world["bulk_query"])
    staff.groups.clear()  # the rules are checked again when the job runs

    run_bulk_worker()

    job = BulkJob.objects.get()
    assert job.status == "failed"
    assert job.error == "只有研判员可以交办建议。已处理 0 条(其中 0 条已更改),其余 250 条未处理。"
    assert not Recommendation.objects.filter(pk__in=ids, status=S.ASSIGNED).exists()


def test_only_its_sender_sees_a_job(world):
    add_items(world, 250)
    assign_everything_matching(signed_in(world["staff"]), world, world["bulk_query"])
    job = BulkJob.objects.get()

    for user in (world["staff2"], world["handler"]):
        assert signed_in(user).get(reverse("bulk_job", args=[job.pk])).status_code == 404
        refused = signed_in(user).post(reverse("bulk_job_continue", args=[job.pk]))
        assert refused.status_code == 404


def test_the_admins_select_all_travels_as_the_filter_and_runs_as_a_job(world, django_user_model):
    ids = add_items(world, 260)
    admin = django_user_model.objects.create_superuser("bulkadmin", "bulkadmin@example.test", "x")
    client = signed_in(admin)
    changelist = reverse("admin:recommendations_recommendation_changelist")
    changelist += "?" + urlencode({"q": "批量条目"})
    start = {"action": "bulk_assign", "select_across": "1", "index": "0"}

    confirm = client.post(changelist, {**start, "_selected_action": [ids[0]]})

    page = confirm.content.decode()
    assert confirm.status_code == 200
    assert "已选 260 条建议" in page
    # One id (the admin wants one), not one hidden field per item.
    assert page.count('name="_selected_action"') == 1
    assert 'name="select_across" value="1"' in page
    response = client.post(
        changelist,
        {
            "action": "bulk_assign",
            "select_across": "1",
            "_selected_action": [ids[0]],
            "apply": "1",
            "lead_department": world["lead"].pk,
            "deadline": "2031-06-30",
        },
    )
    job = BulkJob.objects.get()
    assert response.status_code == 303
    assert response["Location"] == reverse("bulk_job", args=[job.pk])
    assert job.back_url == changelist

    run_bulk_worker()

    job.refresh_from_db()
    assert (job.status, job.changed) == ("done", 260)
    users = {
        e.pgh_context.metadata["user"]
        for e in RecommendationEvent.objects.filter(pgh_obj_id__in=ids, status=S.ASSIGNED)
    }
    assert users == {admin.pk}
    assert "返回后台的建议列表" in job_page(client, job)


def test_a_stalled_job_says_so_and_can_be_continued(world):
    add_items(world, 250)
    client = signed_in(world["staff"])
    assign_everything_matching(client, world, world["bulk_query"])
    job = BulkJob.objects.get()
    # As a worker killed in the middle leaves it: running, no progress for long.
    BulkJob.objects.filter(pk=job.pk).update(
        status=BulkJob.Status.RUNNING,
        processed=200,
        changed=200,
        updated_at=job.updated_at - 2 * workflow_stale(),
    )

    page = job_page(client, job)

    assert "已中断" in page and "处理已中断" in page
    assert "继续处理剩下的 50 条建议" in page
    client.post(reverse("bulk_job_continue", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == BulkJob.Status.QUEUED


def workflow_stale():
    from bulk.models import STALE_AFTER

    return STALE_AFTER


def test_by_default_the_request_keeps_one_chunk():
    assert jobs.sync_max() == workflow.BULK_CHUNK == 200


def test_admins_see_every_job_read_only(world, django_user_model):
    add_items(world, 250)
    assign_everything_matching(signed_in(world["staff"]), world, world["bulk_query"])
    job = BulkJob.objects.get()
    admin = django_user_model.objects.create_superuser("jobadmin", "jobadmin@example.test", "x")
    client = signed_in(admin)

    listing = client.get(reverse("admin:bulk_bulkjob_changelist")).content.decode()
    change = client.get(reverse("admin:bulk_bulkjob_change", args=[job.pk]))

    assert "等待处理" in listing and "0 / 250" in listing and "staff_n" in listing
    assert change.status_code == 200
    assert 'name="summary"' not in change.content.decode()  # nothing to edit
    assert client.get(reverse("admin:bulk_bulkjob_add")).status_code == 403
    # Still queued (not running): an admin may delete it, and its worker then finds nothing.
    assert client.get(reverse("admin:bulk_bulkjob_delete", args=[job.pk])).status_code == 200
