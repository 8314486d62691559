from django.test import override_settings
from django.urls import reverse


@override_settings(DEBUG=False)
def test_a_forbidden_action_explains_in_chinese(client, viewer, item):
    client.force_login(viewer)
    response = client.post(reverse("recommendation_comment", args=[item.pk]), {"body": "意见"})
    assert response.status_code == 403
    assert "无权操作" in response.content.decode()


@override_settings(DEBUG=False)
def test_a_missing_page_explains_in_chinese(client, viewer):
    client.force_login(viewer)
    response = client.get(reverse("recommendation_detail", args=[999999]))
    assert response.status_code == 404
    assert "未找到页面" in response.content.decode()
