"""A real browser walks the whole handling loop on the seed data, each role in its own session:

staff assign → the lead handler signs → asks for an extension → staff approve → the
co-department's handler writes an opinion → the lead answers B with a promised date and a letter
→ staff return it → the lead revises → staff approve → staff record 不满意 → second round →
approved → on the promised date the item is in 待跟踪 → progress report → staff move it to A.

Screenshots of each step go to test-results/browser-loop/ (1366 px wide, and 375 px for the
item page at the answer step).
"""

import datetime

import pytest

from handling import calendar, rules
from handling.models import Answer, ExtensionRequest, ProgressReport, Verdict
from recommendations.models import Recommendation
from tests.handling_helpers import PDF
from tests.test_browser import OUTPUT, Steps, browser, seeded  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser]


class LoopSteps(Steps):
    def __init__(self, page, base_url):
        super().__init__(page, base_url)
        self.folder = OUTPUT / "browser-loop"
        self.folder.mkdir(parents=True, exist_ok=True)

    def open(self, rec):
        self.page.goto(f"{self.base_url}/recommendations/{rec.pk}/")

    def submit(self, form_id, button):
        form = self.page.locator(f"#{form_id}")
        form.get_by_role("button", name=button).click()
        self.page.wait_for_load_state()

    def expect_message(self, text):
        assert text in self.page.locator("body").inner_text(), text


