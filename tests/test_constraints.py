"""Natural keys and workflow invariants are enforced by the database itself."""

import pytest
from django.db import IntegrityError, transaction

from recommendations.models import (
    Affiliation,
    Article,
    Department,
    Edition,
    Organization,
    Person,
    Recommendation,
    RecommendationTag,
    Tag,
)


def refused(fn):
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


def test_an_edition_is_stored_once_per_file_content(edition):
    refused(lambda: Edition.objects.create(source_name="other.txt", sha256=edition.sha256))


def test_an_edition_is_stored_once_per_source_name(edition):
    refused(lambda: Edition.objects.create(source_name=edition.source_name, sha256="1" * 64))


def test_articles_are_unique_by_edition_and_order(article):
    refused(
        lambda: Article.objects.create(
            edition=article.edition, order=article.order, kind="news", title="另一篇"
        )
    )


def test_recommendations_are_unique_by_article_and_number(section):
    refused(
        lambda: Recommendation.objects.create(
            article=section.article, number=section.number, heading="重复", text="重复"
        )
    )


def test_people_organisations_tags_and_departments_are_unique_by_name(db):
    Person.objects.create(name="王五")
    Organization.objects.create(name="区科信局")
    refused(lambda: Person.objects.create(name="王五"))
    refused(lambda: Organization.objects.create(name="区科信局"))
    refused(lambda: Tag.objects.create(name="人才"))
    refused(lambda: Department.objects.create(name="区教委"))


def test_an_affiliation_is_unique_per_person_organisation_and_position(db):
    person = Person.objects.create(name="王五")
    org = Organization.objects.create(name="区科信局")
    Affiliation.objects.create(person=person, organization=org, position="局长")
    refused(lambda: Affiliation.objects.create(person=person, organization=org, position="局长"))


def test_a_tag_is_attached_once(item, tag):
    RecommendationTag.objects.create(recommendation=item, tag=tag)
    refused(lambda: RecommendationTag.objects.create(recommendation=item, tag=tag))


def test_an_assigned_item_must_have_a_lead_department(item):
    refused(lambda: Recommendation.objects.filter(pk=item.pk).update(status="assigned"))


def test_an_answered_item_must_have_category_and_reply(assigned_item):
    refused(lambda: Recommendation.objects.filter(pk=assigned_item.pk).update(status="answered"))
    Recommendation.objects.filter(pk=assigned_item.pk).update(
        status="answered", answer_category="A", reply="已采纳。"
    )


def test_depth_stays_within_three_levels(section):
    refused(lambda: Recommendation.objects.filter(pk=section.pk).update(depth=4))


def test_str_reads_well_in_chinese(item, edition):
    assert str(item) == "张三 · 一、1 建设智算中心"
    assert str(edition) == "test-page.txt"
