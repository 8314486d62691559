def roles(request):
    """Role flags for templates; the server checks permissions again on every action."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_portal_staff": False, "is_handler": False}
    return {"is_portal_staff": user.is_portal_staff, "is_handler": user.is_handler}
