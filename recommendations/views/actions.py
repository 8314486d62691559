"""Write actions on recommendations: tags, assignment, status, reply, comments, bulk actions.

Every view here writes on POST only (a GET of its URL is sent to the page of its form), checks
the user's right on the server through workflow.py (403), and follows post/redirect/get: on
success a message and a redirect to the item (or a safe `next`); on bad input or a version
conflict a redirect to the item too, whose page shows the form again with the error beside the
field and the user's typed values kept (`_refuse`). After a conflict that page shows the current
state of the item together with what the user typed, so nothing of either save is lost.
"""

import hashlib
from functools import wraps
from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.db import transaction
from django.forms import BaseForm
from django.forms.utils import ErrorDict
from django.http import HttpResponseNotAllowed, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from bulk import jobs as bulk_jobs
from bulk.views import job_url as bulk_job_url
from handling import panel, rules
from handling.history import loop_history, loop_rows, merge_history, models_present
from recommendations import workflow
from recommendations.forms import (
    AssignForm,
    BulkForm,
    CommentForm,
    ReplyForm,
    TagForm,
    TransitionForm,
)
from recommendations.history import build_history
from recommendations.models import Recommendation, Tag

# How many refused items a bulk status change names one by one in its messages.
MAX_REFUSALS_LISTED = 20


# --- context for the detail and list pages ---------------------------------------------------


def action_context(
    request,
    rec,
    *,
    departments=None,
    tags=None,
    rec_tags=None,
    co_departments=None,
    **bound_forms,
) -> dict:
    """What _actions.html, _history.html and _comments.html need for `rec`.

    The detail view calls this with no forms; after a refused post the action view has put the
    bound form that failed on the request, so that it shows the error and what the user typed.
    A form is None when the user may not use it, so the page offers only what the server would
    accept (and the server checks again on every post).

    The detail view also passes what it has already fetched, so that nothing here is read twice:
    every department and tag (the forms' choices and the names in the history) and the item's own
    tags and co-departments. Without them this reads what it needs itself.
    """
    user = request.user
    may_triage = workflow.can_triage(user)
    may_reply = workflow.can_reply(user, rec)
    may_comment = workflow.can_comment(user, rec)
    allowed = workflow.allowed_transitions(user, rec)
    version = {"version": rec.version}
    context = {
        "action_rec": rec,
        "can_triage": may_triage,
        "can_reply": may_reply,
        "can_comment": may_comment,
        "allowed_transitions": allowed,
        "tag_form": None,
        "assign_form": None,
        "transition_form": None,
        "reply_form": None,
        "comment_form": CommentForm() if may_comment else None,
        "history": build_history(
            rec,
            departments=_names(departments),
            tags=_names(tags),
        ),
        "comments": rec.comments.select_related("author__department").order_by("created_at", "pk"),
    }
    if may_triage:
        if rec_tags is None:
            rec_tags = rec.tags.all()
        if co_departments is None:
            co_departments = rec.co_departments.all()
        ids = sorted(t.pk for t in rec_tags)
        context["tag_form"] = TagForm(
            initial={**version, "tags": ids, "base": ",".join(map(str, ids))}
        )
    if workflow.can_assign(user, rec):
        context["assign_form"] = AssignForm(
            initial={
                **version,
                "lead_department": rec.lead_department_id,
                "co_departments": [d.pk for d in co_departments],
                # The rules' default (three months on) until a deadline is set.
                "deadline": rec.deadline or rules.current().default_deadline(timezone.localdate()),
            },
            current_deadline=rec.deadline,
        )
    if allowed:
        context["transition_form"] = TransitionForm(
            allowed=allowed,
            initial={**version, "answer_category": rec.answer_category, "reply": rec.reply},
        )
    if may_reply and workflow.is_staff(user) and rec.status in Recommendation.ASSIGNED_STATUSES:
        # Staff may write a reply at any time, but before 交办 the form would only distract.
        # The lead department answers through the loop's answer form (handling/panel.py).
        context["reply_form"] = ReplyForm(
            initial={**version, "answer_category": rec.answer_category, "reply": rec.reply}
        )
    # The handling loop's records and step forms (receipt, requests, opinions, answers …).
    rows = loop_rows(rec)
    context.update(
        panel.context(
            user,
            rec,
            departments=departments,
            co_departments=co_departments,
            present=models_present(rows),
        )
    )
    context["history"] = merge_history(
        context["history"], loop_history(rec, rows, departments=_names(departments))
    )
    # A refused post shows its form again, with the error and what the user typed.
    context.update(getattr(request, "bound_action_forms", {}))
    context.update(bound_forms)
    if may_triage:
        merge = tag_merge(context["tag_form"], rec, rec_tags, tags, context["history"])
        if merge is not None:
            context["tag_merge"], context["tag_form"] = merge
    # Every form shown, a refused one included, renders its choices from the lists given.
    if tags is not None and context["tag_form"] is not None:
        context["tag_form"].use_choices(tags)
    if departments is not None and context["assign_form"] is not None:
        context["assign_form"].use_choices(departments)
    return context


