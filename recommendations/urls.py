from django.urls import include, path

from recommendations.views import detail, entities, export, lists, pages
from recommendations.views.params import drop_empty_params

urlpatterns = [
    path("", pages.dashboard, name="dashboard"),
    path("my-work/", pages.my_work, name="my_work"),
    # A shared list link carries only the filters that are set (views/params.py).
    path(
        "recommendations/",
        drop_empty_params(lists.recommendation_list),
        name="recommendation_list",
    ),
    path(
        "recommendations/export.csv",
        drop_empty_params(export.export_csv),
        name="recommendation_export_csv",
    ),
    path(
        "recommendations/export.xlsx",
        drop_empty_params(export.export_xlsx),
        name="recommendation_export_xlsx",
    ),
    path("recommendations/<int:pk>/", detail.recommendation_detail, name="recommendation_detail"),
    path("articles/<int:pk>/", detail.article_detail, name="article_detail"),
    path("people/<int:pk>/", entities.person_detail, name="person_detail"),
    path("organizations/<int:pk>/", entities.organization_detail, name="organization_detail"),
    path("departments/<int:pk>/", entities.department_detail, name="department_detail"),
    path("tags/", entities.tag_list, name="tag_list"),
    path("tags/<int:pk>/", entities.tag_detail, name="tag_detail"),
    # POST-only write actions live beside their rules in views/actions.py.
    path("", include("recommendations.views.actions")),
]
