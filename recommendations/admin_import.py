"""The admin's "import pages" form: upload newspaper pages; every file's outcome is reported.

By default a batch is all or nothing: one refused file and no file is stored. The admin may
choose to store each good file on its own instead.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from recommendations import importer, pagecheck
from recommendations.newspaper import PageError

ALL_OR_NOTHING = "all"
EACH_FILE = "each"


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
    mode = forms.ChoiceField(
        label=gettext_lazy("多个文件时"),
        choices=[
            (ALL_OR_NOTHING, gettext_lazy("整批导入:有一个文件不能导入,就一个都不导入")),
            (EACH_FILE, gettext_lazy("逐个导入:能导入的文件照常导入")),
        ],
        initial=ALL_OR_NOTHING,
        required=False,  # all or nothing unless asked otherwise
        widget=forms.RadioSelect,
    )

    def clean_mode(self):
        return self.cleaned_data["mode"] or ALL_OR_NOTHING


class _BatchRefused(Exception):
    pass


def import_uploads(uploads, *, published_on=None, mode=ALL_OR_NOTHING, replace=()):
    """Import the uploaded files; returns [(name, ok, message)] for every file, in order.

    `replace` holds the names whose replacement of a stored edition the admin confirmed."""
    outcomes = []
    for upload in uploads:
        try:
            pagecheck.check_size(upload.size, upload.name)
            parsed, text = importer.read_page(upload.read(), upload.name)
        except PageError as error:
            outcomes.append([upload.name, False, pagecheck.message_of(error), None])
        else:
            outcomes.append([upload.name, True, "", (parsed, text)])
    if mode == ALL_OR_NOTHING and not all(outcome[1] for outcome in outcomes):
        return _refuse_rest(outcomes)
    try:
        with transaction.atomic():
            for outcome in outcomes:
                if outcome[3] is not None:
                    _import_one(outcome, published_on, mode, outcome[0] in replace)
            if mode == ALL_OR_NOTHING and not all(outcome[1] for outcome in outcomes):
                raise _BatchRefused
    except _BatchRefused:
        return _refuse_rest(outcomes)
    return [(name, ok, message) for name, ok, message, _parsed in outcomes]


def _import_one(outcome, published_on, mode, replace):
    name, _, _, (parsed, text) = outcome
    try:
        with transaction.atomic():
            result = importer.import_edition(
                parsed, text, published_on=published_on, replace=replace
            )
    except importer.ImportRefused as error:
        outcome[1:3] = [False, str(error)]
    except Exception as error:  # rolled back to the savepoint: report it with the others
        outcome[1:3] = [
            False,
            _("%(name)s:导入失败,未写入任何数据(程序错误 %(error)s)")
            % {"name": name, "error": type(error).__name__},
        ]
    else:
        outcome[2] = result.summary()


def _refuse_rest(outcomes):
    """The batch is not stored: the good files are reported as not imported, with why."""
    return [
        (
            name,
            False,
            message
            if not ok
            else _("%(name)s:未导入(同批有文件不能导入,整批未导入)") % {"name": name},
        )
        for name, ok, message, _parsed in outcomes
    ]


@staff_member_required
def import_pages(request, admin_site):
    if not request.user.has_perm("recommendations.add_edition"):
        raise PermissionDenied
    form = ImportPagesForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        outcomes = import_uploads(
            form.cleaned_data["files"],
            published_on=form.cleaned_data["published_on"],
            mode=form.cleaned_data["mode"],
        )
        for _name, ok, message in outcomes:
            # "文件 " first: the admin capitalises a message's first letter, a file name's too.
            (messages.success if ok else messages.error)(request, _("文件 ") + message)
        return redirect("admin:recommendations_edition_changelist")
    context = {
        **admin_site.each_context(request),
        "title": _("导入版面"),
        "form": form,
        "opts": importer.Edition._meta,
        "max_size": pagecheck.size_text(pagecheck.max_page_bytes()),
    }
    return render(request, "admin/recommendations/import_pages.html", context)