def tag_merge(form, rec, rec_tags, tags, history):
    """After a tag save refused as stale (409): what the other person changed since the user's
    page was loaded (with who and when, from the history), the user's own change, and the tag
    form bound to the user's change applied on top of the current tags, at the current version.

    Resubmitting the user's whole set would drop the other person's tag; the user's change is
    their additions and removals against the tags their page showed (the form's `base`).
    Returns (merge, form), or None when `form` is not such a refusal (or an old page without
    `base`, which keeps the plain conflict form)."""
    if form is None or not form.is_bound:
        return None
    if workflow.conflict_message() not in form.non_field_errors():
        return None
    base = TagForm.ids(form.data.get("base"))
    if base is None:
        return None
    mine = {int(v) for v in form.data.getlist("tags") if str(v).isdigit()}
    current = {t.pk for t in rec_tags}
    added, removed = mine - base, base - mine
    merged = (current | added) - removed
    names = {t.pk: t.name for t in (tags if tags is not None else Tag.objects.all())}

    def by_whom(pk, kind):
        # The latest history entry that made this change, by the tag's name (as the history
        # shows it); none when the tag was renamed since.
        label, name = _("标签"), names.get(pk, "")
        for entry in reversed(history):
            if entry.field == label and entry.kind == kind and name in (entry.new, entry.old):
                return entry
        return None

    other = [
        {"name": names.get(pk, ""), "added": kind == "added", "entry": by_whom(pk, kind)}
        for kind, pks in (("added", current - base), ("removed", base - current))
        for pk in sorted(pks, key=lambda pk: names.get(pk, ""))
    ]
    merge = {
        "other": other,
        "mine_added": sorted(names.get(pk, "") for pk in added),
        "mine_removed": sorted(names.get(pk, "") for pk in removed),
        "new_tag": form.data.get("new_tag", ""),
    }
    data = QueryDict(mutable=True)
    data["version"] = str(rec.version)
    data.setlist("tags", [str(pk) for pk in sorted(merged)])
    data["base"] = ",".join(str(pk) for pk in sorted(current))
    data["new_tag"] = merge["new_tag"]
    proposal = TagForm(data)
    _show_errors(proposal, {NON_FIELD_ERRORS: [workflow.conflict_message()]})
    return merge, proposal


def _names(objects) -> dict[int, str] | None:
    return None if objects is None else {obj.pk: obj.name for obj in objects}


def bulk_context(request, form=None, *, departments=None, tags=None) -> dict:
    """What _bulk_actions.html needs inside the list page's bulk form. The list passes the
    departments and tags it has already fetched for its facets."""
    may = workflow.can_triage(request.user)
    form = (form or BulkForm()) if may else None
    choices_key = None
    if form is not None and departments is not None and tags is not None:
        form.use_choices(departments, tags)
        # The unbound form renders the same for every list page until a department or tag
        # changes; the template caches it under this key (form widgets are slow to render).
        names = [(d.pk, d.name) for d in departments], [(t.pk, t.name) for t in tags]
        choices_key = hashlib.sha256(repr(names).encode()).hexdigest()
    return {
        "can_bulk": may,
        "bulk_form": form,
        "bulk_choices_key": choices_key,
        "bulk_sync_max": bulk_jobs.sync_max(),
    }


