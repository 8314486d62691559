"""Downloads of the current filtered list (same parameters as the list page)."""

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from recommendations.export import csv_chunks, xlsx_file
from recommendations.filters import RecommendationFilter
from recommendations.models import Recommendation


def _filtered(request):
    return RecommendationFilter(request.GET, queryset=Recommendation.objects.all()).qs


def _filename(extension):
    return f"建议列表-{timezone.localtime():%Y%m%d-%H%M}.{extension}"


@require_safe
def export_csv(request):
    response = StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in csv_chunks(_filtered(request))),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = content_disposition_header(True, _filename("csv"))
    return response


@require_safe
def export_xlsx(request):
    return FileResponse(
        xlsx_file(_filtered(request)),
        as_attachment=True,
        filename=_filename("xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
