"""Pages of the people, organisations, departments and tags that recommendations relate to.

Each lists its recommendations with the same rows as the main list, 50 per page, and links to
the main list filtered the same way (where the filters and the export are)."""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from recommendations.models import (
    Affiliation,
    Byline,
    CoDepartment,
    Department,
    Organization,
    Person,
    Recommendation,
    RecommendationTag,
    Tag,
)
from recommendations.views.lists import list_rows, paginate


def _rows(queryset):
    return list_rows(queryset.current().order_by("article_id", "order", "pk"))


def _list_link(**params):
    query = "&".join(f"{name}={value}" for name, value in params.items())
    return f"{reverse('recommendation_list')}?{query}"


@require_safe
def person_detail(request, pk):
    person = get_object_or_404(Person, pk=pk)
    affiliations = Affiliation.objects.filter(person=person).select_related("organization")
    articles = (
        Byline.objects.filter(person=person)
        .select_related("article__edition")
        .order_by("-article__edition__published_on", "article_id")
    )
    recs = Recommendation.objects.filter(
        article__in=Byline.objects.filter(person=person).values("article_id")
    )
    return render(
        request,
        "recommendations/person_detail.html",
        {
            "person": person,
            "affiliations": list(affiliations),
            "bylines": list(articles),
            "page_obj": paginate(request, _rows(recs)),
            "list_url": _list_link(author=person.pk),
        },
    )


@require_safe
def organization_detail(request, pk):
    organization = get_object_or_404(Organization.objects.select_related("department"), pk=pk)
    affiliations = (
        Affiliation.objects.filter(organization=organization)
        .select_related("person")
        .order_by("person__name", "position")
    )
    recs = Recommendation.objects.filter(
        article__in=Byline.objects.filter(affiliations__organization=organization).values(
            "article_id"
        )
    )
    return render(
        request,
        "recommendations/organization_detail.html",
        {
            "organization": organization,
            "affiliations": list(affiliations),
            "page_obj": paginate(request, _rows(recs)),
            "list_url": _list_link(organization=organization.pk),
        },
    )


@require_safe
def department_detail(request, pk):
    department = get_object_or_404(Department, pk=pk)
    led = Recommendation.objects.filter(lead_department=department)
    co = Recommendation.objects.filter(
        pk__in=CoDepartment.objects.filter(department=department).values("recommendation_id")
    )
    status_counts = {
        row["status"]: row["n"]
        for row in led.current().order_by().values("status").annotate(n=Count("pk"))
    }
    statuses = [
        {"value": value, "label": label, "count": status_counts.get(value, 0)}
        for value, label in Recommendation.Status.choices
        if value in Recommendation.ASSIGNED_STATUSES
    ]
    return render(
        request,
        "recommendations/department_detail.html",
        {
            "department": department,
            "statuses": statuses,
            "overdue_count": led.current().overdue().count(),
            "led_page": paginate(request, _rows(led), param="page"),
            "co_page": paginate(request, _rows(co), param="co_page"),
            "led_url": _list_link(lead_department=department.pk),
            "all_url": _list_link(department=department.pk),
        },
    )


@require_safe
def tag_list(request):
    tags = Tag.objects.annotate(
        n=Count(
            "recommendation_links",
            filter=Q(recommendation_links__recommendation__in_source=True),
        )
    ).order_by("-n", "name")
    return render(request, "recommendations/tag_list.html", {"tags": list(tags)})


@require_safe
def tag_detail(request, pk):
    tag = get_object_or_404(Tag, pk=pk)
    recs = Recommendation.objects.filter(
        pk__in=RecommendationTag.objects.filter(tag=tag).values("recommendation_id")
    )
    return render(
        request,
        "recommendations/tag_detail.html",
        {
            "tag": tag,
            "page_obj": paginate(request, _rows(recs)),
            "list_url": _list_link(tag=tag.pk),
        },
    )
