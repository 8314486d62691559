"""Delete import batches untouched for a week (previews never confirmed, failed, interrupted or
finished ones): each holds its uploaded files, so they would otherwise pile up for ever. The
worker also runs this every night (imports/tasks.py)."""

from django.core.management.base import BaseCommand

from imports import jobs


class Command(BaseCommand):
    help = "删除一周未动的导入批次(未确认的预览、出错、中断或已完成的批次)及其上传文件。"

    def handle(self, *args, **options):
        count = jobs.clean_old_batches()
        self.stdout.write(f"已删除 {count} 个旧的导入批次。")
