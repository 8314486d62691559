from django.urls import include, path

from recommendations.views import pages

urlpatterns = [
    path("", pages.dashboard, name="dashboard"),
    # POST-only write actions live beside their rules in views/actions.py.
    path("", include("recommendations.views.actions")),
]
