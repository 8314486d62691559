"""The steps of the handling loop on one item, and the download of a signed answer letter.

Each step is a POST-only view (a GET of its URL lands on the item) that follows
views/actions.py: a guard that refuses with 403 a user who may never take the step on this item,
then the shared `_apply` (bad input, a stale page or a step out of turn → a redirect to the item,
whose page shows the form again with the error and what was typed), then a message and a
redirect to the item. The rules themselves are in
recommendations/workflow.py; the forms each step offers are built in handling/panel.py.
"""

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from handling import forms
from handling.models import Answer
from recommendations import workflow
from recommendations.views.actions import _apply, _done, _get_rec, item_action


def _guard(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _is_handler_of(user, rec) -> bool:
    return workflow.is_lead_handler(user, rec) or workflow.is_co_handler(user, rec)


def _step(form_class, form_key, write, message, *, anchor="#handling", files=False, **form_kwargs):
    """Run one step: `write(request, rec, cleaned_data)` inside the shared refusals."""

    def make_form(request, data, current):
        return form_class(data, request.FILES if files else None, **form_kwargs)

    def run(request, rec):
        form = make_form(request, request.POST, rec)
        refused = _apply(
            request, rec, form, form_key, make_form, lambda data: write(request, rec, data)
        )
        return refused or _done(
            request, rec, message if isinstance(message, str) else message(rec), anchor
        )

    return run


@item_action
def receive(request, pk):
    rec = _get_rec(pk)
    _guard(_is_handler_of(request.user, rec), _("只有主办或协办部门的承办人可以签收。"))

    def write(request, rec, data):
        workflow.receive(rec, request.user, expected_version=data["version"])

    return _step(forms.ReceiveForm, "receive_form", write, _("已签收。"))(request, rec)


@item_action
def set_container(request, pk):
    rec = _get_rec(pk)
    _guard(workflow.can_set_container(request.user, rec), _("只有研判员可以更改条目类型。"))

    def write(request, rec, data):
        workflow.set_container(
            rec, request.user, data["is_container"], expected_version=data["version"]
        )

    def message(rec):
        return _("已改为分组条目。") if rec.is_container else _("已改为要点,可以交办。")

    return _step(forms.ContainerForm, "container_form", write, message)(request, rec)


@item_action
def request_return(request, pk):
    rec = _get_rec(pk)
    _guard(workflow.is_lead_handler(request.user, rec), _("只有主办部门的承办人可以申请退回。"))

    def write(request, rec, data):
        workflow.request_return(
            rec,
            request.user,
            reason=data["reason"],
            suggested_department=data["suggested_department"],
        )

    return _step(
        forms.ReturnRequestForm, "return_form", write, _("退回申请已提交,等待研判员审批。")
    )(request, rec)


@item_action
def decide_return(request, pk):
    rec = _get_rec(pk)
    _guard(workflow.is_staff(request.user), _("只有研判员可以审批退回申请。"))

    def write(request, rec, data):
        workflow.decide_return(
            rec,
            request.user,
            outcome=data["outcome"],
            note=data["note"],
            expected_version=data["version"],
        )

    return _step(forms.ReturnDecisionForm, "return_decision_form", write, _("退回申请已审批。"))(
        request, rec
    )


@item_action
def request_extension(request, pk):
    rec = _get_rec(pk)
    _guard(workflow.is_lead_handler(request.user, rec), _("只有主办部门的承办人可以申请延期。"))

    def write(request, rec, data):
        workflow.request_extension(
            rec, request.user, requested_deadline=data["requested_deadline"], reason=data["reason"]
        )

    return _step(
        forms.ExtensionRequestForm, "extension_form", write, _("延期申请已提交,等待研判员审批。")
    )(request, rec)


@item_action
def decide_extension(request, pk):
    rec = _get_rec(pk)
    _guard(workflow.is_staff(request.user), _("只有研判员可以审批延期申请。"))

    def write(request, rec, data):
        workflow.decide_extension(
            rec,
            request.user,
            approve=data["approve"],
            note=data["note"],
            expected_version=data["version"],
        )

    return _step(
        forms.ExtensionDecisionForm, "extension_decision_form", write, _("延期申请已审批。")
    )(request, rec)


@item_action
def save_opinion(request, pk):
    rec = _get_rec(pk)
    _guard(workflow.is_co_handler(request.user, rec), _("只有协办部门的承办人可以填写协办意见。"))

    def write(request, rec, data):
        workflow.save_opinion(rec, request.user, data["body"])

    return _step(forms.OpinionForm, "opinion_form", write, _("协办意见已保存。"))(request, rec)


@item_action
def submit_answer(request, pk):
    rec = _get_rec(pk)
    _guard(workflow.is_lead_handler(request.user, rec), _("只有主办部门的承办人可以答复。"))

    def write(request, rec, data):
        workflow.submit_answer(
            rec,
            request.user,
            answer_category=data["answer_category"],
            reply=data["reply"],
            promised_on=data["promised_on"],
            letter=data["letter"],
            confirm_missing=data.get("confirm_missing", False),
            expected_version=data["version"],
        )

    return _step(
        forms.AnswerForm, "answer_form", write, _("答复已提交,等待研判员审核。"), files=True
    )(request, rec)


@item_action
def review_answer(request, pk):
    rec = _get_rec(pk)
    _guard(workflow.is_staff(request.user), _("只有研判员可以审核答复。"))

    def write(request, rec, data):
        workflow.review_answer(
            rec,
            request.user,
            approve=data["approve"],
            note=data["note"],
            expected_version=data["version"],
        )

    def message(rec):
        if rec.status == workflow.S.ANSWERED:
            return _("答复已审核通过,建议已办结。")
        return _("答复已退回主办部门修改。")

    return _step(forms.ReviewForm, "review_form", write, message)(request, rec)


@item_action
def record_verdict(request, pk):
    rec = _get_rec(pk)
    _guard(
        workflow.is_staff(request.user) or workflow.is_author_of(request.user, rec),
        _("只有研判员或建议作者本人可以填写满意度评价。"),
    )

    def write(request, rec, data):
        workflow.record_verdict(
            rec,
            request.user,
            level=data["level"],
            note=data["note"],
            expected_version=data["version"],
        )

    def message(rec):
        if rec.status == workflow.S.IN_PROGRESS:
            return _("已记录“不满意”,建议进入第二轮办理。")
        return _("满意度评价已记录。")

    return _step(forms.VerdictForm, "verdict_form", write, message)(request, rec)


@item_action
def report_progress(request, pk):
    rec = _get_rec(pk)
    _guard(workflow.is_lead_handler(request.user, rec), _("只有主办部门的承办人可以填报进展。"))

    def write(request, rec, data):
        workflow.report_progress(rec, request.user, data["body"])

    return _step(forms.ProgressForm, "progress_form", write, _("进展情况已填报。"))(request, rec)


@item_action
def finish_follow_up(request, pk):
    rec = _get_rec(pk)
    _guard(workflow.is_staff(request.user), _("只有研判员可以更改答复类别。"))

    def write(request, rec, data):
        workflow.finish_follow_up(
            rec, request.user, note=data["note"], expected_version=data["version"]
        )

    return _step(forms.FinishFollowUpForm, "finish_form", write, _("已改为 A 类(已解决)。"))(
        request, rec
    )


@item_action
def close_dropped(request, pk):
    rec = _get_rec(pk)
    _guard(workflow.is_staff(request.user), _("只有研判员可以决定已从原文移除的条目不再办理。"))

    def write(request, rec, data):
        workflow.close_dropped(
            rec, request.user, note=data["note"], expected_version=data["version"]
        )

    return _step(forms.CloseDroppedForm, "dropped_form", write, _("已确定不再办理(原文已移除)。"))(
        request, rec
    )


@require_safe
def answer_letter(request, pk):
    """The signed letter of one answer version, for any signed-in user (the middleware requires
    sign-in). Always a download: it never opens, let alone runs, in the browser."""
    answer = get_object_or_404(Answer, pk=pk)
    if not answer.letter:
        raise Http404(_("这一版答复没有答复函。"))
    try:
        handle = answer.letter.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("答复函文件不存在。")) from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=answer.letter_name or answer.letter.name.rsplit("/", 1)[-1],
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response
