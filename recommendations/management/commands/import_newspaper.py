"""manage.py import_newspaper FILE [FILE ...] [--dry-run] [--json OUT] [--date YYYY-MM-DD]

Reads each page, parses it (recommendations.newspaper) and stores it (recommendations.importer).
A page is recognised by its content (recommendations.importer.plan): the same text under any
name or encoding is not stored twice, a corrected copy of a stored page updates it in place,
and another page under a stored page's file name is refused unless --replace confirms it.
Every message is Chinese and names the file (and the line when there is one).
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

from imports import preview
from recommendations import importer, pagecheck
from recommendations.newspaper import PageError


class PageRefused(Exception):
    """A file that cannot be imported; the message names the file."""


class Command(BaseCommand):
    help = (
        "导入报纸版面文本(.txt,UTF-8 或 GB18030/GBK)。每个文件单独导入,要么全部写入,要么"
        "一行不写。同一版面(任何文件名、任何编码)不会重复导入;同一版面的更正版本原地更新,"
        "并列出不再见于原文的条目;另一个版面用了已导入版面的文件名时拒绝导入,除非加 "
        "--replace 确认替换。某个文件失败时,其余文件照常导入,命令以状态 1 结束。"
        "--dry-run 只解析并预览,不写入;--json OUT 输出版面 JSON(schema edition/1):"
        "一个文件为一个对象,多个文件为列表,OUT 为已有目录时每个文件一个 <name>.json;"
        "OUT 为 '-' 时写到标准输出(报告改写到标准错误)。"
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="版面文本文件(.txt)")
        parser.add_argument("--dry-run", action="store_true", help="只解析并预览,不写入")
        parser.add_argument(
            "--json", dest="json_out", metavar="OUT", help="输出版面 JSON('-' 为标准输出)"
        )
        parser.add_argument("--date", type=_date, metavar="YYYY-MM-DD", help="版面的出版日期")
        parser.add_argument(
            "--jobs",
            type=int,
            default=1,
            metavar="N",
            help="同时用 N 个进程导入(每个文件仍然全部写入或一行不写)",
        )
        parser.add_argument(
            "--force", action="store_true", help="内容未变也重新解析并原地更新(解析器修正之后)"
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="确认用这些文件替换同名的已导入版面(即使内容是另一个版面)",
        )

    def handle(self, *args, files, dry_run, json_out, date, force, replace, jobs, **options):
        if jobs < 1:
            raise CommandError("--jobs 至少为 1")
        report = self.stderr if json_out == "-" else self.stdout
        documents, failures = [], []
        arguments = [(f, dry_run, json_out is not None, date, force, replace) for f in files]
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
                f"{len(files)} 个文件中有 {len(failures)} 个未导入:\n" + "\n".join(failures)
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


def _import_one(filename, dry_run, want_json, date, force, replace):
    """Read, parse and (unless a dry run) store one file: (summary, edition JSON or None)."""
    path = Path(filename)
    name = path.name
    try:
        if path.is_file():  # a 50 MB file is refused before it is read
            pagecheck.check_size(path.stat().st_size, name)
        data = path.read_bytes()
    except PageError as e:
        raise PageRefused(pagecheck.message_of(e)) from None
    except FileNotFoundError:
        raise PageRefused(f"{filename}:文件不存在") from None
    except IsADirectoryError:
        raise PageRefused(f"{filename}:这是一个目录,不是版面文本文件") from None
    except OSError as e:
        raise PageRefused(f"{filename}:无法读取({e.strerror})") from None
    sha256 = hashlib.sha256(data).hexdigest()

    if not (dry_run or want_json or force or date):
        # The import run on every start: stored bytes need no parsing at all.
        stored = importer.find_unchanged(name, sha256)
        if stored is not None:
            return stored.summary(), None

    try:
        parsed, text = importer.read_page(data, name, sha256)
    except PageError as e:
        raise PageRefused(pagecheck.message_of(e)) from None
    except Exception as e:  # a parser bug must not stop the other files
        raise PageRefused(f"{name}:解析出错,未导入(程序错误 {type(e).__name__}: {e})") from e
    document = parsed.to_dict() if want_json else None
    if dry_run:
        shown = preview.build(parsed, text, importer.plan(parsed, text, force=force))
        return preview.as_text(name, shown), document
    try:
        result = importer.import_edition(
            parsed, text, published_on=date, force=force, replace=replace
        )
    except importer.ImportRefused as e:
        raise PageRefused(str(e)) from None
    except Exception as e:  # rolled back: report it and go on with the other files
        raise PageRefused(
            f"{name}:导入失败,未写入任何数据(程序错误 {type(e).__name__}: {e})"
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


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"不是日期(应为 YYYY-MM-DD):{value}") from None
