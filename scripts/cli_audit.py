"""The auditor's commands: ``verify``, ``checkpoint``, ``household-code``, ``export``,
``import`` (a restore that verifies every signature) and ``keys`` (where the keys are; rotate
the signing key)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scripts.cli_common import CommandError, _runtime, _settings


def _checkpoints(paths: Sequence[str] | None) -> list[dict[str, Any]]:
    import json

    found = []
    for path in paths or ():
        try:
            found.append(json.loads(Path(path).read_text(encoding="utf-8")))
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from None
        except json.JSONDecodeError:
            raise CommandError(f"{path} is not a checkpoint (not JSON)") from None
    return found


def cmd_checkpoint(args: argparse.Namespace) -> int:
    """Write a signed checkpoint of the chain head (to keep outside the database), or print
    the server's public key."""
    import json

    from audit.checkpoints import make_checkpoint

    runtime = _runtime(_settings(args))
    try:
        if args.public_key:
            print(runtime.signer.public.hex)
            print(f"(Ed25519 public key, id {runtime.signer.key_id})", file=sys.stderr)
            return 0
        document = make_checkpoint(runtime.engine, runtime.app.recorder, runtime.signer)
    finally:
        runtime.close()
    data = json.dumps(document, indent=2, sort_keys=True) + "\n"
    if args.output:
        try:
            Path(args.output).write_text(data, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"cannot write {args.output}: {error.strerror}") from None
        print(f"wrote checkpoint of position {document['position']} to {args.output}")
    else:
        print(data, end="")
    return 0


def cmd_household_code(args: argparse.Namespace) -> int:
    """Print the short codes of households, for their notices (分配到户通知单): with them a
    villager looks the household up at /public/households."""
    from projections.household_lookup import household_code

    runtime = _runtime(_settings(args))
    try:
        runtime.app.get_village(args.village)
        for number in args.numbers:
            print(f"{args.village} {number} {household_code(runtime.signer, args.village, number)}")
    finally:
        runtime.close()
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """Recompute the chain, the read models and every published sheet; non-zero on any
    difference, naming the first place it was found."""
    import json

    from audit.verify import verify

    checkpoints = _checkpoints(args.checkpoint)
    runtime = _runtime(_settings(args))
    try:
        # the chain first: a tampered log is named as such, not as a stuck read model
        report = verify(runtime, checkpoints, refuse_stuck=True)
    finally:
        runtime.close()
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    head = report["head"]
    if report["ok"]:
        if not args.json:
            print(
                f"verified: {report['events']} events, chain, read models and published "
                f"sheets agree; fingerprint {head['fingerprint']} at position "
                f"{head['position']}"
            )
            sealed = report.get("chain", {}).get("sealed_at_upgrade", 0)
            if sealed:
                print(f"({sealed} events were written before signing and sealed at upgrade)")
        return 0
    first = report["problems"][0]
    raise CommandError(f"verification failed: {first['detail']}")


def cmd_export(args: argparse.Namespace) -> int:
    from audit.exports import export_events, export_journals

    runtime = _runtime(_settings(args))
    try:
        if args.what == "events":
            count = 0
            with open(args.output, "wb") as out:
                for line in export_events(runtime):
                    out.write(line)
                    count += 1
            print(f"wrote {count} events to {args.output}")
        else:
            files = export_journals(runtime, Path(args.output), args.what)
            print(
                f"wrote {len(files)} {args.what} journals to {args.output}: "
                + ", ".join(f.name for f in files)
            )
    except OSError as error:
        raise CommandError(f"cannot write {args.output}: {error.strerror}") from None
    finally:
        runtime.close()
    return 0


def _public_keys(values: Sequence[str] | None) -> list[Any]:
    """``--public-key``: 64 hex digits, or a file holding them."""
    from audit.keys import PublicKey

    keys = []
    for value in values or ():
        text = value.strip()
        if len(text) != 64 or Path(value).exists():
            try:
                text = Path(value).read_text(encoding="utf-8").split()[0]
            except (OSError, IndexError):
                raise CommandError(
                    f"--public-key {value!r} is neither 64 hex digits nor a file holding them"
                ) from None
        keys.append(PublicKey.from_hex(text))
    return keys


