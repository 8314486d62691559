"""Shared set-up of the notification tests that need committed data (a worker process reads it;
use with the `committed_db` fixture): users with e-mail addresses, an item to act on."""

import datetime

from django.contrib.auth.models import Group

from recommendations.models import (
    ROLE_HANDLER,
    ROLE_STAFF,
    ROLE_VIEWER,
    Article,
    Department,
    Edition,
    Recommendation,
    User,
)
from tests.conftest import PASSWORD


def committed_world() -> dict:
    lead, co, other = (Department.objects.get(name=n) for n in ("区科信局", "区外办", "区教委"))

    def user(username, role, department=None):
        u = User.objects.create_user(
            username=username,
            password=PASSWORD,
            email=f"{username}@example.test",
            first_name=username,
            department=department,
        )
        u.groups.add(Group.objects.get(name=role))
        return u

    edition = Edition.objects.create(
        source_name="notify.txt", sha256="1" * 64, raw_text="标题\n", line_count=1
    )
    article = Article.objects.create(
        edition=edition, order=1, kind=Article.Kind.REFLECTION, title="文章", in_series=True
    )
    item = Recommendation.objects.create(
        article=article,
        number="1",
        order=1,
        depth=2,
        heading="建设智算中心",
        text="一是建设智算中心。",
    )
    return {
        "staff": user("staff_n", ROLE_STAFF),
        "staff2": user("staff_m", ROLE_STAFF),
        "handler": user("handler_n", ROLE_HANDLER, lead),
        "handler_b": user("handler_b", ROLE_HANDLER, lead),
        "co_handler": user("co_handler", ROLE_HANDLER, co),
        "other_handler": user("other_h", ROLE_HANDLER, other),
        "viewer": user("viewer_n", ROLE_VIEWER),
        "lead": lead,
        "co": co,
        "other": other,
        "item": item,
        "deadline": datetime.date(2027, 3, 1),
    }
