"""The handling loop's rules (recommendations/workflow.py), step by step and window by window."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from handling import calendar, rules
from handling.models import (
    Answer,
    AuthorAccount,
    CoOpinion,
    Decision,
    ExtensionRequest,
    ProgressReport,
    Receipt,
    ReturnRequest,
    Verdict,
)
from recommendations import events, workflow
from recommendations.models import Byline, Person, Recommendation, User
from tests.conftest import make_user
from tests.handling_helpers import (
    S,
    answered_for_review,
    approved,
    assigned_working_days_ago,
    in_days,
    pdf_letter,
    signed,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def official_calendar(db):
    calendar.load_from_package()


class Heard:
    """The events emitted so far, as (kind, data). The test runs in one transaction that never
    commits, so the callbacks waiting for the commit are run here, as a commit would."""

    def __init__(self):
        self.sent = len(connection.run_on_commit)
        self.got = []

    def all(self):
        pending = connection.run_on_commit
        while self.sent < len(pending):
            pending[self.sent][1]()
            self.sent += 1
        return self.got


@pytest.fixture
def heard():
    result = Heard()

    def receiver(sender, recommendation_id, actor_id, data, **kwargs):
        result.got.append((sender, data))

    events.workflow_event.connect(receiver)
    yield result
    events.workflow_event.disconnect(receiver)


def kinds(heard):
    return [kind for kind, _data in heard.all()]


# --- 交办 ---------------------------------------------------------------------------------------


def test_assignment_records_when_and_the_rules_give_the_default_deadline(loop_item):
    assert loop_item.status == S.ASSIGNED
    assert loop_item.assigned_at is not None
    today = timezone.localdate()
    expected = calendar.next_working_day(
        calendar.add_months(today, rules.current().deadline_months)
    )
    assert loop_item.deadline == expected


def test_it_refuses_to_assign_a_container(section, item, staff, lead_department):
    Recommendation.objects.filter(pk=section.pk).update(is_container=True)
    section.refresh_from_db()
    with pytest.raises(workflow.WorkflowError, match="分组"):
        workflow.assign(section, staff, lead_department=lead_department, deadline=in_days(30))
    assert Recommendation.objects.get(pk=section.pk).status == S.NEW


# --- 签收 ---------------------------------------------------------------------------------------


def test_the_lead_handler_signs_and_the_work_starts(loop_item, handler, heard):
    workflow.receive(loop_item, handler)
    receipt = Receipt.objects.get(recommendation=loop_item)
    assert receipt.department_id == handler.department_id
    assert receipt.received_by == handler and receipt.received_at is not None
    assert receipt.late is False
    assert loop_item.status == S.IN_PROGRESS
    assert ("received", {"department_id": handler.department_id, "late": False}) in heard.all()


def test_a_co_department_signs_its_part_without_moving_the_item(loop_item, co_handler):
    workflow.receive(loop_item, co_handler)
    assert loop_item.status == S.ASSIGNED
    assert workflow.departments_to_sign(loop_item) == {loop_item.lead_department_id}


def test_a_receipt_after_the_window_is_marked_late(loop_item, handler):
    window = rules.current().receipt_window_days
    assigned_working_days_ago(loop_item, window + 1)
    workflow.receive(loop_item, handler)
    assert Receipt.objects.get(recommendation=loop_item).late is True


def test_a_receipt_on_the_last_day_of_the_window_is_on_time(loop_item, handler):
    assigned_working_days_ago(loop_item, rules.current().receipt_window_days)
    workflow.receive(loop_item, handler)
    assert Receipt.objects.get(recommendation=loop_item).late is False


def test_it_refuses_a_second_receipt_and_other_departments(loop_item, handler, other_handler):
    workflow.receive(loop_item, handler)
    with pytest.raises(workflow.WorkflowError):
        workflow.receive(loop_item, handler)
    with pytest.raises(workflow.PermissionDenied):
        workflow.receive(loop_item, other_handler)
    assert Receipt.objects.count() == 1


def test_a_new_lead_department_must_sign_again(loop_item, handler, staff, other_department):
    workflow.receive(loop_item, handler)
    workflow.assign(loop_item, staff, lead_department=other_department, deadline=in_days(60))
    assert workflow.departments_to_sign(loop_item) >= {other_department.pk}


# --- 申请退回/调整 --------------------------------------------------------------------------------


def test_the_lead_asks_to_return_within_the_window(loop_item, handler, other_department, heard):
    assigned_working_days_ago(loop_item, rules.current().return_window_days)
    assert workflow.can_request_return(handler, loop_item)
    request = workflow.request_return(
        loop_item, handler, reason="不属于本部门职责", suggested_department=other_department
    )
    assert request.decision == Decision.OPEN
    assert "return_requested" in kinds(heard)
    # One open request at a time.
    assert not workflow.can_request_return(handler, loop_item)
    with pytest.raises(workflow.WorkflowError, match="待审批"):
        workflow.request_return(loop_item, handler, reason="再次申请")


def test_it_refuses_a_return_request_after_the_window(loop_item, handler):
    assigned_working_days_ago(loop_item, rules.current().return_window_days + 1)
    assert not workflow.can_request_return(handler, loop_item)
    with pytest.raises(workflow.WorkflowError, match="已超过申请退回的期限"):
        workflow.request_return(loop_item, handler, reason="太晚了")
    assert not ReturnRequest.objects.exists()


def test_the_windows_count_working_days_across_a_holiday(loop_item):
    # Assigned on Monday 2024-09-30: National Day (10-01 … 10-07) is off, Saturday 10-12 is a
    # shifted working day (the 5th). The seventh working day is Tuesday 10-15.
    start = datetime.date(2024, 9, 30)
    assert calendar.add_working_days(start, 7) == datetime.date(2024, 10, 15)
    assert calendar.working_days_between(start, datetime.date(2024, 10, 12)) == 5
    assert calendar.working_days_between(start, datetime.date(2024, 10, 16)) == 8
    moment = timezone.make_aware(datetime.datetime(2024, 9, 30, 9, 0))
    Recommendation.objects.filter(pk=loop_item.pk).update(assigned_at=moment)
    loop_item.refresh_from_db()
    assert workflow.return_window_open(loop_item, datetime.date(2024, 10, 15))
    assert not workflow.return_window_open(loop_item, datetime.date(2024, 10, 16))
    # Receipt within two working days: the holiday week does not count against it.
    assert not workflow.receipt_is_late(loop_item, datetime.date(2024, 10, 7))
    assert not workflow.receipt_is_late(loop_item, datetime.date(2024, 10, 9))
    assert workflow.receipt_is_late(loop_item, datetime.date(2024, 10, 10))


def test_it_refuses_a_return_request_without_a_reason(loop_item, handler):
    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.request_return(loop_item, handler, reason="  ")
    assert refused.value.field == "reason"


def test_approving_a_return_sends_the_item_back_to_triage(loop_item, handler, staff, heard):
    workflow.request_return(loop_item, handler, reason="不属于本部门职责")
    workflow.decide_return(loop_item, staff, outcome=workflow.ReturnOutcome.TRIAGE)
    assert loop_item.status == S.NEW
    assert loop_item.lead_department is None and loop_item.deadline is None
    assert not loop_item.co_departments.exists()
    assert ReturnRequest.objects.get().decision == Decision.APPROVED
    assert (
        "return_decided",
        {"approved": True, "note": "", "department_id": handler.department_id},
    ) in heard.all()


def test_approving_a_return_can_hand_it_to_the_suggested_department(
    loop_item, handler, staff, other_department
):
    workflow.request_return(
        loop_item, handler, reason="属区教委职责", suggested_department=other_department
    )
    workflow.decide_return(loop_item, staff, outcome=workflow.ReturnOutcome.SUGGESTED)
    assert loop_item.status == S.ASSIGNED
    assert loop_item.lead_department == other_department
    assert loop_item.deadline == rules.current().default_deadline(timezone.localdate())


def test_rejecting_a_return_needs_a_note_and_keeps_the_assignment(loop_item, handler, staff):
    workflow.request_return(loop_item, handler, reason="不属于本部门职责")
    with pytest.raises(workflow.WorkflowError, match="说明"):
        workflow.decide_return(loop_item, staff, outcome=workflow.ReturnOutcome.REJECT)
    workflow.decide_return(
        loop_item, staff, outcome=workflow.ReturnOutcome.REJECT, note="属于本部门职责"
    )
    request = ReturnRequest.objects.get()
    assert request.decision == Decision.REJECTED and request.decision_note == "属于本部门职责"
    assert loop_item.lead_department_id == handler.department_id


# --- 申请延期 -----------------------------------------------------------------------------------


def test_an_extension_within_the_cap_is_approved(loop_item, handler, staff, heard):
    cap = workflow.extension_cap(loop_item)
    workflow.request_extension(loop_item, handler, requested_deadline=cap, reason="需要调研")
    workflow.decide_extension(loop_item, staff, approve=True)
    assert loop_item.deadline == cap
    assert ExtensionRequest.objects.get().decision == Decision.APPROVED
    assert {"extension_requested", "extension_decided"} <= set(kinds(heard))


def test_it_refuses_an_extension_beyond_the_cap(loop_item, handler):
    cap = workflow.extension_cap(loop_item)
    with pytest.raises(workflow.WorkflowError, match="不能晚于") as refused:
        workflow.request_extension(
            loop_item,
            handler,
            requested_deadline=cap + datetime.timedelta(days=1),
            reason="需要更久",
        )
    assert refused.value.field == "requested_deadline"
    assert not ExtensionRequest.objects.exists()


def test_it_refuses_an_extension_after_the_deadline(loop_item, handler):
    Recommendation.objects.filter(pk=loop_item.pk).update(deadline=in_days(-1))
    loop_item.refresh_from_db()
    assert not workflow.can_request_extension(handler, loop_item)
    with pytest.raises(workflow.WorkflowError, match="已超过办理期限"):
        workflow.request_extension(loop_item, handler, requested_deadline=in_days(30), reason="晚")


def test_it_refuses_an_extension_that_is_not_later(loop_item, handler):
    with pytest.raises(workflow.WorkflowError, match="必须晚于"):
        workflow.request_extension(
            loop_item, handler, requested_deadline=loop_item.deadline, reason="同一天"
        )


def test_a_rejected_extension_keeps_the_deadline(loop_item, handler, staff):
    before = loop_item.deadline
    workflow.request_extension(loop_item, handler, requested_deadline=in_days(120), reason="调研")
    workflow.decide_extension(loop_item, staff, approve=False, note="按期办理")
    assert loop_item.deadline == before
    assert ExtensionRequest.objects.get().decision == Decision.REJECTED


# --- 协办意见 -----------------------------------------------------------------------------------


def test_a_co_department_writes_and_revises_its_opinion(loop_item, co_handler, handler, heard):
    workflow.save_opinion(loop_item, co_handler, "建议统筹算力资源。")
    workflow.save_opinion(loop_item, co_handler, "建议统筹算力资源,并共享数据。")
    opinion = CoOpinion.objects.get()
    assert opinion.body == "建议统筹算力资源,并共享数据。"
    assert kinds(heard).count("co_opinion") == 2
    with pytest.raises(workflow.PermissionDenied):
        workflow.save_opinion(loop_item, handler, "主办不写协办意见")


def test_the_opinion_is_closed_once_the_lead_answers(loop_item, co_handler, handler):
    workflow.save_opinion(loop_item, co_handler, "意见")
    answered_for_review(loop_item, handler)
    assert not workflow.can_write_opinion(co_handler, loop_item)
    with pytest.raises(workflow.WorkflowError, match="不能再修改"):
        workflow.save_opinion(loop_item, co_handler, "改一改")


def test_answering_with_an_opinion_missing_needs_a_recorded_confirmation(
    loop_item, handler, co_department
):
    signed(loop_item, handler)
    with pytest.raises(workflow.WorkflowError, match=co_department.name) as refused:
        workflow.submit_answer(loop_item, handler, answer_category="A", reply="已落实。")
    assert refused.value.field == "confirm_missing"
    assert loop_item.status == S.IN_PROGRESS
    workflow.submit_answer(
        loop_item, handler, answer_category="A", reply="已落实。", confirm_missing=True
    )
    assert Answer.objects.get().missing_opinions == co_department.name


def test_no_confirmation_is_needed_once_every_opinion_is_in(loop_item, handler, co_handler):
    workflow.save_opinion(loop_item, co_handler, "同意")
    signed(loop_item, handler)
    workflow.submit_answer(loop_item, handler, answer_category="A", reply="已落实。")
    assert Answer.objects.get().missing_opinions == ""


# --- 答复 and 审核 --------------------------------------------------------------------------------


def test_it_refuses_an_answer_before_the_receipt(loop_item, handler):
    with pytest.raises(workflow.WorkflowError, match="签收"):
        workflow.submit_answer(
            loop_item, handler, answer_category="A", reply="已落实。", confirm_missing=True
        )


def test_a_b_answer_needs_a_promised_date(loop_item, handler):
    signed(loop_item, handler)
    with pytest.raises(workflow.WorkflowError, match="承诺完成日期") as refused:
        workflow.submit_answer(
            loop_item, handler, answer_category="B", reply="列入计划。", confirm_missing=True
        )
    assert refused.value.field == "promised_on"
    assert not Answer.objects.exists()


def test_an_answer_goes_to_review_and_staff_approve_it(loop_item, handler, staff, heard):
    answered_for_review(loop_item, handler, category="B", promised_on=in_days(40))
    assert loop_item.status == S.REVIEW
    assert loop_item.promised_on == in_days(40)
    workflow.review_answer(loop_item, staff, approve=True)
    assert loop_item.status == S.ANSWERED and loop_item.answered_at is not None
    assert Answer.objects.get().review == Answer.Review.APPROVED
    assert {"answer_submitted", "answer_approved"} <= set(kinds(heard))


def test_staff_return_an_answer_with_a_note_and_every_version_is_kept(loop_item, handler, staff):
    answered_for_review(loop_item, handler)
    with pytest.raises(workflow.WorkflowError, match="审核意见"):
        workflow.review_answer(loop_item, staff, approve=False)
    workflow.review_answer(loop_item, staff, approve=False, note="未逐条答复")
    assert loop_item.status == S.IN_PROGRESS and loop_item.status_note == "未逐条答复"
    workflow.submit_answer(
        loop_item, handler, answer_category="A", reply="逐条答复如下。", confirm_missing=True
    )
    versions = list(Answer.objects.order_by("number").values_list("number", "review", "reply"))
    assert versions == [
        (1, Answer.Review.RETURNED, "已会同有关部门研究落实。"),
        (2, Answer.Review.PENDING, "逐条答复如下。"),
    ]


def test_a_handler_can_no_longer_close_an_item_himself(loop_item, handler):
    signed(loop_item, handler)
    assert workflow.allowed_transitions(handler, loop_item) == []
    with pytest.raises(workflow.WorkflowError):
        workflow.transition(loop_item, handler, S.ANSWERED, answer_category="A", reply="自己办结")


def test_the_letter_is_kept_through_the_storage(loop_item, handler, media_root):
    answered_for_review(loop_item, handler, letter=pdf_letter())
    answer = Answer.objects.get()
    assert answer.letter_name == "答复函.pdf"
    with answer.letter.open("rb") as stored:
        assert stored.read().startswith(b"%PDF-")


# --- 评价 ---------------------------------------------------------------------------------------


def test_staff_record_satisfaction_for_the_author(loop_item, handler, staff, heard):
    approved(loop_item, handler, staff)
    workflow.record_verdict(loop_item, staff, level="satisfied")
    verdict = Verdict.objects.get()
    assert verdict.on_behalf is True and verdict.answer_round == 1
    assert loop_item.status == S.ANSWERED
    assert not workflow.can_give_verdict(staff, loop_item)
    assert "verdict" in kinds(heard)


def test_unsatisfied_opens_a_second_round_through_review_again(loop_item, handler, staff):
    approved(loop_item, handler, staff)
    with pytest.raises(workflow.WorkflowError, match="原因"):
        workflow.record_verdict(loop_item, staff, level="unsatisfied")
    workflow.record_verdict(loop_item, staff, level="unsatisfied", note="没有回应核心诉求")
    today = timezone.localdate()
    assert loop_item.status == S.IN_PROGRESS
    assert loop_item.answer_round == 2
    assert loop_item.deadline == rules.current().second_round_deadline(today)
    assert loop_item.answered_at is None
    workflow.submit_answer(
        loop_item, handler, answer_category="A", reply="第二轮答复。", confirm_missing=True
    )
    assert loop_item.status == S.REVIEW
    workflow.review_answer(loop_item, staff, approve=True)
    assert Answer.objects.filter(answer_round=2, review=Answer.Review.APPROVED).exists()
    # The second round's answer is rated again; another 不满意 opens no third round.
    workflow.record_verdict(loop_item, staff, level="unsatisfied", note="仍不满意")
    assert loop_item.status == S.ANSWERED and loop_item.answer_round == 2


def test_the_author_rates_when_an_account_is_linked(loop_item, handler, staff, article):
    person = Person.objects.create(name="张三")
    Byline.objects.create(article=article, person=person, role=Byline.Role.AUTHOR)
    author = make_user("zhangsan", "viewer")
    stranger = make_user("lisi", "viewer")
    approved(loop_item, handler, staff)
    assert not workflow.can_give_verdict(author, loop_item)
    AuthorAccount.objects.create(user=author, person=person)
    author = User.objects.get(pk=author.pk)  # a new request reads the link afresh
    assert workflow.can_give_verdict(author, loop_item)
    with pytest.raises(workflow.PermissionDenied):
        workflow.record_verdict(loop_item, stranger, level="satisfied")
    workflow.record_verdict(loop_item, author, level="basically", note="基本解决")
    assert Verdict.objects.get().on_behalf is False


def test_it_refuses_a_verdict_before_the_item_is_answered(loop_item, staff):
    with pytest.raises(workflow.WorkflowError, match="已办结"):
        workflow.record_verdict(loop_item, staff, level="satisfied")


# --- 跟踪 ---------------------------------------------------------------------------------------


def test_a_b_answer_is_followed_up_from_its_promised_date(loop_item, handler, staff, heard):
    approved(loop_item, handler, staff, category="B", promised_on=in_days(10))
    due = Recommendation.objects.follow_up_due
    assert not due(today=in_days(9)).filter(pk=loop_item.pk).exists()
    assert due(today=in_days(10)).filter(pk=loop_item.pk).exists()
    workflow.report_progress(loop_item, handler, "一期工程已开工。")
    workflow.report_progress(loop_item, handler, "一期工程已完工。")
    assert list(ProgressReport.objects.values_list("body", flat=True)) == [
        "一期工程已开工。",
        "一期工程已完工。",
    ]
    workflow.finish_follow_up(loop_item, staff)
    assert loop_item.answer_category == "A"
    assert not due(today=in_days(10)).filter(pk=loop_item.pk).exists()
    assert {"progress_reported", "follow_up_done"} <= set(kinds(heard))


def test_it_refuses_progress_reports_on_items_not_followed_up(loop_item, handler, staff):
    approved(loop_item, handler, staff, category="A")
    with pytest.raises(workflow.WorkflowError, match="B 类"):
        workflow.report_progress(loop_item, handler, "进展")
    with pytest.raises(workflow.WorkflowError, match="B 类"):
        workflow.finish_follow_up(loop_item, staff)


# --- points and containers ----------------------------------------------------------------------


def test_a_container_is_not_awaiting_triage_and_rolls_up_its_points(
    section, item, staff, lead_department
):
    Recommendation.objects.filter(pk=section.pk).update(is_container=True)
    section.refresh_from_db()
    awaiting = set(Recommendation.objects.awaiting_triage().values_list("pk", flat=True))
    assert section.pk not in awaiting and item.pk in awaiting
    assert workflow.rollup(section) == {"total": 1, "answered": 0, "overdue": 0}
    Recommendation.objects.filter(pk=item.pk).update(
        status=S.ASSIGNED, lead_department=lead_department, deadline=in_days(-1)
    )
    assert workflow.rollup(section) == {"total": 1, "answered": 0, "overdue": 1}


def test_staff_turn_a_container_into_a_point_and_back(section, item, staff):
    workflow.set_container(section, staff, True)
    assert section.is_container
    workflow.set_container(section, staff, False)
    assert not section.is_container
    with pytest.raises(workflow.WorkflowError, match="下级"):
        workflow.set_container(item, staff, True)


def test_history_shows_every_step(loop_item, handler, co_handler, staff):
    from handling.history import loop_history

    workflow.receive(loop_item, handler)
    workflow.request_extension(loop_item, handler, requested_deadline=in_days(120), reason="调研")
    workflow.decide_extension(loop_item, staff, approve=True)
    workflow.save_opinion(loop_item, co_handler, "同意")
    answered_for_review(loop_item, handler)
    workflow.review_answer(loop_item, staff, approve=True)
    fields = [(e.field, e.kind) for e in loop_history(loop_item)]
    assert ("签收记录", "added") in fields
    assert ("延期申请", "added") in fields
    assert ("延期申请·审批结果", "changed") in fields
    assert ("协办意见", "added") in fields
    assert ("答复版本", "added") in fields
    assert ("答复版本·审核结果", "changed") in fields
    decided = next(e for e in loop_history(loop_item) if e.field == "延期申请·审批结果")
    assert (decided.old, decided.new, decided.user) == ("待审批", "已同意", staff)
