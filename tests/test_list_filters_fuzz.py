"""Whatever the list's parameters hold, the list and the export answer without a server error."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ui_helpers import assigned, make_article, make_rec

PARAMS = [
    "q",
    "article",
    "author",
    "organization",
    "tag",
    "status",
    "department",
    "lead_department",
    "answer_category",
    "deadline",
    "due",
    "level",
    "removed",
    "sort",
    "page",
]

# Any text a browser could send (no lone surrogates, which cannot be encoded in a URL).
texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
numbers = st.integers(min_value=-(2**70), max_value=2**70).map(str)
tricky = st.sampled_from(
    [
        "",
        "0",
        "-1",
        "1e9",
        "NaN",
        "inf",
        "1.5",
        "0x10",
        " 1",
        "１",
        "\x00",
        "%",
        "' OR 1=1--",
        "overdue",
        "relevance",
        "new",
        "A",
        "2",
        "on",
        "true",
    ]
)
values = st.one_of(texts, numbers, tricky)
query = st.dictionaries(
    st.sampled_from(PARAMS), st.one_of(values, st.lists(values, max_size=3)), max_size=8
)


@pytest.fixture
def world(edition, item, tag, lead_department):
    other = make_article(edition, order=2, author="李四", organization="区科信局")
    make_rec(other, "1", "数据要素流通", tags=[tag], **assigned(lead_department, days=-1))


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(params=query)
@pytest.mark.django_db
def test_the_list_never_fails(client, viewer, world, params):
    client.force_login(viewer)
    # follow: empty parameters are first dropped by a redirect (views/params.py).
    response = client.get("/recommendations/", params, follow=True)
    assert response.status_code == 200


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(params=query)
@pytest.mark.django_db
def test_the_csv_export_never_fails(client, viewer, world, params):
    client.force_login(viewer)
    response = client.get("/recommendations/export.csv", params, follow=True)
    if response.status_code == 400:  # an invalid filter is refused, with the list's message
        assert "没有导出" in response.content.decode()
    else:
        assert response.status_code == 200
        b"".join(response.streaming_content)
