"""Property-based fuzzing (hypothesis) of every decoder that reads bytes from Kafka.

The property everywhere: whatever the bytes, the decoder either returns a valid object or
raises its own error type with a reason from the bounded set; never any other exception,
never code execution (a pickle that would create a file must not)."""

from __future__ import annotations

import io
import json
import pickle
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from streamml.contracts import cricket, weather
from streamml.contracts.cricket import decode_model, encode_model, header_version
from streamml.runtime.artifacts import REASONS, ArtifactError, dump_artifact, load_artifact
from streamml.runtime.messages import DecodeError, Message, decode
from tests.cricket.hostile import CreatesFileWhenUnpickled
from tests.cricket.models import fitted

REASONS_OF_DECODE = {"invalid_utf8", "malformed_json", "schema_violation", "not_finite",
                     "out_of_range", "unsupported_version"}
SCHEMAS = sorted(
    {cls for module in (cricket, weather) for cls in vars(module).values()
     if isinstance(cls, type) and issubclass(cls, Message) and cls is not Message},
    key=lambda cls: cls.__name__)
LIMIT = 1024 * 1024
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(max_size=12), children, max_size=6),
    max_leaves=30)


def check_decode(schema: type[Message], raw: bytes) -> None:
    try:
        message = decode(schema, raw)
    except DecodeError as exc:
        assert exc.reason in REASONS_OF_DECODE and exc.detail
        return
    assert isinstance(message, schema)


def test_every_schema_is_fuzzed():
    names = {cls.__name__ for cls in SCHEMAS}
    assert {"MatchEvent", "MatchResult", "TrainingSample", "Prediction", "ModelStatus",
            "SensorReading", "Anomaly"} <= names


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda cls: cls.__name__)
@given(raw=st.binary(max_size=512))
def test_arbitrary_bytes(schema, raw):
    check_decode(schema, raw)


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda cls: cls.__name__)
@given(value=json_values)
def test_arbitrary_json_with_nan_and_infinity(schema, value):
    check_decode(schema, json.dumps(value, allow_nan=True).encode())


def valid_field_values(schema: type[Message]) -> st.SearchStrategy[dict]:
    """Objects with the schema's field names, each with a value of any JSON type."""
    fields = list(schema.model_fields)
    return st.fixed_dictionaries({name: json_values for name in fields})


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda cls: cls.__name__)
@given(data=st.data())
def test_the_right_fields_with_wrong_types(schema, data):
    check_decode(schema, json.dumps(data.draw(valid_field_values(schema)), allow_nan=True).encode())


@pytest.mark.parametrize("depth", [100, 10_000, 200_000])
def test_deeply_nested_json(depth):
    for schema in SCHEMAS:
        check_decode(schema, b"[" * depth + b"]" * depth)
        check_decode(schema, b'{"a":' * depth + b"1" + b"}" * depth)


def test_huge_json():
    big = json.dumps({"sensor_id": "s" * (8 * 1024 * 1024), "values": list(range(100_000))})
    for schema in SCHEMAS:
        check_decode(schema, big.encode())
    check_decode(cricket.MatchEvent, b'{"current_score": 1' + b"0" * 100_000 + b"}")


# -- model artifacts ---------------------------------------------------------------------------

def check_model(payload: bytes | None) -> None:
    try:
        model = decode_model(payload, LIMIT)
    except ArtifactError as exc:
        assert exc.reason in REASONS and exc.detail
        return
    assert model.version >= 1


@given(payload=st.binary(max_size=2048))
def test_model_arbitrary_bytes(payload):
    check_model(payload)


@given(payload=st.binary(max_size=512))
def test_model_bytes_after_the_zip_magic(payload):
    check_model(b"PK\x03\x04" + payload)


@pytest.fixture(scope="module")
def valid_model() -> bytes:
    return encode_model("score", 1, fitted(trees=2), {"r2": 0.5}, 0)


@given(data=st.data())
def test_truncated_and_bit_flipped_skops_archives(valid_model, data):
    cut = data.draw(st.integers(0, len(valid_model)))
    check_model(valid_model[:cut])
    position = data.draw(st.integers(0, len(valid_model) - 1))
    flipped = bytearray(valid_model)
    flipped[position] ^= data.draw(st.integers(1, 255))
    check_model(bytes(flipped))


@given(members=st.dictionaries(st.sampled_from(["schema.json", "a.npy", "b", "../x"]),
                               st.binary(max_size=256), min_size=1, max_size=4))
def test_zip_archives_with_arbitrary_members(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    check_model(buffer.getvalue())


@given(envelope=st.fixed_dictionaries({}, optional={
    "format": st.sampled_from([cricket.MODEL_FORMAT, "other", 1]),
    "format_version": st.sampled_from([cricket.MODEL_FORMAT_VERSION, 2, "1", None]),
    "model_key": json_values,
    "version": st.one_of(st.integers(), st.integers(min_value=2**63), st.floats(),
                         st.text(max_size=3), st.booleans()),
    "features": st.sampled_from([list(cricket.FEATURES), [], ["x"]]),
    "target": st.sampled_from([cricket.TARGET, "other"]),
    "metrics": json_values,
    "trained_at_ms": json_values,
}))
def test_envelopes_with_wrong_fields(envelope):
    check_model(dump_artifact(envelope))


@given(metrics=json_values, trained_at=json_values, key=json_values)
def test_a_real_estimator_with_hostile_metadata(metrics, trained_at, key):
    envelope = {"format": cricket.MODEL_FORMAT, "format_version": cricket.MODEL_FORMAT_VERSION,
                "model_key": key, "version": 1, "features": list(cricket.FEATURES),
                "target": cricket.TARGET, "metrics": metrics, "trained_at_ms": trained_at,
                "estimator": fitted(trees=2)}
    check_model(dump_artifact(envelope))


def test_a_zip_bomb_is_refused_before_it_is_inflated():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("schema.json", b"{}")
        archive.writestr("bomb.npy", b"\0" * (64 * LIMIT))
    payload = buffer.getvalue()
    assert len(payload) < LIMIT
    with pytest.raises(ArtifactError) as caught:
        load_artifact(payload, (), max_bytes=LIMIT)
    assert caught.value.reason == "too_large"


@given(protocol=st.integers(0, pickle.HIGHEST_PROTOCOL), prefix=st.sampled_from([b"", b"PK\x03\x04"]))
def test_pickles_are_never_executed(tmp_path_factory, protocol, prefix):
    marker = Path(tmp_path_factory.mktemp("pickle")) / "pwned"
    check_model(prefix + pickle.dumps(CreatesFileWhenUnpickled(str(marker)), protocol=protocol))
    assert not marker.exists()


@given(headers=st.lists(st.tuples(st.sampled_from(["streamml.model.version", "x"]),
                                  st.none() | st.binary(max_size=40)), max_size=4))
def test_model_headers(headers):
    version = header_version(headers)
    assert version is None or isinstance(version, int)


@given(headers=st.lists(st.tuples(st.sampled_from(["streamml.truth", "x"]),
                                  st.none() | st.binary(max_size=40)), max_size=4))
def test_truth_headers(headers):
    assert weather.truth_of(headers) in (None, "normal", "anomaly")
