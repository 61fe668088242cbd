import json

import pytest
from pydantic import Field

from streamml.runtime import messages
from streamml.runtime.messages import DecodeError, Message, decode


class Reading(Message):
    sensor: str
    value: float = Field(ge=-10, le=10)
    count: int


def _reason(raw: bytes | None) -> str:
    with pytest.raises(DecodeError) as caught:
        decode(Reading, raw)
    return caught.value.reason


def test_valid_message_round_trips():
    reading = Reading(sensor="s1", value=1.5, count=3)
    assert decode(Reading, reading.to_bytes()) == reading
    assert json.loads(reading.to_bytes())["schema_version"] == 1


def test_integers_are_accepted_for_floats_and_unknown_fields_ignored():
    assert decode(Reading, b'{"sensor":"s","value":2,"count":1,"extra":true}').value == 2.0


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"\xff\xfe\x00", messages.INVALID_UTF8),
        (b'{"sensor": "s", ', messages.MALFORMED_JSON),
        (b"", messages.MALFORMED_JSON),
        (None, messages.SCHEMA_VIOLATION),
        (b"[1, 2]", messages.SCHEMA_VIOLATION),
        (b'{"sensor":"s","count":1}', messages.SCHEMA_VIOLATION),
        (b'{"sensor":"s","value":"1","count":1}', messages.SCHEMA_VIOLATION),
        (b'{"sensor":"s","value":1,"count":1.5}', messages.SCHEMA_VIOLATION),
        (b'{"sensor":"s","value":1,"count":true}', messages.SCHEMA_VIOLATION),
        (b'{"sensor":"s","value":NaN,"count":1}', messages.NOT_FINITE),
        (b'{"sensor":"s","value":Infinity,"count":1}', messages.NOT_FINITE),
        (b'{"sensor":"s","value":1e400,"count":1}', messages.NOT_FINITE),
        (b'{"sensor":"s","value":11,"count":1}', messages.OUT_OF_RANGE),
        (b'{"schema_version":2,"sensor":"s","value":1,"count":1}', messages.UNSUPPORTED_VERSION),
    ],
)
def test_every_failure_has_a_bounded_reason(raw, reason):
    assert _reason(raw) == reason


def test_detail_names_the_field():
    with pytest.raises(DecodeError, match="value"):
        decode(Reading, b'{"sensor":"s","value":99,"count":1}')