def test_the_whole_loop_in_the_browser(browser, live_server, seeded, media_root, tmp_path):  # noqa: F811
    calendar.load_from_package()  # the transactional test flushed what the migration loaded
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    steps = LoopSteps(page, live_server.url)
    rec = (
        Recommendation.objects.points()
        .filter(status="new", depth=2)
        .order_by("article_id", "order")
        .first()
    )
    today = datetime.date.today()

    # 1. Staff assign it: 区科信局 leads, 区外办 co-handles; the deadline comes from the rules.
    steps.sign_in("staff", "staff-demo-2026")
    steps.open(rec)
    assign = page.locator("#assign-form")
    assert assign.get_by_label("办理期限").input_value() == (
        rules.current().default_deadline(today).isoformat()
    )
    assign.get_by_label("主办部门").select_option(label="区科信局")
    assign.locator("label", has_text="区外办").locator("input").check()
    steps.submit("assign-form", "保存交办")
    steps.expect_message("已交办给区科信局")
    steps.shot("staff-assigns")
    steps.sign_out()

    # 2. The lead handler finds it waiting for receipt in My work and signs.
    steps.sign_in("handler", "handler-demo-2026")
    page.goto(live_server.url + "/my-work/")
    assert "待本部门签收" in page.locator("main").inner_text()
    steps.shot("handler-my-work-to-sign")
    page.locator(f"main a[href^='/recommendations/{rec.pk}/']").first.click()
    steps.submit("receive-form", "签收")
    steps.expect_message("已签收。")
    rec.refresh_from_db()
    assert rec.status == "in_progress"
    steps.shot("handler-signed")

    # 3. The lead asks for an extension within the cap.
    cap = rules.current().extension_cap(today)
    wanted = cap - datetime.timedelta(days=7)
    extension = page.locator("#extension-form")
    extension.get_by_label("申请延至").fill(wanted.isoformat())
    extension.get_by_label("延期理由").fill("需会同区发展改革委开展专项调研。")
    steps.submit("extension-form", "提交延期申请")
    steps.expect_message("延期申请已提交")
    steps.shot("handler-asks-extension")
    steps.sign_out()

    # 4. Staff approve it from My work.
    steps.sign_in("staff", "staff-demo-2026")
    page.goto(live_server.url + "/my-work/")
    assert "待审批的延期申请" in page.locator("main").inner_text()
    steps.open(rec)
    page.locator("#extension-decision-form").get_by_label("审批结果").select_option("1")
    steps.submit("extension-decision-form", "提交审批")
    steps.expect_message("延期申请已审批。")
    rec.refresh_from_db()
    assert rec.deadline == wanted
    assert ExtensionRequest.objects.get(recommendation=rec).decision == "approved"
    steps.shot("staff-approves-extension")
    steps.sign_out()

    # 5. The co-department's handler writes its opinion.
    steps.sign_in("handler2", "handler2-demo-2026")
    page.goto(live_server.url + "/my-work/")
    assert "待本部门提交协办意见" in page.locator("main").inner_text()
    steps.open(rec)
    page.locator("#opinion-form").get_by_label("协办意见").fill("区外办可协调国际合作资源。")
    steps.submit("opinion-form", "保存协办意见")
    steps.expect_message("协办意见已保存。")
    steps.shot("co-handler-opinion")
    steps.sign_out()

    # 6. The lead answers B with a promised date and the signed letter, beside the opinion.
    letter = tmp_path / "答复函.pdf"
    letter.write_bytes(PDF)
    steps.sign_in("handler", "handler-demo-2026")
    steps.open(rec)
    assert "区外办可协调国际合作资源。" in page.locator("#loop-opinions").inner_text()
    answer = page.locator("#answer-form")
    answer.get_by_label("答复类别").select_option("B")
    answer.get_by_label("答复内容").fill("已列入明年工作计划,正在推进。")
    answer.get_by_label("承诺完成日期").fill(today.isoformat())
    answer.get_by_label("答复函(可选)").set_input_files(str(letter))
    page.set_viewport_size({"width": 375, "height": 800})
    steps.shot("handler-answer-form-375")
    page.set_viewport_size({"width": 1366, "height": 900})
    steps.submit("answer-form", "提交答复")
    steps.expect_message("答复已提交,等待研判员审核。")
    rec.refresh_from_db()
    assert rec.status == "review" and rec.promised_on == today
    steps.shot("handler-answered-b")
    steps.sign_out()

    # 7. Staff return it with a note.
    steps.sign_in("staff", "staff-demo-2026")
    steps.open(rec)
    download = page.locator("#loop-answers a", has_text="下载答复函")
    with page.expect_download() as got:
        download.click()
    assert got.value.suggested_filename == "答复函.pdf"
    review = page.locator("#review-form")
    review.get_by_label("审核结果").select_option("0")
    review.get_by_label("审核意见").fill("请逐条答复并注明责任科室。")
    steps.submit("review-form", "提交审核结果")
    steps.expect_message("答复已退回主办部门修改。")
    steps.shot("staff-returns-answer")
    steps.sign_out()

    # 8. The lead revises.
    steps.sign_in("handler", "handler-demo-2026")
    steps.open(rec)
    steps.expect_message("请逐条答复并注明责任科室。")
    answer = page.locator("#answer-form")
    answer.get_by_label("答复内容").fill("一、已列入明年计划(规划科负责);二、正在推进试点。")
    answer.get_by_label("承诺完成日期").fill(today.isoformat())
    steps.submit("answer-form", "提交答复")
    steps.expect_message("答复已提交")
    steps.shot("handler-revises")
    steps.sign_out()

    # 9. Staff approve; 10. record the author's 不满意: a second round opens.
    steps.sign_in("staff", "staff-demo-2026")
    steps.open(rec)
    page.locator("#review-form").get_by_label("审核结果").select_option("1")
    steps.submit("review-form", "提交审核结果")
    steps.expect_message("答复已审核通过,建议已办结。")
    steps.shot("staff-approves")
    verdict = page.locator("#verdict-form")
    verdict.get_by_label("满意度").select_option("unsatisfied")
    verdict.get_by_label("说明").fill("未回应时间表。")
    steps.submit("verdict-form", "保存评价")
    steps.expect_message("已记录“不满意”,建议进入第二轮办理。")
    rec.refresh_from_db()
    assert rec.status == "in_progress" and rec.answer_round == 2
    assert rec.deadline == rules.current().second_round_deadline(today)
    steps.shot("staff-records-unsatisfied")
    steps.sign_out()

    # 11. The second round: the lead answers again, staff approve.
    steps.sign_in("handler", "handler-demo-2026")
    steps.open(rec)
    answer = page.locator("#answer-form")
    answer.get_by_label("答复内容").fill("补充时间表:明年六月底前完成试点。")
    answer.get_by_label("承诺完成日期").fill(today.isoformat())
    steps.submit("answer-form", "提交答复")
    steps.shot("handler-second-round")
    steps.sign_out()
    steps.sign_in("staff", "staff-demo-2026")
    steps.open(rec)
    page.locator("#review-form").get_by_label("审核结果").select_option("1")
    steps.submit("review-form", "提交审核结果")
    steps.expect_message("建议已办结")
    steps.shot("staff-approves-second-round")
    steps.sign_out()

    # 12. On the promised date the item is in 待跟踪 of its department: a progress report.
    steps.sign_in("handler", "handler-demo-2026")
    page.goto(live_server.url + "/my-work/")
    follow_up = page.locator("section.loop-work", has_text="待跟踪")
    assert follow_up.locator(f"a[href^='/recommendations/{rec.pk}/']").count() == 1
    steps.shot("handler-follow-up-list")
    follow_up.locator(f"a[href^='/recommendations/{rec.pk}/']").click()
    page.locator("#progress-form").get_by_label("进展情况").fill("试点已在两个街道启动。")
    steps.submit("progress-form", "填报进展")
    steps.expect_message("进展情况已填报。")
    steps.shot("handler-progress-report")
    steps.sign_out()

    # 13. Staff move the category to A.
    steps.sign_in("staff", "staff-demo-2026")
    steps.open(rec)
    steps.submit("finish-form", "改为 A 类(已解决)")
    steps.expect_message("已改为 A 类")
    rec.refresh_from_db()
    assert rec.answer_category == "A"
    history = page.locator("#history").inner_text()
    for record in ("签收记录", "延期申请", "协办意见", "答复版本", "满意度评价", "进展报告"):
        assert record in history, record
    steps.shot("staff-category-a-and-history")

    assert Answer.objects.filter(recommendation=rec).count() == 3
    assert Verdict.objects.get(recommendation=rec).level == "unsatisfied"
    assert ProgressReport.objects.filter(recommendation=rec).count() == 1
