"""The four roles as one choice: what a user is, how an admin sets it, and where each role's
work starts after sign-in. Roles are stored as Django groups (migration 0002 gives each group
its permissions); this module is the only place that maps a role onto groups and flags."""

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from recommendations.models import ROLE_ADMIN, ROLE_HANDLER, ROLE_STAFF, ROLE_VIEWER

ROLE_CHOICES = [
    (ROLE_VIEWER, _("浏览(查阅、搜索、导出)")),
    (ROLE_STAFF, _("研判员(标签、交办、批量操作)")),
    (ROLE_HANDLER, _("承办人(答复本部门的建议)")),
    (ROLE_ADMIN, _("管理员(后台、导入、用户)")),
]
ROLE_NAMES = {ROLE_VIEWER: _("浏览"), ROLE_STAFF: _("研判员"), ROLE_HANDLER: _("承办人")}
ROLE_NAMES[ROLE_ADMIN] = _("管理员")


def role_of(user) -> str:
    """The user's one role; a user in several groups counts as the highest of them."""
    if user.is_superuser:
        return ROLE_ADMIN
    names = {group.name for group in user.groups.all()}  # prefetched on the admin's list
    for role in (ROLE_ADMIN, ROLE_STAFF, ROLE_HANDLER):
        if role in names:
            return role
    return ROLE_VIEWER


def with_role(users, role: str):
    """The users whose role_of() is `role`, as a filter (the admin's 角色 filter)."""
    members = {
        ROLE_ADMIN: Q(is_superuser=True) | Q(groups__name=ROLE_ADMIN),
        ROLE_STAFF: Q(groups__name=ROLE_STAFF),
        ROLE_HANDLER: Q(groups__name=ROLE_HANDLER),
    }
    result = users
    for name in (ROLE_ADMIN, ROLE_STAFF, ROLE_HANDLER):
        ids = users.model.objects.filter(members[name]).values("pk")
        if name == role:
            return result.filter(pk__in=ids)
        result = result.exclude(pk__in=ids)  # a higher role wins
    return result


@transaction.atomic
def assign_role(user, role: str) -> None:
    """Make `user` exactly `role`: one group, and the admin site only for admins (the admin
    role is a superuser, as the demo admin is). The caller has validated the department."""
    user.is_staff = user.is_superuser = role == ROLE_ADMIN
    user.save(update_fields=["is_staff", "is_superuser"])
    user.groups.set([Group.objects.get(name=role)])
    user.__dict__.pop("_group_names", None)


def home_url(user) -> str:
    """Where a role's work is: handlers and staff to 我的工作 (their department's items, the
    triage queue), admins to the admin site, viewers to the overview."""
    if user.is_superuser or user.in_group(ROLE_ADMIN):
        return reverse("admin:index")
    if user.is_handler or user.is_portal_staff:
        return reverse("my_work")
    return reverse("dashboard")
