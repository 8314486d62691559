"""Sign-in backend: Django's ModelBackend, reading the user's department with the user.

Every page header names the signed-in user's department, and the workflow checks a handler's
department on every item page; reading it with the user spares a query on each request.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class PortalBackend(ModelBackend):
    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("department")
        try:
            user = users.get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
