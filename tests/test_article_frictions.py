"""The article page as printed: credits with their suffix, the series banner only on the
series' pieces (with its subtitle), a 来源 line naming the paper, import notes for staff."""

import datetime

import pytest

from recommendations.models import Article, Edition, Series
from recommendations.views.detail import printed_credit

pytestmark = pytest.mark.django_db

RAW = "## 系列标题\n\n学校/供图\n\n本报讯(记者 王五)日前……\n\n记者 赵六/摄\n"


@pytest.fixture
def page(edition):
    series = Series.objects.create(title="走进华为专题培训班学员思考和建议", subtitle="——第四期③")
    Edition.objects.filter(pk=edition.pk).update(
        series=series,
        installment=3,
        published_on=datetime.date(2025, 12, 1),
        raw_text=RAW,
        warnings=[
            {"kind": "word_joined", "lines": [1], "message": "第1行与下行接排", "article": 1},
        ],
    )
    edition.refresh_from_db()
    reflection = Article.objects.create(
        edition=edition, order=1, kind="reflection", title="建言一篇", in_series=True
    )
    news = Article.objects.create(
        edition=edition,
        order=2,
        kind="news",
        title="新闻一则",
        in_series=False,
        photo_credits=["学校", "记者 赵六", "区融媒体中心"],
    )
    return {"reflection": reflection, "news": news}


def html_of(client, article):
    return client.get(article.get_absolute_url()).content.decode()


def test_photo_credits_read_as_printed(client, viewer, page):
    client.force_login(viewer)
    credits = html_of(client, page["news"]).split('class="photo-credits')[1].split("</p>")[0]
    assert "学校/供图" in credits and "记者 赵六/摄" in credits
    assert "区融媒体中心/供图" in credits  # not on the page: a supplied picture


def test_printed_credit_reads_the_suffix_from_the_page():
    assert printed_credit("主办方", "图为现场。\n主办方供图\n") == "主办方供图"
    assert printed_credit("张三", "张三 摄\n") == "张三 摄"
    assert printed_credit("记者 李四", "") == "记者 李四/摄"


def test_news_reports_carry_no_series_banner(client, viewer, page):
    client.force_login(viewer)
    news = html_of(client, page["news"])
    assert "走进华为专题培训班学员思考和建议" not in news
    piece = html_of(client, page["reflection"])
    assert '<p class="series">走进华为专题培训班学员思考和建议</p>' in piece
    assert '<p class="series-subtitle">——第四期③</p>' in piece


def source_line(html):
    return html.split('class="muted small source-line">')[1].split("</p>")[0]


def test_the_source_names_the_paper_installment_and_date_not_the_file(client, viewer, page):
    client.force_login(viewer)
    html = html_of(client, page["news"])
    source = source_line(html)
    assert "《海淀报》" in source and "系列第 3 期" in source and "2025年12月1日" in source
    assert "test-page.txt" not in html


def test_a_piece_of_the_series_names_its_installment_once(client, viewer, page):
    # The banner prints the subtitle as the paper does (——第四期③): the 来源 line does not
    # repeat the installment after it.
    client.force_login(viewer)
    html = html_of(client, page["reflection"])
    header = html.split('class="newspaper-head"')[1].split("</header>")[0]
    assert header.count("③") == 1
    assert "第 3 期" not in source_line(html) and "2025年12月1日" in source_line(html)


def test_the_source_names_the_installment_when_the_banner_does_not_print_it(client, viewer, page):
    Series.objects.update(subtitle="——第四期")
    client.force_login(viewer)
    assert "系列第 3 期" in source_line(html_of(client, page["reflection"]))


def test_the_admin_still_shows_the_file_name(client, admin_user, page):
    client.force_login(admin_user)
    url = f"/admin/recommendations/edition/{page['news'].edition_id}/change/"
    assert "test-page.txt" in client.get(url).content.decode()


def test_import_notes_are_for_staff_in_chinese_without_markup(client, staff, viewer, page):
    client.force_login(viewer)
    assert "导入提示" not in html_of(client, page["news"])
    client.force_login(staff)
    html = html_of(client, page["news"])
    notes = html.split('class="panel warnings"')[1].split("</section>")[0]
    assert "断行已接合" in notes and "第1行与下行接排" in notes
    assert "word_joined" not in notes and "## " not in notes
    assert "系列标题" in notes
