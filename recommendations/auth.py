"""Sign-in backend: Django's ModelBackend, reading the user's department with the user.

Every page header names the signed-in user's department, and the workflow checks a handler's
department on every item page; reading it with the user spares a query on each request. The
header's count of unread messages (notifications/unread.py) is read in that same query, and so
are the names of the user's groups: every page asks for the user's role (the header's links,
the forms offered), and reading them here spares one more query per request.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef

from notifications.unread import unread_count_subquery


class PortalBackend(ModelBackend):
    def get_user(self, user_id):
        users = (
            get_user_model()
            ._default_manager.select_related("department")
            .annotate(
                unread_message_count=unread_count_subquery(),
                group_name_list=ArraySubquery(
                    Group.objects.filter(user=OuterRef("pk")).values("name")
                ),
            )
        )
        try:
            user = users.get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        user._group_names = set(user.group_name_list)  # what User.in_group() reads
        return user if self.user_can_authenticate(user) else None
