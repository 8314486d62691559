"""重点督办 on the item page: the staff form, and the POST-only views that set or remove the mark.

They follow views/actions.py: a guard that refuses with 403 anyone but staff, then the shared
`_apply` (bad input or a stale page → the item page again with the error and what was typed),
then a message and a redirect to the item.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from handling import supervision
from recommendations.forms import VersionedForm
from recommendations.views.actions import _apply, _done, _get_rec, item_action

ANCHOR = "#supervision"


class SupervisionForm(VersionedForm):
    prefix_id = "supervision"

    leader = forms.CharField(
        label=gettext_lazy("督办领导"),
        max_length=50,
        error_messages={
            "required": gettext_lazy("请填写督办领导。"),
            "max_length": gettext_lazy("不能超过 %(limit_value)d 个字。"),
        },
    )
    note = forms.CharField(
        label=gettext_lazy("督办要求"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": gettext_lazy("不能超过 %(limit_value)d 个字。")},
    )


class UnsuperviseForm(VersionedForm):
    prefix_id = "unsupervise"


def page_context(request, rec) -> dict:
    """What handling/_supervision.html needs: the mark, and the forms for staff (else None)."""
    mark = supervision.mark_of(rec)
    context = {"supervision": mark, "supervision_form": None, "unsupervise_form": None}
    if supervision.can_supervise(request.user):
        version = {"version": rec.version}
        initial = {"leader": mark.leader, "note": mark.note} if mark else {}
        context["supervision_form"] = SupervisionForm(initial={**version, **initial})
        if mark:
            context["unsupervise_form"] = UnsuperviseForm(initial=version)
    bound = getattr(request, "bound_action_forms", {})
    context.update({k: v for k, v in bound.items() if k in context})
    return context


def _guard(request):
    if not supervision.can_supervise(request.user):
        raise PermissionDenied(_("只有研判员可以设置重点督办。"))


@item_action
def supervise(request, pk):
    rec = _get_rec(pk)
    _guard(request)

    def write(data):
        supervision.supervise(
            rec,
            request.user,
            leader=data["leader"],
            note=data["note"],
            expected_version=data["version"],
        )

    form = SupervisionForm(request.POST)
    refused = _apply(
        request, rec, form, "supervision_form", lambda r, d, c: SupervisionForm(d), write
    )
    return refused or _done(
        request,
        rec,
        _("已设为重点督办(督办领导:%(leader)s)。") % {"leader": form.cleaned_data["leader"]},
        ANCHOR,
    )


@item_action
def unsupervise(request, pk):
    rec = _get_rec(pk)
    _guard(request)

    def write(data):
        supervision.unsupervise(rec, request.user, expected_version=data["version"])

    form = UnsuperviseForm(request.POST)
    refused = _apply(
        request, rec, form, "unsupervise_form", lambda r, d, c: UnsuperviseForm(d), write
    )
    return refused or _done(request, rec, _("已取消重点督办。"), ANCHOR)
