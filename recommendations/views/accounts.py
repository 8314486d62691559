"""Signing in (each role lands where its work is), changing one's own password, the favicon."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import reverse_lazy

from recommendations.roles import home_url


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        # Only without ?next=: a link that asked for sign-in still leads back to itself.
        return home_url(self.request.user)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"


@login_not_required
def favicon(request):
    """Browsers ask for /favicon.ico on every page that names none (a PDF, an error page).
    The address is resolved per request: in production it is the hashed, collected file."""
    return redirect(static("favicon.svg"), permanent=True)
