import base64

import pytest
from django.core.exceptions import ValidationError

from acompana.core.api import (
    CursorParams,
    decode_cursor,
    encode_cursor,
    page_of,
    paginate_queryset,
)
from acompana.core.models import Unit
from acompana.core.tests.factories import UnitFactory


def walk(queryset, limit):
    pages, cursor = [], None
    while True:
        items, cursor, count = paginate_queryset(queryset, cursor, limit)
        pages.append([u.pk for u in items])
        if cursor is None:
            return pages, count


@pytest.mark.django_db
@pytest.mark.parametrize("limit", [1, 2, 3, 7, 50, 200])
def test_walking_the_pages_yields_every_row_once_in_key_order(world, limit):
    for _ in range(5):
        UnitFactory(organization=world.org)
    queryset = Unit.objects.for_organization(world.org.pk).order_by("-name")
    pages, count = walk(queryset, limit)
    flat = [pk for page in pages for pk in page]
    assert flat == sorted(queryset.values_list("pk", flat=True))
    assert count == 7  # two units from the world plus five
    assert all(len(page) <= limit for page in pages)
    assert len(pages) == max(1, -(-7 // limit))


@pytest.mark.django_db
def test_an_empty_queryset(world):
    assert paginate_queryset(Unit.objects.none(), None, 50) == ([], None, 0)


@pytest.mark.django_db
def test_pages_are_stable_when_rows_are_added(world):
    queryset = Unit.objects.for_organization(world.org.pk)
    first, cursor, _ = paginate_queryset(queryset, None, 1)
    UnitFactory(organization=world.org)
    second, _, count = paginate_queryset(queryset, cursor, 1)
    assert second[0].pk > first[0].pk
    assert count == 3


def test_cursor_is_opaque_and_round_trips():
    cursor = encode_cursor(12345)
    assert "12345" not in cursor
    assert decode_cursor(cursor) == 12345


@pytest.mark.parametrize(
    "cursor",
    [
        "no-es-un-cursor",
        "%%%",
        base64.urlsafe_b64encode(b"[1, 2]").decode(),
        base64.urlsafe_b64encode(b'{"after": true}').decode(),
        base64.urlsafe_b64encode(b'{"after": 1e400}').decode(),
        encode_cursor(10**30),
    ],
)
def test_a_bad_cursor_is_a_validation_error(cursor):
    with pytest.raises(ValidationError) as info:
        decode_cursor(cursor)
    assert "cursor" in info.value.message_dict


@pytest.mark.django_db
def test_a_cursor_of_the_wrong_type_is_a_validation_error(world):
    with pytest.raises(ValidationError):
        paginate_queryset(Unit.objects.all(), encode_cursor("texto"), 10)


@pytest.mark.django_db
@pytest.mark.parametrize("limit", [0, -1, 201])
def test_limit_out_of_range(world, limit):
    with pytest.raises(ValidationError) as info:
        paginate_queryset(Unit.objects.all(), None, limit)
    assert "limit" in info.value.message_dict


@pytest.mark.django_db
def test_query_count_is_constant(world, django_assert_num_queries):
    for _ in range(10):
        UnitFactory(organization=world.org)
    _, cursor, _ = paginate_queryset(Unit.objects.all(), None, 3)
    with django_assert_num_queries(2):  # the page and the count
        paginate_queryset(Unit.objects.all(), cursor, 3)


@pytest.mark.django_db
def test_page_of_builds_the_list_body(world):
    for _ in range(3):
        UnitFactory(organization=world.org)
    queryset = Unit.objects.for_organization(world.org.pk)
    first = page_of(queryset, CursorParams(limit=3), lambda u: u.name)
    names = sorted(queryset.order_by("pk").values_list("name", flat=True))
    assert set(first) == {"count", "next_cursor", "results"}
    assert first["count"] == 5 and first["next_cursor"]
    assert first["results"] == list(queryset.order_by("pk").values_list("name", flat=True)[:3])
    rest = page_of(queryset, CursorParams(cursor=first["next_cursor"], limit=3), lambda u: u.name)
    assert rest["count"] == 5 and rest["next_cursor"] is None
    assert sorted(first["results"] + rest["results"]) == names
