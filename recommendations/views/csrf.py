"""The page for a form refused by the CSRF check (CSRF_FAILURE_VIEW), in Chinese.

It happens to a tab left open across a sign-out or a session's end: the form's token no longer
matches. Nothing was saved, so the page says so and shows what the user typed (comments,
replies, notes) so it can be copied back into a fresh form.
"""

from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

# What a typed field is called on the page; fields not named here are shown as 填写的内容.
LABELS = {
    "body": _("评论"),
    "reply": _("答复内容"),
    "note": _("说明"),
    "new_tag": _("新标签"),
    "deadline": _("办理期限"),
    "username": _("用户名"),
}
# Never echoed: secrets, and the hidden bookkeeping fields of every form.
HIDDEN = {"csrfmiddlewaretoken", "next", "version", "ids", "action", "_save"}


def _typed(request) -> list[dict]:
    typed = []
    for name, values in request.POST.lists():
        if name in HIDDEN or "password" in name:
            continue
        for value in values:
            if value.strip() and not value.strip().isdigit():  # ids and choices are numbers
                typed.append({"label": LABELS.get(name, _("填写的内容")), "text": value})
    return typed


def csrf_failure(request, reason=""):
    back = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    context = {"typed": _typed(request), "back": back}
    return render(request, "403_csrf.html", context, status=403)
