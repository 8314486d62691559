from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.models import Kind, Preference

# What a user may choose about: the kinds a user can receive (the staff summary included).
CHOICES = Kind.choices


class PreferenceForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("邮件方式"),
        choices=[("each", _("每条消息发一封邮件")), ("digest", _("每天汇总成一封邮件"))],
        widget=forms.RadioSelect,
    )
    email_kinds = forms.MultipleChoiceField(
        label=_("发送邮件的消息类型"),
        choices=CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("未勾选的类型只在平台的“消息”中显示,不发邮件。"),
    )

    def __init__(self, data=None, *, preference: Preference):
        self.preference = preference
        initial = {
            "mode": "digest" if preference.digest else "each",
            "email_kinds": [k for k, _label in CHOICES if k not in preference.muted_kinds],
        }
        super().__init__(data, initial=initial)

    def save(self) -> Preference:
        chosen = set(self.cleaned_data["email_kinds"])
        self.preference.digest = self.cleaned_data["mode"] == "digest"
        self.preference.muted_kinds = [k for k, _label in CHOICES if k not in chosen]
        self.preference.save()
        return self.preference
