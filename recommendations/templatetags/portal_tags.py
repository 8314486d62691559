"""Small presentation helpers shared by the read-side templates."""

import json

from django import template
from django.utils.html import escape, format_html
from django.utils.translation import gettext as _

from recommendations import search, workflow
from recommendations.models import Recommendation

register = template.Library()

STATUS_LABELS = dict(Recommendation.Status.choices)


@register.simple_tag
def status_badge(status):
    """The status as a coloured badge that also carries its name (never colour alone)."""
    return format_html(
        '<span class="badge status-{}">{}</span>', status, STATUS_LABELS.get(status, status)
    )


@register.filter
def highlight(text, query):
    """The text escaped, with the words matching the search query marked."""
    if not query or not str(query).strip():
        return escape(text)
    return search.highlight(text or "", query)


EXCERPT_CHARS = 36  # on each side of the first match


@register.simple_tag
def match_excerpt(rec, query):
    """Why an item matched when its heading does not show it: a short stretch of its text
    around the first match, marked. Empty when there is no search or the heading matches."""
    terms = search.query_terms(query or "")
    if not terms:
        return ""
    folded = search.normalize(rec.heading)
    if any(term in folded for term in terms):
        return ""
    text = rec.text or ""
    # NFKC keeps Chinese text's length, so a position in the folded text is (nearly) the
    # position in the original; highlight() then marks the original characters exactly.
    folded = search.normalize(text)
    found = [i for i in (folded.find(term) for term in terms) if i != -1]
    if not found:
        return ""
    first = min(found)
    start, end = max(0, first - EXCERPT_CHARS), min(len(text), first + EXCERPT_CHARS * 2)
    return format_html(
        '<p class="excerpt">{}{}{}</p>',
        "…" if start > 0 else "",
        search.highlight(text[start:end], query),
        "…" if end < len(text) else "",
    )


@register.simple_tag
def deadline_badge(rec):
    if rec.deadline is None:
        return ""
    if rec.is_overdue:
        return format_html(
            '<span class="deadline overdue"><span class="badge overdue-badge">{}</span> '
            '<time datetime="{}">{}</time></span>',
            _("已逾期"),
            rec.deadline.isoformat(),
            rec.deadline.isoformat(),
        )
    return format_html(
        '<span class="deadline"><time datetime="{}">{}</time></span>',
        rec.deadline.isoformat(),
        rec.deadline.isoformat(),
    )


@register.filter
def get_item(mapping, key):
    if mapping is None:
        return None
    return mapping.get(key)


@register.simple_tag(takes_context=True)
def page_url(context, param, number):
    """The current URL's query string with one page parameter replaced."""
    query = context["request"].GET.copy()
    query[param] = number
    return "?" + query.urlencode()


@register.simple_tag(takes_context=True)
def url_without(context, *names):
    """The current query string minus some parameters (and the page, which no longer fits)."""
    query = context["request"].GET.copy()
    for name in (*names, "page"):
        query.pop(name, None)
    encoded = query.urlencode()
    return "?" + encoded if encoded else "?"


@register.simple_tag
def elided_pages(page_obj):
    return list(
        page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1)
    )


@register.simple_tag
def active_filters(form, facets, chosen_article=None):
    """(label, value) of each filter in force, in the form's order: shown on the closed filter
    panel, so a phone user sees what the list is filtered by."""
    cleaned = getattr(form, "cleaned_data", None) or {}
    active = []
    for name, field in form.fields.items():
        value = cleaned.get(name)
        if name == "sort" or value in (None, "", False):
            continue
        if name in facets:
            active += [(field.label, o["label"]) for o in facets[name] if o["selected"]]
        elif name == "article":
            active.append((field.label, chosen_article.title if chosen_article else value))
        elif name == "removed":
            active.append((_("范围"), _("含已移除的条目")))
        else:
            active.append((field.label, value))
    return active


@register.simple_tag
def bulk_transitions_json():
    """Where staff may move an item from each status, for portal.js (workflow.py decides)."""
    return json.dumps(
        {str(k): sorted(str(s) for s in v) for k, v in workflow.STAFF_TRANSITIONS.items()}
    )


@register.simple_tag
def history_actions(entries):
    """The history as actions: the entries one person wrote in one request (same moment, same
    user) are one action, newest first, each with its list of changes."""
    actions = []
    for entry in entries:
        last = actions[-1] if actions else None
        if last and last["when"] == entry.when and last["user"] == entry.user:
            last["changes"].append(entry)
        else:
            actions.append({"when": entry.when, "user": entry.user, "changes": [entry]})
    for action in actions:
        user = action["user"]
        action["who"] = action["changes"][0].who
        action["department"] = getattr(user, "department", None) if user else None
    return actions[::-1]
