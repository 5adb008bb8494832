"""What posted an entry (its ``source``), and which operation alone may correct it.

The system names the cause of every entry it posts: ``plan:P2025`` (a plan's execution, in the
payer's and every payee's books), ``capital:J01`` / ``capital:V01`` (capital paid in or
refunded: the village's and the joint entity's books), ``land-rent:V01`` /
``land-rent:J01[:2025-0007]`` (land rent: both books; the village's entry names the joint
entity's voucher), ``agreement:NLD-2025`` (a dividend declared or received: the joint entity's
books and the agreement's record), ``grant:CZFC``, ``receipt``, ``payment``.

An entry of a fact recorded in more than one place is corrected by an operation that changes
every place in one save (a superseding plan, a capital refund, a land rent correction, a
dividend correction); a red-ink reversal of one book would leave the others telling another
story. Entries a clerk posted (no source), ordinary receipts and payments, and grants (one book,
no other record) stay correctable by red ink. A source this module does not know is treated as
an operation's: refused, naming it, rather than silently split.
"""

from __future__ import annotations

from typing import Any

# Sources whose entries live in one book only and no other record: red ink is the correction.
ONE_BOOK = ("receipt", "payment", "grant")


def correcting_operation(
    source: str | None, entity: str, number: str, *, joint_books: bool
) -> str | None:
    """The operation that corrects an entry of ``entity``'s books posted with ``source``, in
    words a clerk can act on; None when a red-ink reversal of the entry alone is right.

    Capital and land-rent entries name the other party: a village's entry names the joint
    entity, the joint entity's names the village; ``joint_books`` says which books these are.
    """
    if not source:
        return None
    kind, _, rest = source.partition(":")
    if kind in ONE_BOOK:
        return None
    other, _, voucher = rest.partition(":")
    joint = entity if joint_books else other
    if joint_books:
        voucher = number
    if kind == "plan":
        return (
            f'a superseding plan (POST /v1/plans with "supersedes": "{rest}", then its steps '
            "and execution), which reverses the plan in the payer's and every payee's books in "
            "one save"
        )
    if kind == "capital":
        return (
            f"a capital refund (POST /v1/joint-entities/{joint}/capital-refunds), which changes "
            "the village's and the joint entity's books and the equity register in one save"
        )
    if kind == "land-rent":
        which = f"entry {voucher} of {joint}" if voucher else f"the entry in the books of {joint}"
        return (
            f"a land rent correction (POST /v1/joint-entities/{joint}/land-rent-corrections "
            f"naming {which}), which reverses the rent in both books in one save"
        )
    if kind == "agreement":
        return (
            f"a dividend correction (POST /v1/agreements/{rest}/dividend-corrections), which "
            "changes the joint entity's books and the agreement's record in one save"
        )
    return f"the operation that posted it ({source}), which changes every book it touched"


def source_of_event(event: Any) -> str | None:
    """The source of the entry an event carries: named by the event, or implied by its kind
    (a capital contribution, a grant)."""
    named = getattr(event, "source", None)
    if isinstance(named, str) and named:
        return named
    kind = type(event).__name__
    if kind == "CapitalContributed":
        return f"capital:{event.village}"
    if kind == "GrantReceived":
        return f"grant:{event.programme}"
    return None
