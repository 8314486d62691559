"""Downloads of the current filtered list (same parameters as the list page)."""

from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from recommendations.export import csv_chunks, xlsx_file
from recommendations.filters import RecommendationFilter
from recommendations.models import Recommendation


def _filterset(request):
    return RecommendationFilter(request.GET, queryset=Recommendation.objects.all())


def _refused(request, filterset):
    """An invalid filter is refused, with the list page's messages: an export silently widened
    to every item would be worse than none."""
    context = {"form": filterset.form, "list_query": request.GET.urlencode()}
    return render(request, "recommendations/export_refused.html", context, status=400)


def _filename(extension):
    return f"建议列表-{timezone.localtime():%Y%m%d-%H%M}.{extension}"


@require_safe
def export_csv(request):
    filterset = _filterset(request)
    if not filterset.is_valid():
        return _refused(request, filterset)
    response = StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in csv_chunks(filterset.qs)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = content_disposition_header(True, _filename("csv"))
    return response


@require_safe
def export_xlsx(request):
    filterset = _filterset(request)
    if not filterset.is_valid():
        return _refused(request, filterset)
    return FileResponse(
        xlsx_file(filterset.qs),
        as_attachment=True,
        filename=_filename("xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
