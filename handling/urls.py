"""The handling loop's URLs: POST-only steps under the item."""

from django.urls import path

from handling import supervision_views


def _item(route, view, name):
    return path(f"recommendations/<int:pk>/{route}/", view, name=name)


urlpatterns = [
    _item("supervise", supervision_views.supervise, "handling_supervise"),
    _item("unsupervise", supervision_views.unsupervise, "handling_unsupervise"),
]
