"""Every admin changelist, add and change page works for an admin and is closed to others."""

import pytest
from django.contrib import admin
from django.urls import reverse

from recommendations.models import (
    Affiliation,
    Byline,
    CoDepartment,
    Comment,
    Organization,
    Person,
    RecommendationTag,
    Series,
)

ADMIN_MODELS = [
    model for model in admin.site._registry if model._meta.app_label == "recommendations"
]


@pytest.fixture
def one_of_each(item, tag, staff, departments, edition):
    person = Person.objects.create(name="张三")
    org = Organization.objects.create(name="区科信局")
    affiliation = Affiliation.objects.create(person=person, organization=org, position="局长")
    byline = Byline.objects.create(article=item.article, person=person, role="author")
    byline.affiliations.add(affiliation)
    series = Series.objects.create(title="系列标题", subtitle="——副题")
    edition.series = series
    edition.save()
    Comment.objects.create(recommendation=item, author=staff, body="请研究。")
    RecommendationTag.objects.create(recommendation=item, tag=tag)
    CoDepartment.objects.create(recommendation=item, department=departments["区教委"])


def urls_for(model):
    opts = model._meta
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"no {opts.model_name} to open"
    base = f"admin:{opts.app_label}_{opts.model_name}"
    return {
        "changelist": reverse(f"{base}_changelist"),
        "add": reverse(f"{base}_add"),
        "change": reverse(f"{base}_change", args=[obj.pk]),
    }


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m._meta.model_name)
def test_admin_pages_answer_an_admin(client, admin_user, one_of_each, model):
    client.force_login(admin_user)
    model_admin = admin.site._registry[model]
    for kind, url in urls_for(model).items():
        response = client.get(url)
        if kind == "add" and not model_admin.has_add_permission(_request(admin_user)):
            assert response.status_code == 403, url
        else:
            assert response.status_code == 200, url


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m._meta.model_name)
def test_admin_pages_send_anonymous_users_to_sign_in(client, one_of_each, model):
    for url in urls_for(model).values():
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response["Location"]


def test_admin_is_closed_to_portal_staff(client, staff, one_of_each):
    client.force_login(staff)
    response = client.get(reverse("admin:recommendations_recommendation_changelist"))
    assert response.status_code == 302  # not is_staff: sent to the admin sign-in


def test_admin_search_finds_chinese_text(client, admin_user, one_of_each):
    client.force_login(admin_user)
    url = reverse("admin:recommendations_recommendation_changelist")
    assert "建设智算中心" in client.get(url, {"q": "智算"}).content.decode()
    assert "建设智算中心" not in client.get(url, {"q": "冰雪"}).content.decode()


def _request(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    return request
