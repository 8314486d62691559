"""The interrupted import batch in a real browser: 已中断 with 重试 and 放弃, readable at 1366
and 375 px (screenshots in test-results/item-forms/), nothing serious for axe."""

import datetime

import pytest
from django.utils import timezone

from imports.models import ImportBatch
from tests.import_helpers import batch_url
from tests.test_browser import browser  # noqa: F401  (fixture)
from tests.test_browser_item_forms import shoot
from tests.test_screens import serious_violations

pytestmark = [pytest.mark.browser]


def test_an_interrupted_batch_page(browser, live_server, committed_db, django_user_model):  # noqa: F811
    admin = django_user_model.objects.create_superuser("importer", "", "import-pass-2026")
    batch = ImportBatch.objects.create(
        created_by=admin, status="importing", stage="正在写入 2 个文件(整批一次写入)"
    )
    batch.files.create(position=0, name="page.txt", size=1, data=b"x")
    ImportBatch.objects.filter(pk=batch.pk).update(
        updated_at=timezone.now() - datetime.timedelta(hours=2)
    )
    context = browser.new_context(viewport={"width": 1366, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("用户名").fill("importer")
    page.get_by_label("密码").fill("import-pass-2026")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    page.goto(live_server.url + batch_url(batch))

    assert "导入已中断" in page.locator("#content").inner_text()
    assert serious_violations(page) == []
    shoot(page, "import-interrupted")
    page.get_by_role("button", name="放弃这次导入").click()
    page.wait_for_load_state()
    assert not ImportBatch.objects.exists()
    context.close()
