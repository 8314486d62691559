"""Page bodies rendered once and served from the cache until the data they show changes.

Once the figures are cached (figures.py), rendering is most of a read page's cost: the facet
sidebar, an item's forms with a checkbox per department and tag, its history, the dashboard's
charts. That HTML is the same for everyone who sees the same data with the same rights, except
for the CSRF token in its forms. So a body is rendered with a placeholder where each form's
token goes, cached under the versions of what it shows (figures.py: an item's page under its
item, article and labels; a list under the tables it counts) and the parts that decide it (the
URL, the viewer's rights, the day), and every response puts its own viewer's token in.

The rule that keeps this correct: read the versions (`stamp`) before the data, so that a body
is never cached under a version newer than what it shows.
"""

from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from recommendations import figures


def _placeholder() -> str:
    # Derived from SECRET_KEY, so no text a user writes into a page can match it, and the same
    # on every worker and host that shares the cache.
    return salted_hmac("recommendations.pagecache", "csrf-placeholder").hexdigest()


def render_body(request, template_name, parts, context, *, stamp, cache=True) -> SafeString:
    """`template_name` rendered with `context()`, which is called only when the body is not
    cached. `parts` must hold everything besides the data that changes the HTML: the URL's
    parameters, the viewer's rights. `cache=False` renders afresh and stores nothing (a page
    showing a refused form with what the user typed)."""
    placeholder = _placeholder()

    def render() -> str:
        values = {**context(), "csrf_token": placeholder}
        return render_to_string(template_name, values, request=request)

    if cache:
        # The placeholder is in the key too: after a change of SECRET_KEY no body rendered with
        # the old one (whose placeholder nothing replaces any more) is read from a shared cache.
        key = (parts, timezone.localdate(), get_language(), placeholder)
        html = figures.cached(f"body:{template_name}", key, render, stamp=stamp)
    else:
        html = render()
    # The tag renders <input … value="…">; only that attribute is replaced. get_token() gives
    # the viewer's own token (and sets the cookie, as {% csrf_token %} would).
    token = get_token(request)
    return mark_safe(html.replace(f'value="{placeholder}"', f'value="{token}"'))
