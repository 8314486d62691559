"""Request bodies are refused early, with a page in Chinese, when no legal form can be so big.

Django itself limits only what it holds in memory (DATA_UPLOAD_MAX_MEMORY_SIZE for a form
without files, DATA_UPLOAD_MAX_NUMBER_FIELDS, DATA_UPLOAD_MAX_NUMBER_FILES); an upload above
FILE_UPLOAD_MAX_MEMORY_SIZE is streamed to a temporary file of any size. So the declared length
of every request is checked first, before a session is read or a byte of the body: above
REQUEST_MAX_BYTES (an answer letter with its form, or a batch of newspaper pages, fits well
below) the answer is 413 at once. nginx refuses the same size in front (`client_max_body_size`
in docs/deployment.md, kept equal by tests/test_page_bounds.py).

Django's own refusals (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent) reach
`bad_request`, which says in Chinese which limit was met instead of "Bad Request (400)".
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponse
from django.template.loader import render_to_string


def _megabytes(size: int) -> str:
    mb = size / (1024 * 1024)
    return f"{mb:.1f}".removesuffix(".0") + " MB"


def _page(status: int, reason: str) -> HttpResponse:
    html = render_to_string("400.html", {"reason": reason})
    return HttpResponse(html, status=status)


class RequestSizeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads a malformed length as an empty body
        if length > settings.REQUEST_MAX_BYTES:
            return _page(
                413,
                f"提交的内容过大({_megabytes(length)}),"
                f"一次最多可提交 {_megabytes(settings.REQUEST_MAX_BYTES)}。"
                "答复函和版面文件都远小于这个大小,请检查是否选错了文件。",
            )
        return self.get_response(request)


def bad_request(request, exception=None):
    """handler400: the limit that was met, or a general explanation."""
    if isinstance(exception, RequestDataTooBig):
        reason = (
            f"提交的内容过大:不含文件的表单最多 "
            f"{_megabytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)}。请缩短文字后重试。"
        )
    elif isinstance(exception, TooManyFieldsSent):
        reason = (
            f"一次提交的字段过多:最多 {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} 个"
            "(批量操作一次最多选这么多条),请分批提交。"
        )
    elif isinstance(exception, TooManyFilesSent):
        reason = f"一次上传的文件过多:最多 {settings.DATA_UPLOAD_MAX_NUMBER_FILES} 个,请分批上传。"
    else:
        reason = "请求的格式不正确,无法处理。请返回上一页重试。"
    return _page(400, reason)
