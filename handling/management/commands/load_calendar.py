from django.core.management.base import BaseCommand

from handling.calendar import load_from_package, missing_years


class Command(BaseCommand):
    help = "把 chinese-calendar 软件包已知、日历中尚无的年份(节假日与调休)写入日历;已有年份不动。"

    def handle(self, *args, **options):
        loaded = load_from_package()
        if loaded:
            years = "、".join(str(y) for y in loaded)
            self.stdout.write(f"已载入 {years} 年的节假日与调休安排。")
        else:
            self.stdout.write("日历已是最新,没有需要载入的年份。")
        missing = missing_years()
        if missing:
            years = "、".join(str(y) for y in missing)
            self.stdout.write(
                f"注意:日历中没有 {years} 年的安排,这些年份按普通周一至周五计算工作日。"
            )
