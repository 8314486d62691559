"""Starting data for the calendar and the rules: every year chinese-calendar knows, the one
Rules row with its defaults, and the admin role's permissions to edit both (viewers may read the
rules, which set the deadlines they see)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ["calendarday", "calendaryear", "rules"]


def forwards(apps, schema_editor):
    from handling.calendar import load_from_package

    load_from_package(
        apps.get_model("handling", "CalendarDay"), apps.get_model("handling", "CalendarYear")
    )
    apps.get_model("handling", "Rules").objects.get_or_create(pk=1)

    app_config = apps.get_app_config("handling")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(
        content_type__app_label="handling", content_type__model__in=MODELS
    )
    admin, _ = Group.objects.get_or_create(name="admin")
    admin.permissions.add(*perms)
    for role in ("viewer", "staff", "handler"):
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*perms.filter(codename="view_rules"))


class Migration(migrations.Migration):
    dependencies = [
        ("handling", "0001_initial"),
        ("recommendations", "0002_starting_data"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
