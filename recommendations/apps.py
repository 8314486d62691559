from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecommendationsConfig(AppConfig):
    name = "recommendations"
    verbose_name = _("建议办理")

    def ready(self):
        from recommendations.models import Byline

        # The byline-affiliation link is Django's automatic through model: without this it is
        # "Byline-affiliation关系 … object (14)" on the admin's delete confirmations.
        through = Byline.affiliations.through
        through._meta.verbose_name = _("署名单位")
        through._meta.verbose_name_plural = _("署名单位")
        through.__str__ = lambda link: f"{link.byline} · {link.affiliation}"