# --- helpers ---------------------------------------------------------------------------------


def _get_rec(pk) -> Recommendation:
    return get_object_or_404(
        Recommendation.objects.select_related("article", "lead_department"), pk=pk
    )


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


# --- post/redirect/get for a refused form -----------------------------------------------------
#
# A refused post does not render the item page at the action URL: reloading or sharing that
# address would then answer 405. It stores the refused form (what the user typed and the errors)
# in the session and redirects to the item (303), whose page takes the form back once and shows
# it with the error (take_refused, called by views/detail.py). An uploaded file cannot travel
# this way; a browser never keeps it in a re-rendered form either, so nothing is lost by it.

REFUSED_SESSION_KEY = "refused_forms"
# The HTML id of each refused form, so that the redirect lands the user on it; the others are
# "<key>-form" (templates/recommendations/_actions.html, handling/_panel.html, _supervision.html).
_FORM_ANCHORS = {"tag_form": "tags-form", "supervision_form": "supervise-form"}


def _refuse(request, rec, status: int, **bound_forms):
    """Keep the refused forms for the item page and send the browser there (see above)."""
    if status == 400:
        messages.error(request, _("未保存:请修正下面标出的问题。"))
    stored = {
        key: {
            "form": f"{type(form).__module__}.{type(form).__qualname__}",
            "data": {k: v for k, v in form.data.lists() if k != "csrfmiddlewaretoken"},
            "errors": {
                field: [error["message"] for error in errors]
                for field, errors in form.errors.get_json_data().items()
            },
        }
        for key, form in bound_forms.items()
    }
    # One entry, for this item: it is taken by the next view of the item, which is the redirect.
    request.session[REFUSED_SESSION_KEY] = {"item": rec.pk, "forms": stored}
    key = next(iter(bound_forms))
    anchor = _FORM_ANCHORS.get(key, key.removesuffix("_form").replace("_", "-") + "-form")
    response = redirect(f"{rec.get_absolute_url()}#{anchor}")
    response.status_code = 303  # See Other: the browser fetches the item with GET
    return response


def take_refused(request, pk) -> dict:
    """The forms a refused post on item `pk` left in the session, bound again to what the user
    typed and carrying the errors they were refused with; {} when there are none. Each is taken
    once, so a later reload shows the item as it is."""
    stored = request.session.get(REFUSED_SESSION_KEY)
    if not stored or stored.get("item") != pk:
        return {}
    del request.session[REFUSED_SESSION_KEY]
    rec = _get_rec(pk)
    forms = {}
    for key, entry in stored["forms"].items():
        form_class = import_string(entry["form"])
        if not (isinstance(form_class, type) and issubclass(form_class, BaseForm)):
            continue
        data = QueryDict(mutable=True)
        for name, values in entry["data"].items():
            data.setlist(name, values)
        form = _REBUILD.get(form_class, _plain(form_class))(request, data, rec)
        # The errors as refused, not validated again: a rule's refusal or a conflict is not
        # something the form itself would find.
        _show_errors(form, entry["errors"])
        forms[key] = form
    return forms


def _show_errors(form, errors: dict) -> None:
    """Give a bound form these errors ({field: [message]}) without validating it."""
    form._errors = ErrorDict(renderer=form.renderer)
    form.cleaned_data = {}
    for field, messages_ in errors.items():
        form.add_error(field if field in form.fields else None, messages_)


def _refuse_stale(request, rec, make_form, form_key):
    """The 409 page: the current item, plus a form holding what the user typed. Its version is
    the current one, so saving again is a deliberate choice made after seeing the other change.
    `make_form(request, data, current)` builds the form from the post and the item as it is now."""
    current = Recommendation.objects.get(pk=rec.pk)
    data: QueryDict = request.POST.copy()
    data["version"] = str(current.version)
    form = make_form(request, data, current)
    form.is_valid()
    form.add_error(None, workflow.conflict_message())
    messages.error(request, workflow.conflict_message())
    return _refuse(request, current, 409, **{form_key: form})


