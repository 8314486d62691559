from django.urls import path

from recommendations.views import pages

urlpatterns = [
    path("", pages.dashboard, name="dashboard"),
]
