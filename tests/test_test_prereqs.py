"""`make test` on a bare machine: bin/test-prereqs installs the system packages the tests need
(as root, through apt) or stops at once with one line saying what to install.

The script is run for real with stand-ins for dpkg-query, id and apt-get first on PATH, so each
kind of machine (everything there, root with apt, an ordinary user) can be played here.
"""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "bin" / "test-prereqs"
PACKAGES = ["chromium", "fonts-wqy-zenhei", "wrk", "nginx"]


def stub(folder: Path, name: str, body: str):
    path = folder / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)


@pytest.fixture
def machine(tmp_path):
    """A PATH where dpkg-query reports the packages in $MISSING as absent."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "apt.log"
    stub(
        bin_dir,
        "dpkg-query",
        'for p in $MISSING; do [ "$p" = "$3" ] && exit 1; done\necho "install ok installed"\n',
    )
    stub(bin_dir, "id", 'echo "$FAKE_UID"\n')
    stub(bin_dir, "apt-get", f'echo "$@" >> {log}\n')

    def run(missing=(), uid=0):
        env = {
            "PATH": f"{bin_dir}:/usr/bin:/bin",
            "MISSING": " ".join(missing),
            "FAKE_UID": str(uid),
        }
        result = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True)
        result.apt = log.read_text().splitlines() if log.exists() else []
        return result

    return run


def test_it_does_nothing_when_every_package_is_there(machine):
    result = machine()
    assert result.returncode == 0
    assert result.stdout == result.stderr == ""
    assert result.apt == []


def test_it_installs_what_is_missing_as_root(machine):
    result = machine(missing=["chromium", "nginx"])
    assert result.returncode == 0, result.stderr
    assert result.apt[0].startswith("update")
    assert result.apt[1].startswith("install") and result.apt[1].endswith("chromium nginx")


def test_it_refuses_at_once_with_one_line_when_it_cannot_install(machine):
    result = machine(missing=["chromium", "fonts-wqy-zenhei"], uid=1000)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "sudo apt-get install chromium fonts-wqy-zenhei" in lines[0]
    assert result.apt == []


def test_ci_and_make_test_share_the_one_list():
    script = SCRIPT.read_text()
    assert f"packages=({' '.join(PACKAGES)})" in script
    assert "bash bin/test-prereqs" in (ROOT / ".ci" / "run").read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert "test: test-prereqs setup\n" in makefile
    assert "apt-get install" not in (ROOT / ".ci" / "run").read_text()


def test_the_packages_are_installed_on_this_machine():
    # The suite itself needs them (the browser, bench and nginx tests): the script must pass here.
    result = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, env=os.environ)
    assert result.returncode == 0, result.stderr
