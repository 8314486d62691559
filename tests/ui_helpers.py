"""Helpers for the read-side page tests: build articles and recommendations quickly."""

import datetime

from recommendations.models import (
    Affiliation,
    Article,
    Byline,
    CoDepartment,
    Organization,
    Person,
    Recommendation,
    RecommendationTag,
)

TODAY = datetime.date.today


def make_article(edition, order=2, author="李四", title="推动数据要素流通", organization=None):
    article = Article.objects.create(
        edition=edition,
        order=order,
        kind=Article.Kind.REFLECTION,
        title=title,
        in_series=True,
        author_names=author,
        blocks=[{"type": "paragraph", "text": f"{title}的正文。", "lines": [order * 10]}],
    )
    person, _ = Person.objects.get_or_create(name=author)
    byline = Byline.objects.create(article=article, person=person, role=Byline.Role.AUTHOR)
    if organization:
        org, _ = Organization.objects.get_or_create(name=organization)
        aff, _ = Affiliation.objects.get_or_create(person=person, organization=org, position="局长")
        byline.affiliations.add(aff)
    return article


def make_rec(article, number, heading="建议要点", *, depth=2, parent=None, tags=(), co=(), **extra):
    rec = Recommendation.objects.create(
        article=article,
        parent=parent,
        number=number,
        order=extra.pop(
            "order", int(number.replace(".", "")) if number.replace(".", "").isdigit() else 0
        ),
        depth=depth,
        place=extra.pop("place", f"一、{number}"),
        heading=heading,
        text=extra.pop("text", f"{heading}。具体措施如下。"),
        source_lines=extra.pop("source_lines", [article.order * 10]),
    )
    if extra:
        Recommendation.objects.filter(pk=rec.pk).update(**extra)
        rec.refresh_from_db()
    for tag in tags:
        RecommendationTag.objects.create(recommendation=rec, tag=tag)
    for department in co:
        CoDepartment.objects.create(recommendation=rec, department=department)
    return rec


def assigned(lead, days=30, status=Recommendation.Status.ASSIGNED):
    return {
        "status": status,
        "lead_department": lead,
        "deadline": TODAY() + datetime.timedelta(days=days),
    }
