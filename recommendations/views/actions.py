"""Write actions on recommendations (POST only). Being built; see issue 4."""

urlpatterns = []


def action_context(request, rec):
    return {}


def bulk_context(request):
    return {}
