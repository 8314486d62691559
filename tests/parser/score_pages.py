"""Score the parser on the unseen pages: share of checks passed and recommendation-tree F1.

.venv/bin/python tests/parser/score_pages.py          # a line per page and the totals
.venv/bin/python tests/parser/score_pages.py -v       # … and every failed check
.venv/bin/python tests/parser/score_pages.py --write PAGE.txt
    writes PAGE.expected.json from today's parse, as a draft to check line by line
    against the page before it is committed (never to make a failing page pass).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[2]), str(Path(__file__).resolve().parent)]

from expected import PAGES, parse_file, project, score_all  # noqa: E402


def main(argv: list[str]) -> int:
    if argv[:1] == ["--write"]:
        for name in argv[1:]:
            page = PAGES / Path(name).name
            out = page.with_name(page.stem + ".expected.json")
            data = json.dumps(project(parse_file(page)), ensure_ascii=False, indent=1)
            out.write_text(data + "\n", encoding="utf-8")
            print(f"wrote {out}")
        return 0
    result = score_all()
    for p in result["pages"]:
        share = p["passed"] / p["checks"]
        print(f"{p['page']:40} {p['passed']:4}/{p['checks']:<4} {share:7.1%}  F1 {p['f1']:.3f}")
        if "-v" in argv:
            for what in p["failed"]:
                print(f"    ✗ {what}")
    print(
        f"{'all unseen pages':40} {result['passed']:4}/{result['checks']:<4} "
        f"{result['share']:7.1%}  F1 {result['f1']:.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
