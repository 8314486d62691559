"""Small presentation helpers shared by the read-side templates."""

from django import template
from django.utils.html import escape, format_html
from django.utils.translation import gettext as _

from recommendations import search
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