def _plain(form_class):
    return lambda request, data, current: form_class(data)


def _transition_form(request, data, current):
    return TransitionForm(data, allowed=workflow.allowed_transitions(request.user, current))


def _assign_form(request, data, current):
    return AssignForm(data, current_deadline=current.deadline)


# The forms whose choices or checks depend on the item and the user; the others are built from
# the posted data alone.
_REBUILD = {TransitionForm: _transition_form, AssignForm: _assign_form}


def _add_workflow_error(form, exc: workflow.WorkflowError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc))


def _done(request, rec, message: str, anchor: str = ""):
    messages.success(request, message)
    return redirect(_safe_next(request, rec.get_absolute_url() + anchor))


def _is_stale(form, rec) -> bool:
    return form.cleaned_data["version"] != rec.version


def post_only(back):
    """Like require_POST, except that a GET or HEAD of the action URL (a reload, a shared or
    bookmarked link) is sent to the page its form is on, `back(**url_kwargs)`, instead of
    answering an empty 405. Nothing is written on a GET."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST":
                return view(request, *args, **kwargs)
            if request.method in ("GET", "HEAD"):
                return redirect(back(**kwargs))
            return HttpResponseNotAllowed(["GET", "HEAD", "POST"])

        return wrapper

    return decorate


# Every write action on one item: a GET lands on the item's page.
item_action = post_only(lambda pk: reverse("recommendation_detail", args=[pk]))


# --- single-item actions ---------------------------------------------------------------------


def _apply(request, rec, form, form_key, make_form, write):
    """Run one versioned write with the refusals every action shares: bad input re-renders the
    page with the form (400), a stale version shows the item as it is now (409), a step the
    rules forbid is 403. Returns the refusal, or None once `write(cleaned_data)` succeeded."""
    if not form.is_valid():
        return _refuse(request, rec, 400, **{form_key: form})
    if _is_stale(form, rec):
        return _refuse_stale(request, rec, make_form, form_key)
    try:
        write(form.cleaned_data)
    except workflow.ConflictError:
        return _refuse_stale(request, rec, make_form, form_key)
    except workflow.PermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    except workflow.WorkflowError as exc:
        _add_workflow_error(form, exc)
        return _refuse(request, rec, 400, **{form_key: form})
    return None


@item_action
def recommendation_tags(request, pk):
    rec = _get_rec(pk)
    if not workflow.can_triage(request.user):
        raise PermissionDenied(_("只有研判员可以设置标签。"))

    def write(data):
        chosen = list(data["tags"])
        with transaction.atomic():  # a conflict leaves no new tag behind
            if data["new_tag"]:
                tag, _created = Tag.objects.get_or_create(
                    name=data["new_tag"], defaults={"created_by": request.user}
                )
                chosen.append(tag)
            workflow.set_tags(rec, request.user, chosen, expected_version=rec.version)

    form = TagForm(request.POST)
    refused = _apply(request, rec, form, "tag_form", _plain(TagForm), write)
    return refused or _done(request, rec, _("标签已保存。"))


@item_action
def recommendation_assign(request, pk):
    rec = _get_rec(pk)
    if not workflow.can_triage(request.user):
        raise PermissionDenied(_("只有研判员可以交办建议。"))

    def write(data):
        workflow.assign(
            rec,
            request.user,
            lead_department=data["lead_department"],
            co_departments=data["co_departments"],
            deadline=data["deadline"],
            expected_version=data["version"],
        )

    form = AssignForm(request.POST, current_deadline=rec.deadline)
    refused = _apply(request, rec, form, "assign_form", _assign_form, write)
    if refused:
        return refused
    data = form.cleaned_data
    return _done(
        request,
        rec,
        _("已交办给%(department)s,办理期限 %(deadline)s。")
        % {"department": data["lead_department"], "deadline": data["deadline"].isoformat()},
    )


@item_action
def recommendation_transition(request, pk):
    rec = _get_rec(pk)
    user = request.user
    if not workflow.is_staff(user):
        raise PermissionDenied(_("您无权直接更改这条建议的状态,请使用签收、答复等办理步骤。"))

    def write(data):
        # A field left out of the post keeps the draft reply; one sent empty means "no reply".
        workflow.transition(
            rec,
            user,
            data["to_status"],
            note=data["note"],
            answer_category=data["answer_category"] if "answer_category" in request.POST else None,
            reply=data["reply"] if "reply" in request.POST else None,
            expected_version=data["version"],
        )

    form = TransitionForm(request.POST, allowed=workflow.allowed_transitions(user, rec))
    refused = _apply(request, rec, form, "transition_form", _transition_form, write)
    return refused or _done(
        request, rec, _("状态已改为“%(status)s”。") % {"status": rec.get_status_display()}
    )


@item_action
def recommendation_reply(request, pk):
    rec = _get_rec(pk)
    if not workflow.can_reply(request.user, rec):
        raise PermissionDenied(_("只有主办部门的承办人或研判员可以填写答复。"))

    def write(data):
        workflow.save_reply(
            rec,
            request.user,
            answer_category=data["answer_category"],
            reply=data["reply"],
            expected_version=data["version"],
        )

    form = ReplyForm(request.POST)
    refused = _apply(request, rec, form, "reply_form", _plain(ReplyForm), write)
    if refused:
        return refused
    if rec.status == Recommendation.Status.ANSWERED:
        return _done(request, rec, _("答复已更新。"))
    return _done(request, rec, _("答复草稿已保存。改为“已办结”时一并提交。"))


@item_action
def recommendation_comment(request, pk):
    rec = _get_rec(pk)
    if not workflow.can_comment(request.user, rec):
        raise PermissionDenied(_("您无权评论这条建议。"))
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _refuse(request, rec, 400, comment_form=form)
    try:
        workflow.add_comment(rec, request.user, form.cleaned_data["body"])
    except workflow.PermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    except workflow.WorkflowError as exc:
        _add_workflow_error(form, exc)
        return _refuse(request, rec, 400, comment_form=form)
    return _done(request, rec, _("评论已发表。"), anchor="#comments")


# --- bulk actions ----------------------------------------------------------------------------


def _list_url(**_url_kwargs) -> str:
    try:
        return reverse("recommendation_list")
    except NoReverseMatch:
        return reverse("dashboard")


# A refused bulk form travels to the list in the session, as an item's refused form travels to
# its item (_refuse above): the list page shows it once, with the errors and the ticks kept.
REFUSED_BULK_SESSION_KEY = "refused_bulk_form"


def _refuse_bulk(request, form, next_url):
    messages.error(request, _("未执行:请修正下面标出的问题后再提交。"))
    request.session[REFUSED_BULK_SESSION_KEY] = {
        "data": {k: v for k, v in form.data.lists() if k not in ("csrfmiddlewaretoken", "next")},
        "errors": {
            field: [error["message"] for error in errors]
            for field, errors in form.errors.get_json_data().items()
        },
    }
    # Only the list page holds the bulk form: a `next` elsewhere could not show it.
    target = next_url if urlsplit(next_url).path == _list_url() else _list_url()
    response = redirect(f"{target}#bulk-actions")
    response.status_code = 303  # See Other: the browser fetches the list with GET
    return response


def take_refused_bulk(request) -> BulkForm | None:
    """The bulk form a refused post left in the session, bound again to what the user chose
    and carrying its errors; None when there is none. Taken once."""
    stored = request.session.pop(REFUSED_BULK_SESSION_KEY, None)
    if not stored:
        return None
    data = QueryDict(mutable=True)
    for name, values in stored["data"].items():
        data.setlist(name, values)
    form = BulkForm(data)
    _show_errors(form, stored["errors"])
    return form


def _bulk_spec(data) -> dict:
    """The chosen action as a bulk job stores it (bulk/jobs.py)."""
    action = data["action"]
    if action in (BulkForm.Action.TAG, BulkForm.Action.UNTAG):
        return bulk_jobs.tag_spec(tags=data["tags"], remove=action == BulkForm.Action.UNTAG)
    if action == BulkForm.Action.ASSIGN:
        return bulk_jobs.assign_spec(
            lead_department=data["lead_department"],
            deadline=data["deadline"],
            co_departments=data["co_departments"],
        )
    return bulk_jobs.status_spec(to_status=data["status"], note=data["note"])


@post_only(_list_url)
def recommendation_bulk(request):
    user = request.user
    if not workflow.can_triage(user):
        raise PermissionDenied(_("只有研判员可以进行批量操作。"))
    next_url = _safe_next(request, _list_url())
    form = BulkForm(request.POST)
    if not form.is_valid():
        return _refuse_bulk(request, form, next_url)

    data = form.cleaned_data
    selected = data["selected_ids"]
    action = data["action"]
    if len(selected) > bulk_jobs.sync_max():
        # Too many for one request: a background job, chunk by chunk, with a progress page.
        job = bulk_jobs.start(
            user=user, ids=selected, back_url=next_url, origin=request.path, **_bulk_spec(data)
        )
        response = redirect(bulk_job_url(job))
        response.status_code = 303
        return response
    try:
        if action in (BulkForm.Action.TAG, BulkForm.Action.UNTAG):
            remove = action == BulkForm.Action.UNTAG
            count = workflow.bulk_tag(selected, user=user, tags=data["tags"], remove=remove)
            names = "、".join(t.name for t in data["tags"])
            template = (
                _("已从 %(n)d 条建议移除标签:%(tags)s。")
                if remove
                else _("已为 %(n)d 条建议添加标签:%(tags)s。")
            )
            messages.success(request, template % {"n": count, "tags": names})
        elif action == BulkForm.Action.ASSIGN:
            result = workflow.bulk_assign(
                selected,
                user=user,
                lead_department=data["lead_department"],
                deadline=data["deadline"],
                co_departments=data["co_departments"],
            )
            done = _("已将 %(n)d 条建议交办给%(department)s。") % {
                "n": result.changed,
                "department": data["lead_department"],
            }
            _report_bulk(request, result, done, _("未交办"))
        else:
            result = workflow.bulk_transition(
                selected, user=user, to_status=data["status"], note=data["note"]
            )
            label = Recommendation.Status(data["status"]).label
            done = _("已将 %(n)d 条建议改为“%(status)s”。") % {"n": result.changed, "status": label}
            _report_bulk(request, result, done, _("未更改"))
    except workflow.PermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    except workflow.WorkflowError as exc:
        messages.error(request, str(exc))
    return redirect(next_url)


def _report_bulk(request, result: workflow.BulkResult, done: str, not_done: str) -> None:
    """`done` when something changed, then each refused item ("未交办 一、2 …:reason")."""
    if result.changed:
        messages.success(request, done)
    for rec, reason in result.refused[:MAX_REFUSALS_LISTED]:
        messages.warning(
            request,
            _("%(not_done)s %(item)s:%(reason)s")
            % {
                "not_done": not_done,
                "item": f"{rec.place or rec.number} {rec.heading}",
                "reason": reason,
            },
        )
    hidden = len(result.refused) - MAX_REFUSALS_LISTED
    if hidden > 0:
        messages.warning(
            request, _("另有 %(n)d 条建议%(not_done)s。") % {"n": hidden, "not_done": not_done}
        )


urlpatterns = [
    path("recommendations/bulk/", recommendation_bulk, name="recommendation_bulk"),
    path("recommendations/<int:pk>/tags/", recommendation_tags, name="recommendation_tags"),
    path("recommendations/<int:pk>/assign/", recommendation_assign, name="recommendation_assign"),
    path(
        "recommendations/<int:pk>/transition/",
        recommendation_transition,
        name="recommendation_transition",
    ),
    path("recommendations/<int:pk>/reply/", recommendation_reply, name="recommendation_reply"),
    path(
        "recommendations/<int:pk>/comments/",
        recommendation_comment,
        name="recommendation_comment",
    ),
]
