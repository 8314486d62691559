"""Admins import newspaper pages from the admin; each file is stored all or nothing."""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from recommendations.models import Article, Edition, Recommendation

SEED = Path(__file__).resolve().parent.parent / "fixtures" / "haidian-ai-training-3.txt"
URL = "admin:recommendations_edition_import"


def upload(name, data):
    return SimpleUploadedFile(name, data, content_type="text/plain")


def test_it_shows_the_upload_form_to_admins(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse(URL))
    assert response.status_code == 200
    assert "版面文本文件" in response.content.decode()


def test_it_imports_an_uploaded_page(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse(URL),
        {"files": [upload("page.txt", SEED.read_bytes())], "published_on": "2025-12-01"},
        follow=True,
    )
    assert response.status_code == 200
    edition = Edition.objects.get(source_name="page.txt")
    assert str(edition.published_on) == "2025-12-01"
    assert Article.objects.filter(edition=edition).count() == 6
    assert Recommendation.objects.filter(article__edition=edition).count() == 50
    assert "page.txt" in response.content.decode()


def test_a_bad_file_is_refused_with_its_name_and_stores_nothing(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse(URL), {"files": [upload("scan.pdf", b"%PDF-1.4 binary")]}, follow=True
    )
    content = response.content.decode()
    assert "scan.pdf" in content and "PDF" in content
    assert not Edition.objects.exists()


def test_portal_staff_without_admin_rights_cannot_import(client, staff):
    client.force_login(staff)
    response = client.post(reverse(URL), {"files": [upload("page.txt", SEED.read_bytes())]})
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert not Edition.objects.exists()
