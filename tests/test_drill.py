"""`make drill` in small: bin/serve on the drill's own PostgreSQL, which is stopped and started
again under load. The site must fail while the database is away (else nothing was drilled) and
answer every request after it is back, without being restarted itself."""

from portal import drill


def test_the_site_recovers_from_a_database_restart_without_a_failed_request():
    lines = []
    report = drill.run(clients=2, requests=9, down=1.5, out=lines.append)
    counts = report.counts
    assert counts["before"] == {"requests": 6, "failed": 0}, lines
    # The outage was real: the clients kept asking and the site could not answer.
    assert counts["during"]["requests"] >= 2 and counts["during"]["failed"] >= 1, lines
    assert report.back_at - report.stopped_at >= 1.5
    assert counts["after"] == {"requests": 12, "failed": 0}, (lines, report.failed_after_examples)


def test_the_command_reports_and_fails_only_on_failures_after_the_restart(monkeypatch, capsys):
    report = drill.Report(clients=1, requests=3, down_seconds=1)
    report.counts = {"after": {"requests": 2, "failed": 1}}
    report.failed_after_examples = ["/ → 500 at +0.1 s"]
    monkeypatch.setattr(drill, "run", lambda *args: report)
    assert drill.main([]) == 1
    assert "/ → 500" in capsys.readouterr().out
    report.counts = {"after": {"requests": 2, "failed": 0}}
    assert drill.main([]) == 0
