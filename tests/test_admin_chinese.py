"""The admin speaks Chinese and carries the portal's name: no "Django 管理", no English model
names from django-axes, no "TAG"/"DEPARTMENT" inline headers, no "… object (14)"."""

import re
import subprocess
from pathlib import Path

from django.urls import reverse
from django.utils import translation

from recommendations.models import Affiliation, Byline, Organization, Person, RecommendationTag

PO = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_the_admin_carries_the_portals_name(client, admin_user):
    client.force_login(admin_user)
    content = client.get(reverse("admin:index")).content.decode()
    assert "海淀区人工智能建言办理平台" in content
    assert "Django" not in content
    assert 'rel="icon"' in content


def test_the_sign_in_throttling_models_have_chinese_names(client, admin_user):
    client.force_login(admin_user)
    content = client.get(reverse("admin:index")).content.decode()
    assert "登录限制" in content and "登录记录" in content and "登录失败" in content
    text = re.sub(r"<[^>]+>", " ", content)  # what a reader sees
    assert "Access" not in text and "axes" not in text.lower()


def test_inline_headers_are_chinese(client, admin_user, item, tag, departments):
    RecommendationTag.objects.create(recommendation=item, tag=tag)
    client.force_login(admin_user)
    page = client.get(reverse("admin:recommendations_recommendation_change", args=[item.pk]))
    headers = re.findall(r'<th class="column-[^"]*"[^>]*>\s*([^<]+)', page.content.decode())
    assert "标签" in [h.strip() for h in headers]
    assert "部门" in [h.strip() for h in headers]
    assert not [h for h in headers if re.search("[A-Za-z]", h)], headers


def test_a_byline_link_is_named_not_object_n(client, admin_user, article):
    person = Person.objects.create(name="陈鹏")
    org = Organization.objects.create(name="区外办")
    aff = Affiliation.objects.create(person=person, organization=org, position="主任")
    Byline.objects.create(article=article, person=person, role="author").affiliations.add(aff)
    client.force_login(admin_user)
    url = reverse("admin:recommendations_affiliation_delete", args=[aff.pk])
    content = client.get(url).content.decode()
    assert "署名单位" in content
    assert "object (" not in content and "relationship" not in content and "关系" not in content


def test_the_add_user_hint_is_chinese(client, admin_user):
    client.force_login(admin_user)
    content = client.get(reverse("admin:recommendations_user_add")).content.decode()
    assert "创建用户后" in content
    assert "After you" not in content


def test_the_level_filter_names_its_values(client, admin_user, item):
    client.force_login(admin_user)
    content = client.get(reverse("admin:recommendations_recommendation_changelist")).content
    content = content.decode()
    assert "?level=1" in content and "章节" in content and "子条目" in content
    assert "?depth__exact=" not in content
    filtered = client.get(reverse("admin:recommendations_recommendation_changelist"), {"level": 2})
    assert [r.pk for r in filtered.context["cl"].result_list] == [item.pk]


def test_the_compiled_translations_match_the_po_file():
    """Each msgid of django.po comes back translated: the committed .mo is not stale."""
    entries = re.findall(r'^msgid "(.+)"\nmsgstr "(.+)"$', PO.read_text(), re.M)
    assert len(entries) > 20
    with translation.override("zh-hans"):
        for msgid, msgstr in entries:
            assert translation.gettext(msgid) == msgstr, msgid
    check = subprocess.run(["msgfmt", "--check-format", "-o", "/dev/null", str(PO)])
    assert check.returncode == 0


def test_the_job_queue_pages_are_chinese(client, admin_user):
    """procrastinate's own admin is English (nothing in it is marked for translation): the
    portal's pages over its jobs, events and periodic defers name everything in Chinese."""
    from notifications import jobs, tasks
    from notifications.models import QueuedJob
    from tests.test_no_english import english_words

    job_id = jobs.defer(tasks.send_email, email_id=424242)
    QueuedJob.objects.filter(pk=job_id).update(status="failed", attempts=3)  # not via ORM save
    client.force_login(admin_user)

    index = client.get(reverse("admin:index")).content.decode()
    assert "队列任务" in index and "定时任务排队记录" in index
    assert "Procrastinate" not in index and "procrastinate" not in index.lower()

    changelist = client.get(reverse("admin:notifications_queuedjob_changelist")).content.decode()
    for label in ("编号", "任务", "队列", "状态", "已尝试次数", "最近事件", "发送邮件", "已失败"):
        assert label in changelist, label
    assert "排队" in changelist  # the job's last event, "deferred", by its Chinese name
    filtered = client.get(reverse("admin:notifications_queuedjob_changelist"), {"status": "todo"})
    assert list(filtered.context["cl"].result_list) == []

    change = client.get(reverse("admin:notifications_queuedjob_change", args=[job_id]))
    page = change.content.decode()
    assert "任务事件" in page and "424242" in page

    periodic = client.get(reverse("admin:notifications_periodicdefer_changelist")).content
    name = set(re.findall(r"[A-Za-z]+", admin_user.username))  # the header greets the user
    for html in (index, changelist, page, periodic.decode()):
        assert english_words(html) - name == set()
