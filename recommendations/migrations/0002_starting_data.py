"""Starting data: role groups with their permissions, departments and tags from domain.md."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

DEPARTMENTS = [
    "区委办",
    "区政府办",
    "区发展改革委",
    "区科信局",
    "区教委",
    "区人力社保局",
    "区商务局",
    "区市场监管局",
    "区政务服务和数据管理局",
    "区外办",
    "区港澳事务办",
    "区文化和旅游局",
    "区融媒体中心",
    "中关村科学城管委会",
    "北太平庄街道",
]
TAGS = [
    "人才",
    "算力",
    "数据要素",
    "开源生态",
    "标准制定",
    "国际合作",
    "产业孵化",
    "应用场景",
    "政务服务",
    "基层治理",
    "安全与伦理",
    "营商环境",
    "模型技术",
    "组织变革",
]
APP_MODELS = [
    "department",
    "tag",
    "series",
    "edition",
    "article",
    "person",
    "organization",
    "affiliation",
    "byline",
    "recommendation",
    "recommendationtag",
    "codepartment",
    "comment",
]
VIEW = [f"view_{m}" for m in APP_MODELS]
ROLE_PERMISSIONS = {
    "viewer": VIEW,
    "handler": [*VIEW, "add_comment"],
    "staff": [
        *VIEW,
        "change_recommendation",
        "add_tag",
        "add_comment",
        "add_recommendationtag",
        "delete_recommendationtag",
        "add_codepartment",
        "delete_codepartment",
    ],
    "admin": None,  # every permission of the app, plus users and groups
}


def forwards(apps, schema_editor):
    # Permissions are normally created after all migrations; the groups need them now.
    for label in ("recommendations", "auth"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Department = apps.get_model("recommendations", "Department")
    Tag = apps.get_model("recommendations", "Tag")

    for order, name in enumerate(DEPARTMENTS, start=1):
        Department.objects.get_or_create(name=name, defaults={"order": order})
    for name in TAGS:
        Tag.objects.get_or_create(name=name)

    app_perms = Permission.objects.filter(content_type__app_label="recommendations")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        if codenames is None:
            perms = list(app_perms) + list(
                Permission.objects.filter(
                    content_type__app_label="auth", content_type__model__in=["group"]
                )
            )
            perms += list(
                Permission.objects.filter(
                    content_type__app_label="recommendations", content_type__model="user"
                )
            )
        else:
            perms = list(app_perms.filter(codename__in=codenames))
        group.permissions.set(perms)


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
