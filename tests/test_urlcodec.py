"""The one URL codec for filters (exchange.kernel.urlcodec): declared fields in, values and notes out, and back."""

import pytest

from exchange.kernel import urlcodec
from exchange.kernel.urlcodec import Field

FIELDS = (
    Field("id", urlcodec.digits(3), max_values=3),
    Field("word", urlcodec.text(5)),
    Field("colour", urlcodec.lookup({"red": "R", "Dark Blue": "B"}), max_chars=20),
    Field("sort", urlcodec.one_of({"new", "old"}), many=False, strip=False),
    Field("pair", unique=False),
)


def decode(params):
    notes = urlcodec.Notes()
    return urlcodec.decode(params, FIELDS, notes), notes.names()


def test_good_values_parse_and_repeats_collapse_to_the_first():
    values, notes = decode({"id": ["7", " 7 ", "12"], "word": "hello", "colour": ["DARK  blue", "red", "Red"],
                            "sort": ["old"], "pair": ["a", "a"]})
    assert values == {"id": (7, 12), "word": ("hello",), "colour": ("B", "R"), "sort": "old", "pair": ("a", "a")}
    assert notes == ()


@pytest.mark.parametrize("params, kept, noted", [
    ({"id": ["1", "²", "1234"]}, {"id": (1,)}, ("id",)),  # only ASCII digits, at most 3 of them
    ({"id": ["1", "2", "3", "4"]}, {"id": ()}, ("id",)),        # more values than allowed: all left out
    ({"word": ["", "toolong"]}, {"word": ()}, ("word",)),
    ({"colour": ["green", "r" * 21]}, {"colour": ()}, ("colour",)),
    ({"sort": ["old", "old"]}, {"sort": None}, ("sort",)),     # a single-valued field given twice
    ({"sort": [" old"]}, {"sort": None}, ("sort",)),           # not stripped
    ({"word": "toolong", "id": "x"}, {"word": (), "id": ()}, ("id", "word")),  # named in declared order
])
def test_what_does_not_parse_is_left_out_and_named_once(params, kept, noted):
    values, notes = decode(params)
    assert {k: values[k] for k in kept} == kept and notes == noted


def test_notes_can_be_given_in_a_page_order():
    notes = urlcodec.Notes()
    notes.add("b"), notes.add("a"), notes.add("b")
    assert notes.names() == ("b", "a") and notes.names(("a", "b", "c")) == ("a", "b") and "a" in notes


def test_encode_writes_values_in_order_and_leaves_empty_ones_out():
    params = urlcodec.encode({"q": "x", "id": (7, 12), "word": (), "sort": "", "page": None, "n": 3})
    assert params == {"q": ["x"], "id": ["7", "12"], "n": ["3"]} and list(params) == ["q", "id", "n"]
    assert decode(urlcodec.encode({"id": (7, 12), "sort": "new"}))[0]["id"] == (7, 12)
