"""The store's size per voucher, measured on the city just loaded (before any other
measurement writes): the event log (events and their signed chain rows, with indexes) and the
read models (every other table, with indexes), in bytes per voucher. The figures the README's
"Scale-out: a province" reckons with."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from scripts.bench_common import Context, Row

CHAIN = "lz_signed_chain"


def table_bytes(runtime: Any) -> dict[str, int]:
    """Bytes on disk per table, its indexes counted with it."""
    engine = runtime.engine
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            found = conn.execute(
                text(
                    "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')"
                )
            )
            return {str(name): int(size) for name, size in found}
        owner = {
            str(name): str(table)
            for name, table in conn.execute(
                text("SELECT name, tbl_name FROM sqlite_master WHERE tbl_name != ''")
            )
        }
        sizes: dict[str, int] = {}
        for name, size in conn.execute(text("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name")):
            table = owner.get(str(name), str(name))
            sizes[table] = sizes.get(table, 0) + int(size)
        return sizes


def measure(ctx: Context) -> dict[str, Any]:
    ctx.runtime.views.catch_up()  # the read models of every voucher written
    sizes = table_bytes(ctx.runtime)
    vouchers = max(ctx.city["vouchers"], 1)
    events = str(ctx.runtime.app.recorder.events_table_name).split(".")[-1]
    log = sum(v for k, v in sizes.items() if k in (events, CHAIN))
    plain = sum(v for k, v in sizes.items() if k.startswith(("bench_plain", "plainlibrary")))
    models = sum(sizes.values()) - log - plain
    return {
        "vouchers": vouchers,
        "log_bytes": log,
        "read_model_bytes": models,
        "log_per_voucher": log / vouchers,
        "read_models_per_voucher": models / vouchers,
        "largest": sorted(sizes.items(), key=lambda kv: -kv[1])[:6],
    }


def rows(r: dict[str, Any]) -> list[Row]:
    return [
        Row(
            f"store bytes per voucher ({r['vouchers']:,} vouchers): event log / read models",
            f"{r['log_per_voucher']:,.0f} / {r['read_models_per_voucher']:,.0f} B",
            "",
            None,
        )
    ]
