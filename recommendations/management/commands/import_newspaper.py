"""manage.py import_newspaper FILE [FILE ...] [--dry-run] [--json OUT] [--date YYYY-MM-DD]

Reads each page, parses it (recommendations.newspaper) and stores it (recommendations.importer).
A file's source name is its base name: importing another file of the same name is taken as a
corrected version of that page.
"""

import argparse
import datetime
import hashlib
import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from recommendations import importer
from recommendations.newspaper import PageError


class PageRefused(Exception):
    """A file that cannot be imported; the message names the file."""


class Command(BaseCommand):
    help = (
        "Import newspaper pages (plain-text .txt, UTF-8 or GB18030/GBK) into the portal. "
        "Each file is imported in its own transaction, all or nothing; re-importing the same "
        "file changes nothing, a corrected file (same name, other content) updates the stored "
        "page in place and reports the items no longer printed. If any file fails, the others "
        "are still imported and the command exits with status 1. "
        "--dry-run parses only and writes no table; --json OUT writes the edition JSON "
        "(schema edition/1): one object for one file, a list of objects for several files, or "
        "one <name>.json per file when OUT is an existing directory; OUT '-' is standard output "
        "(the report then goes to standard error)."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="newspaper page(s), .txt")
        parser.add_argument(
            "--dry-run", action="store_true", help="parse and report only; write nothing"
        )
        parser.add_argument(
            "--json",
            dest="json_out",
            metavar="OUT",
            help="write the parsed page(s) as edition JSON ('-': stdout)",
        )
        parser.add_argument(
            "--date", type=_date, metavar="YYYY-MM-DD", help="the page's publication date"
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=1,
            metavar="N",
            help="import N files at a time in separate processes (each still all or nothing)",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="parse and store again even when the file is unchanged (after a parser fix)",
        )

    def handle(self, *args, files, dry_run, json_out, date, force, jobs, **options):
        if jobs < 1:
            raise CommandError("--jobs must be at least 1")
        report = self.stderr if json_out == "-" else self.stdout
        documents, failures = [], []
        arguments = [(f, dry_run, json_out is not None, date, force) for f in files]
        for filename, (result, document, refused) in zip(
            files, _run_all(_import_one, arguments, jobs), strict=True
        ):
            if refused is not None:
                failures.append(refused)  # reported once, at the end
                continue
            if document is not None:
                documents.append((filename, document))
            report.write(result)
        if json_out is not None and documents:
            self._write_json(json_out, documents, several=len(files) > 1)
        if failures:
            if len(failures) == 1:
                raise CommandError(failures[0])
            raise CommandError(
                f"{len(failures)} of {len(files)} files were not imported:\n" + "\n".join(failures)
            )

    def _write_json(self, out, documents, several):
        if out == "-":
            payload = [d for _, d in documents] if several else documents[0][1]
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        target = Path(out)
        if target.is_dir():
            for filename, document in documents:
                _dump(document, target / (Path(filename).stem + ".json"))
            return
        _dump([d for _, d in documents] if several else documents[0][1], target)


def _import_one(filename, dry_run, want_json, date, force):
    """Read, parse and (unless a dry run) store one file: (summary, edition JSON or None)."""
    path = Path(filename)
    name = path.name
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise PageRefused(f"{filename}: no such file") from None
    except IsADirectoryError:
        raise PageRefused(f"{filename}: is a directory, not a text page") from None
    except OSError as e:
        raise PageRefused(f"{filename}: cannot be read ({e.strerror})") from None
    sha256 = hashlib.sha256(data).hexdigest()

    if not (dry_run or want_json or force or date):
        # The import run on every start: stored bytes need no parsing at all.
        stored = importer.find_unchanged(name, sha256)
        if stored is not None:
            return stored.summary(), None

    try:
        parsed, text = importer.read_page(data, name, sha256)
    except PageError as e:
        raise PageRefused(str(e)) from None
    except Exception as e:  # a parser bug must not stop the other files
        raise PageRefused(f"{name}: could not be parsed ({type(e).__name__}: {e})") from e
    document = parsed.to_dict() if want_json else None
    if dry_run:
        return _dry_summary(parsed), document
    try:
        result = importer.import_edition(parsed, text, published_on=date, force=force)
    except Exception as e:  # rolled back: report it and go on with the other files
        raise PageRefused(
            f"{name}: import failed, nothing was stored ({type(e).__name__}: {e})"
        ) from e
    return result.summary(), document


def _guarded(one, arguments):
    """(summary, document, None) or (None, None, refusal message) for one file."""
    try:
        result, document = one(*arguments)
    except PageRefused as e:
        return None, None, str(e)
    return result, document, None


def _run_all(one, argument_list, jobs):
    """Results in the order of the files. Several jobs fork worker processes, each with its
    own database connection; imports of the same name are still serialised by the importer's
    lock, and shared people and organisations are created with ON CONFLICT DO NOTHING."""
    if jobs == 1 or len(argument_list) < 2:
        return [_guarded(one, arguments) for arguments in argument_list]
    connections.close_all()  # a forked child must not share the parent's connection
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        return list(pool.map(_guarded, [one] * len(argument_list), argument_list))


def _dump(payload, path: Path) -> None:
    with path.open("w", encoding="utf-8") as f:
        json.dump(payload, f, ensure_ascii=False, indent=2)
        f.write("\n")


def _dry_summary(parsed) -> str:
    line = (
        f"{parsed.source_name}: parsed (dry run, nothing written) — {len(parsed.articles)} "
        f"articles, {parsed.node_count()} recommendations, "
        f"{importer.warning_summary(parsed.warnings)}"
    )
    if (parsed.encoding or "utf-8") != "utf-8":
        line += f", encoding {parsed.encoding}"
    return line


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value}") from None
