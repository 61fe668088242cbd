"""Safe model (de)serialisation with skops; never pickle.

Loading checks, in this order, before any object is built:
1. the payload's size (``too_large``), 2. that it is a zip archive with skops' ``schema.json``
(``not_skops``; a pickle stream fails here without being parsed), 3. the declared uncompressed
size (``too_large``: no zip bombs), 4. every type the archive would construct is either
trusted by skops by default or in the caller's explicit list (``untrusted_types``).
Callers then check what they loaded (``wrong_schema``); ``verify_tree_ensemble`` checks the
node arrays of scikit-learn trees, which skops cannot vouch for.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Collection
from typing import Any

import numpy as np
import skops.io as sio

TOO_LARGE = "too_large"
NOT_SKOPS = "not_skops"
UNTRUSTED_TYPES = "untrusted_types"
WRONG_SCHEMA = "wrong_schema"
CORRUPT = "corrupt"
REASONS = (TOO_LARGE, NOT_SKOPS, UNTRUSTED_TYPES, WRONG_SCHEMA, CORRUPT)

_ZIP_MAGIC = b"PK\x03\x04"
_SKOPS_SCHEMA_FILE = "schema.json"


class ArtifactError(Exception):
    """A model artifact failed verification; ``reason`` is one of REASONS (a metric label)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def dump_artifact(obj: Any) -> bytes:
    """Serialise ``obj`` to a deflate-compressed skops archive."""
    return sio.dumps(obj, compression=zipfile.ZIP_DEFLATED)


def load_artifact(
    payload: bytes | None,
    trusted_types: Collection[str],
    max_bytes: int,
    max_uncompressed_bytes: int | None = None,
) -> Any:
    """Verify ``payload`` and load it; raise ArtifactError naming the first failed check."""
    if not payload:
        raise ArtifactError(NOT_SKOPS, "empty payload")
    if len(payload) > max_bytes:
        raise ArtifactError(TOO_LARGE, f"{len(payload)} bytes, limit {max_bytes}")
    if not payload.startswith(_ZIP_MAGIC):
        raise ArtifactError(NOT_SKOPS, f"not a zip archive (starts with {payload[:4]!r})")
    limit = max_uncompressed_bytes if max_uncompressed_bytes is not None else 8 * max_bytes
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ArtifactError(NOT_SKOPS, f"unreadable zip archive: {exc}") from None
    if _SKOPS_SCHEMA_FILE not in {member.filename for member in members}:
        raise ArtifactError(NOT_SKOPS, f"zip archive without {_SKOPS_SCHEMA_FILE}")
    uncompressed = sum(member.file_size for member in members)
    if uncompressed > limit:
        raise ArtifactError(TOO_LARGE, f"{uncompressed} bytes uncompressed, limit {limit}")
    try:
        untrusted = sio.get_untrusted_types(data=payload)
    except Exception as exc:  # noqa: BLE001 - any parse failure means "not a valid skops file"
        raise ArtifactError(NOT_SKOPS, f"unreadable skops schema: {exc!r}") from None
    refused = sorted(set(untrusted) - set(trusted_types))
    if refused:
        raise ArtifactError(UNTRUSTED_TYPES, "refusing to load " + ", ".join(refused))
    try:
        return sio.loads(payload, trusted=sorted(set(untrusted)))
    except Exception as exc:  # noqa: BLE001 - skops raises many types for damaged archives
        raise ArtifactError(CORRUPT, f"skops could not load the archive: {exc!r}") from None


def _trees(estimator: Any) -> list[Any]:
    steps = getattr(estimator, "steps", None)
    if steps:
        estimator = steps[-1][1]
    if hasattr(estimator, "tree_"):
        return [estimator]
    return list(getattr(estimator, "estimators_", None) or [])


def verify_tree_ensemble(estimator: Any, n_features: int) -> None:
    """Check every tree's node arrays: children point forward inside the tree (no cycles, no
    out-of-bounds reads in predict), split features exist, thresholds and values are finite."""
    trees = _trees(estimator)
    if not trees:
        raise ArtifactError(WRONG_SCHEMA, "no fitted trees in the estimator")
    for index, tree_estimator in enumerate(trees):
        tree = getattr(tree_estimator, "tree_", None)
        if tree is None:
            raise ArtifactError(WRONG_SCHEMA, f"tree {index} is not fitted")
        count = int(tree.node_count)
        left = np.asarray(tree.children_left)
        right = np.asarray(tree.children_right)
        feature = np.asarray(tree.feature)
        if count < 1 or not (len(left) == len(right) == len(feature) == count):
            raise ArtifactError(WRONG_SCHEMA, f"tree {index}: inconsistent node arrays")
        nodes = np.arange(count)
        leaf = left == -1
        if not np.array_equal(leaf, right == -1):
            raise ArtifactError(WRONG_SCHEMA, f"tree {index}: half-leaf nodes")
        inner = ~leaf
        if np.any((left[inner] <= nodes[inner]) | (left[inner] >= count)
                  | (right[inner] <= nodes[inner]) | (right[inner] >= count)):
            raise ArtifactError(WRONG_SCHEMA, f"tree {index}: child index out of order or range")
        if np.any((feature[inner] < 0) | (feature[inner] >= n_features)):
            raise ArtifactError(WRONG_SCHEMA, f"tree {index}: split on a feature that does not exist")
        if not (np.all(np.isfinite(np.asarray(tree.threshold)[inner]))
                and np.all(np.isfinite(np.asarray(tree.value)))):
            raise ArtifactError(WRONG_SCHEMA, f"tree {index}: non-finite thresholds or values")
