"""The admin's "import pages" form: upload newspaper pages, each stored all or nothing."""

from django import forms
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from recommendations import importer
from recommendations.newspaper import PageError

MAX_PAGE_BYTES = 5 * 1024 * 1024


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class ImportPagesForm(forms.Form):
    files = MultipleFileField(
        label=gettext_lazy("版面文本文件"),
        widget=MultipleFileInput(attrs={"accept": ".txt,text/plain"}),
        help_text=gettext_lazy("从报纸版面提取的文本(UTF-8 或 GB18030),可一次选择多个文件。"),
    )
    published_on = forms.DateField(
        label=gettext_lazy("出版日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        for upload in files:
            if upload.size > MAX_PAGE_BYTES:
                raise forms.ValidationError(
                    _("%(name)s 超过 5 MB,不像是一个版面的文本。") % {"name": upload.name}
                )
        return files


@staff_member_required
def import_pages(request, admin_site):
    if not request.user.has_perm("recommendations.add_edition"):
        raise PermissionDenied
    form = ImportPagesForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        for upload in form.cleaned_data["files"]:
            try:
                result = importer.import_bytes(
                    upload.read(), upload.name, published_on=form.cleaned_data["published_on"]
                )
            except PageError as error:
                messages.error(request, _("未导入:%(error)s") % {"error": error})
            else:
                messages.success(request, result.summary())
        return redirect("admin:recommendations_edition_changelist")
    context = {
        **admin_site.each_context(request),
        "title": _("导入版面"),
        "form": form,
        "opts": importer.Edition._meta,
    }
    return render(request, "admin/recommendations/import_pages.html", context)
