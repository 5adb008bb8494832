"""``lianzhang backup -o DIR`` and ``lianzhang restore DIR`` (``audit.backups``,
``audit.backup_restore``): the store's record with a signed manifest, and its restore into an
empty store, checked before anything is written, rebuilt and verified after."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from scripts.cli_common import CommandError, _runtime, _settings, _where


def cmd_backup(args: argparse.Namespace) -> int:
    from audit.backups import BackupError, backup

    settings = _settings(args)
    runtime = _runtime(settings)
    try:
        runtime.views.catch_up()
        manifest = backup(runtime, Path(args.output), with_keys=args.with_keys)
    except BackupError as error:
        raise CommandError(str(error)) from None
    except OSError as error:
        raise CommandError(f"cannot write {args.output}: {error.strerror}") from None
    finally:
        runtime.close()
    head = manifest["chain_head"]
    rows = ", ".join(f"{name} {count}" for name, count in manifest["tables"].items())
    print(
        f"backed up {_where(settings)} to {args.output}: log head {manifest['log_head']}, "
        f"chain head {head['hash'][:16]}… at position {head['position']}; {rows}"
    )
    keys = manifest["keys"]
    print(
        f"keys: signing {keys['signing']['key_id']}, data {keys['data']['key_id']} "
        + (
            "(both key files copied into the backup: keep it as safe as the keys)"
            if args.with_keys
            else "(not in the backup: keep the key files backed up apart)"
        )
    )
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from adapters.database import is_postgres
    from audit.backup_restore import check_files, check_keys, read_manifest, refused
    from audit.backups import BackupError
    from audit.verify import verify
    from projections.replay import rebuild

    settings = _settings(args)
    directory = Path(args.directory)
    postgres = is_postgres(settings.database_url)
    try:
        manifest = read_manifest(directory)
        if manifest.get("store") != ("postgresql" if postgres else "sqlite"):
            raise refused(
                "备份与目标账套的数据库种类不同",
                f"the backup is of a {manifest.get('store')} store and the target is not "
                "(a store moves between them with `lianzhang export events` and `import`)",
            )
        check_keys(manifest, settings.key_locations(), directory)
        data = check_files(manifest, directory)
        events_table = str(manifest["events_table"])
        where = _where(settings)
        if postgres:
            _load_postgres(settings, manifest, data, events_table, where)
        else:
            _load_sqlite(settings, manifest, data, events_table, where)
    except BackupError as error:
        raise CommandError(str(error)) from None
    runtime = _runtime(settings)  # the restored keys' record checked against the files
    try:
        stats = rebuild(runtime)
        report = verify(runtime, refuse_stuck=True)
    finally:
        runtime.close()
    head = report["chain"]
    if not report["ok"]:
        raise CommandError(
            f"恢复后核验未通过 / restored, but verify failed: {report['problems'][0]['detail']}"
        )
    want = manifest["chain_head"]
    if (head["position"], head["hash"]) != (want["position"], want["hash"]):
        raise CommandError(
            "恢复后的链头与备份不符 / restored, but the chain head is not the backup's: "
            f"{head['hash']} at {head['position']}"
        )
    print(
        f"restored {directory} into {where}: {report['events']} events, read models rebuilt "
        f"({stats['events']} events replayed), verified: fingerprint {head['hash']} at "
        f"position {head['position']}"
    )
    return 0


def _load_sqlite(
    settings: Any, manifest: dict[str, Any], data: Path, events_table: str, where: str
) -> None:
    from adapters.database import make_engine, sqlite_path
    from audit.backup_restore import check_empty, load_sqlite

    if sqlite_path(settings.database_url).exists():
        engine = make_engine(settings.database_url)
        try:
            check_empty(engine, events_table, where)
        finally:
            engine.dispose()
    load_sqlite(manifest, data, settings.database_url, events_table)


def _load_postgres(
    settings: Any, manifest: dict[str, Any], data: Path, events_table: str, where: str
) -> None:
    from adapters.database import make_engine
    from audit.backup_restore import check_empty, load_postgres, record_tables_created

    engine = make_engine(settings.database_url, settings.database_schema)
    try:
        check_empty(engine, events_table, where)
        _runtime(settings).close()  # this version's tables, the keys recorded
        record_tables_created(engine)
        load_postgres(manifest, data, engine, events_table, settings.database_schema or "public")
    finally:
        engine.dispose()


def add_backup_commands(sub: Any) -> None:
    """``backup`` and ``restore``, on the command line's subparsers."""
    backup = sub.add_parser(
        "backup", help="back up the store's record with a signed manifest (consistent under load)"
    )
    backup.add_argument("-o", "--output", required=True, help="a new or empty directory")
    backup.add_argument(
        "--with-keys",
        action="store_true",
        help="also copy both key files (the data key too) into the backup; without it the "
        "manifest names their fingerprints only",
    )
    backup.set_defaults(func=cmd_backup)

    restore = sub.add_parser(
        "restore",
        help="restore a backup into an empty store (keys in place), rebuild, verify",
    )
    restore.add_argument("directory", help="a directory written by `lianzhang backup`")
    restore.set_defaults(func=cmd_restore)
