from bulk.views import urlpatterns  # noqa: F401
