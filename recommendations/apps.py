from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecommendationsConfig(AppConfig):
    name = "recommendations"
    verbose_name = _("建议办理")

    def ready(self):
        from recommendations.models import Byline, User

        # The byline-affiliation link is Django's automatic through model: without this it is
        # "Byline-affiliation关系 … object (14)" on the admin's delete confirmations.
        through = Byline.affiliations.through
        through._meta.verbose_name = _("署名单位")
        through._meta.verbose_name_plural = _("署名单位")
        through.__str__ = lambda link: f"{link.byline} · {link.affiliation}"

        # The same for a user's groups and permissions (shown when a user is deleted).
        for field, label in (("groups", _("所属角色")), ("user_permissions", _("单独权限"))):
            link = User._meta.get_field(field).remote_field.through
            link._meta.verbose_name = link._meta.verbose_name_plural = label
            target = "group" if field == "groups" else "permission"
            link.__str__ = lambda row, target=target: f"{row.user} · {getattr(row, target)}"

        # The admin's yes/no icons are described in English (alt="True"): Chinese instead.
        from django.contrib.admin.templatetags import admin_list
        from django.templatetags.static import static
        from django.utils.html import format_html

        def boolean_icon(value):
            name, alt = {True: ("yes", _("是")), False: ("no", _("否"))}.get(
                value, ("unknown", _("未知"))
            )
            return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{name}.svg"), alt)

        admin_list._boolean_icon = boolean_icon
