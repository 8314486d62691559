from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from notifications import job_admin, jobs, tasks  # noqa: F401  (job_admin: the queue's pages)
from notifications.models import Email, Message, Preference, Reminder


@admin.register(Email)
class EmailAdmin(admin.ModelAdmin):
    """Every e-mail with its state, attempts and last error; a failed one can be sent again."""

    list_display = ["created_at", "to_address", "subject", "state", "attempts", "sent_at"]
    list_filter = ["state", "kind"]
    search_fields = ["to_address", "subject"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Email._meta.fields]
    actions = ["send_again"]
    list_per_page = 50

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("重新发送所选的未发送邮件"))
    def send_again(self, request, queryset):
        with transaction.atomic():
            pending = list(queryset.exclude(state=Email.State.SENT).select_for_update())
            for email in pending:
                Email.objects.filter(pk=email.pk).update(state=Email.State.QUEUED)
                jobs.defer(tasks.send_email, email_id=email.pk)
        self.message_user(
            request, _("已重新排队发送 %(n)d 封邮件。") % {"n": len(pending)}, messages.SUCCESS
        )


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "title", "read_at"]
    list_filter = ["kind"]
    search_fields = ["title", "recipient__username"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient", "recommendation"]
    readonly_fields = [f.name for f in Message._meta.fields]
    list_per_page = 50

    def has_add_permission(self, request):
        return False


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "digest"]
    raw_id_fields = ["user"]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["day", "kind", "recommendation", "department", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["recommendation__article", "department"]
    readonly_fields = [f.name for f in Reminder._meta.fields]
    list_per_page = 50

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
