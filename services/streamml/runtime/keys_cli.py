"""`streamml keys generate | id`: the Ed25519 key pair that signs and verifies model artifacts."""

from __future__ import annotations

import argparse


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "keys", help="create the model-signing key pair, or print a public key's id")
    parser.add_argument("action", choices=["generate", "id"])
    parser.add_argument("--dir", default=".", help="generate: where to write NAME.key and NAME.pub")
    parser.add_argument("--name", default="model-signing", help="generate: file name stem")
    parser.add_argument("public_keys", nargs="*", help="id: public key files")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # Imported here: `cryptography` is in the images of the services that sign or verify only.
    from streamml.runtime.signing import KeyFileError, generate, key_id, load_public_key

    try:
        if args.action == "generate":
            private_path, public_path, new_id = generate(args.dir, args.name)
            print(f"private key: {private_path}  (the trainer's STREAMML_MODEL_SIGNING_KEY; keep it secret)")
            print(f"public key:  {public_path}  (the predictors' STREAMML_MODEL_TRUSTED_KEYS)")
            print(f"key id:      {new_id}")
            return 0
        for path in args.public_keys:
            print(f"{key_id(load_public_key(path))}  {path}")
        return 0
    except KeyFileError as exc:
        print(f"streamml keys: {exc}")
        return 2
