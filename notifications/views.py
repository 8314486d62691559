"""The 消息 page, opening and marking messages read, and each user's e-mail settings.

Every view works on the signed-in user's own rows only: a message of someone else is "not
found" (404), never shown, marked or redirected to.
"""

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from notifications.forms import PreferenceForm
from notifications.models import Message, Preference

PAGE_SIZE = 30


def _own_message(request, pk) -> Message:
    return get_object_or_404(Message.objects.for_user(request.user), pk=pk)


@require_safe
def inbox(request):
    mine = Message.objects.for_user(request.user)
    page = Paginator(mine.unread_first(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {"page_obj": page, "unread": mine.unread().count()},
    )


@require_safe
def open_message(request, pk):
    """Opening a message (from the 消息 page or an e-mail) reads it and leads to its item."""
    message = _own_message(request, pk)
    if message.read_at is None:
        Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=timezone.now())
    return redirect(message.target)


def _back(request):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect("notifications:inbox")


@require_POST
def mark_read(request, pk):
    message = _own_message(request, pk)
    Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=timezone.now())
    return _back(request)


@require_POST
def mark_all_read(request):
    count = Message.objects.for_user(request.user).unread().update(read_at=timezone.now())
    if count:
        flash.success(request, _("已将 %(n)d 条消息标为已读。") % {"n": count})
    return _back(request)


def preferences(request):
    preference = Preference.objects.filter(user=request.user).first() or Preference(
        user=request.user
    )
    form = PreferenceForm(request.POST or None, preference=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        flash.success(request, _("提醒设置已保存。"))
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "has_address": bool(request.user.email)},
        status=400 if form.errors else 200,
    )