def cmd_import(args: argparse.Namespace) -> int:
    from audit.exports import import_events

    trusted = _public_keys(args.public_key)
    runtime = _runtime(_settings(args))
    try:
        with open(args.file, "rb") as handle:
            count = import_events(runtime, handle, trusted)
    except OSError as error:
        raise CommandError(f"cannot read {args.file}: {error.strerror}") from None
    finally:
        runtime.close()
    print(
        f"imported {count} events (signatures verified with key "
        f"{', '.join(k.key_id for k in trusted)}) and rebuilt the read models; this store "
        "continues with its own key"
    )
    return 0


def cmd_keys(args: argparse.Namespace) -> int:
    """Show where the keys are and which ones the store recorded, or rotate the signing key."""
    from audit.store_keys import recorded
    from projections.key_rotation import rotate_signing_key

    settings = _settings(args)
    runtime = _runtime(settings)
    try:
        if args.action == "rotate":
            old, new = rotate_signing_key(runtime)
            print(
                f"rotated the signing key: {old} → {new}; the old key is kept as "
                f"{runtime.key_path.name}.{old}.bak beside it. Back up the new key "
                f"{runtime.key_path} and give auditors the new public key "
                f"{runtime.signer.public.hex}"
            )
            return 0
        with runtime.engine.connect() as conn:
            rows = [*recorded(conn, "signing", None), *recorded(conn, "data", None)]
        print(f"signing key: {runtime.keys.signing} (id {runtime.signer.key_id})")
        print(f"data key:    {runtime.keys.data}")
        for row in rows:
            print(f"  {row['kind']:<8} {row['key_id']} {row['status']:<8} {row['recorded_at']}")
    finally:
        runtime.close()
    return 0


def add_audit_commands(sub: Any) -> None:
    """The auditor's subcommands, on the command line's subparsers."""
    code = sub.add_parser(
        "household-code", help="print households' short codes for /public/households"
    )
    code.add_argument("village")
    code.add_argument("numbers", nargs="+", help="household numbers, H01 …")
    code.set_defaults(func=cmd_household_code)

    verify = sub.add_parser("verify", help="check the hash chain, read models and sheets")
    verify.add_argument("--json", action="store_true", help="print the whole report")
    verify.add_argument(
        "--checkpoint", action="append", help="a checkpoint file the log must agree with"
    )
    verify.set_defaults(func=cmd_verify)

    checkpoint = sub.add_parser(
        "checkpoint", help="write a signed checkpoint of the chain head (keep it elsewhere)"
    )
    checkpoint.add_argument("-o", "--output", help="file to write (default: standard output)")
    checkpoint.add_argument(
        "--public-key", action="store_true", help="print the server's public key instead"
    )
    checkpoint.set_defaults(func=cmd_checkpoint)

    keys = sub.add_parser("keys", help="where the keys are; rotate the signing key")
    keys.add_argument("action", choices=("show", "rotate"))
    keys.set_defaults(func=cmd_keys)

    export = sub.add_parser("export", help="export the log (JSON Lines) or the books")
    export.add_argument("what", choices=("events", "beancount", "hledger"))
    export.add_argument(
        "-o",
        "--output",
        required=True,
        help="a file for events, a directory for journals (one per entity)",
    )
    export.set_defaults(func=cmd_export)

    restore = sub.add_parser("import", help="import an event export into an empty store")
    restore.add_argument("file")
    restore.add_argument(
        "--public-key",
        action="append",
        help="the source server's public key (64 hex digits or a file), from `lianzhang "
        "checkpoint --public-key` there; the export must verify with it",
    )
    restore.set_defaults(func=cmd_import)
