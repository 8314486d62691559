"""The parser package stays plain Python: no Django import, no page-specific names."""

import ast
from pathlib import Path

import recommendations.newspaper as pkg

SOURCES = sorted(Path(pkg.__file__).parent.glob("*.py"))


def test_sources_found():
    assert len(SOURCES) >= 5


def test_no_django_import():
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(n.split(".")[0] == "django" for n in names), path
        assert "django" not in path.read_text(encoding="utf-8").lower(), path


def test_no_seed_content_in_rules():
    # Rules must be general: nothing from the seed page's people, places or titles.
    banned = ["陈鹏", "任闯", "沈昭宇", "凤凰岭", "李翎铭", "魏慧子", "常润达", "华为", "嬉雪"]
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        assert not [b for b in banned if b in text], path
