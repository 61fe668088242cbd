"""Safe model artifacts: skops only, trusted types only, size-limited, verified trees."""

from __future__ import annotations

import io
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio

from streamml.contracts.cricket import TRUSTED_MODEL_TYPES, decode_model, encode_model
from streamml.runtime.artifacts import (
    ArtifactError,
    dump_artifact,
    load_artifact,
    verify_tree_ensemble,
)
from streamml.trainer.config import TrainerConfig
from streamml.trainer.model import build_pipeline

from tests.cricket.hostile import CreatesFileWhenUnpickled, CustomType

LIMIT = 8 * 1024 * 1024


@pytest.fixture(scope="module")
def estimator():
    rng = np.random.default_rng(0)
    x = rng.random((200, 6)) * [20, 200, 10, 12, 1, 1]
    y = x[:, 1] + 30 * x[:, 4]
    config = TrainerConfig(n_estimators=5, max_depth=4)
    return build_pipeline(config).fit(x, y)


def test_a_model_round_trips(estimator) -> None:
    payload = encode_model("score", 3, estimator, {"r2": 0.9}, 123)
    model = decode_model(payload, LIMIT)
    assert model.version == 3 and model.metrics == {"r2": 0.9}
    x = np.random.default_rng(1).random((4, 6))
    assert np.allclose(model.estimator.predict(x), estimator.predict(x))


def test_the_trusted_list_is_exactly_what_a_forest_needs(estimator) -> None:
    untrusted = sio.get_untrusted_types(data=encode_model("score", 1, estimator, {}, 0))
    assert sorted(untrusted) == sorted(TRUSTED_MODEL_TYPES)


def test_a_pickle_is_rejected_without_being_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    payload = pickle.dumps(CreatesFileWhenUnpickled(str(marker)))
    with pytest.raises(ArtifactError) as caught:
        decode_model(payload, LIMIT)
    assert caught.value.reason == "not_skops"
    assert not marker.exists()
    pickle.loads(payload)  # the control: unpickling it really would have had the side effect
    assert marker.exists()


def test_untrusted_types_are_refused() -> None:
    payload = dump_artifact({"estimator": CustomType()})
    with pytest.raises(ArtifactError) as caught:
        load_artifact(payload, TRUSTED_MODEL_TYPES, max_bytes=LIMIT)
    assert caught.value.reason == "untrusted_types"
    assert "CustomType" in caught.value.detail


def test_size_is_checked_before_parsing(estimator) -> None:
    payload = encode_model("score", 1, estimator, {}, 0)
    with pytest.raises(ArtifactError) as caught:
        decode_model(payload, max_bytes=len(payload) - 1)
    assert caught.value.reason == "too_large"


def test_a_zip_bomb_is_refused_by_its_declared_size() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("schema.json", "{}")
        archive.writestr("big.npy", b"\0" * 5_000_000)
    with pytest.raises(ArtifactError) as caught:
        load_artifact(buffer.getvalue(), TRUSTED_MODEL_TYPES, max_bytes=LIMIT,
                      max_uncompressed_bytes=1_000_000)
    assert caught.value.reason == "too_large"


@pytest.mark.parametrize("payload", [b"", b"PK\x03\x04 not really a zip", b"{\"json\": 1}"])
def test_garbage_is_not_skops(payload: bytes) -> None:
    with pytest.raises(ArtifactError) as caught:
        decode_model(payload, LIMIT)
    assert caught.value.reason == "not_skops"


def test_a_skops_file_with_the_wrong_envelope_is_the_wrong_schema(estimator) -> None:
    with pytest.raises(ArtifactError) as caught:
        decode_model(dump_artifact({"format": "something-else", "estimator": estimator}), LIMIT)
    assert caught.value.reason == "wrong_schema"
    with pytest.raises(ArtifactError) as caught:
        decode_model(dump_artifact([1, 2, 3]), LIMIT)
    assert caught.value.reason == "wrong_schema"


def test_a_tree_whose_children_point_backwards_is_refused(estimator) -> None:
    verify_tree_ensemble(estimator, 6)
    tree = estimator.steps[-1][1].estimators_[0].tree_
    left = tree.children_left  # a view on the tree's node array: editing it corrupts the tree
    inner = int(np.flatnonzero(left != -1)[-1])
    left[inner] = 0
    with pytest.raises(ArtifactError) as caught:
        verify_tree_ensemble(estimator, 6)
    assert caught.value.reason == "wrong_schema"
