from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from recommendations.views import accounts
from recommendations.views.health import healthz

# Django's refusals of an oversized or overfull form, in Chinese (portal/limits.py).
handler400 = "portal.limits.bad_request"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", accounts.favicon, name="favicon"),
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/password/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        accounts.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("messages/", include("notifications.urls")),
    path("", include("bulk.urls")),
    path("", include("handling.urls")),
    path("", include("recommendations.urls")),
]
