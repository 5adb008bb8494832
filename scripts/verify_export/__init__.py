"""The stand-alone verifier of a Lianzhang event export, for auditors: standard library only, one
folder an auditor copies alone and runs as ``python3 verify_export log.jsonl`` (``__main__.py``:
the command, its help and exit status; ``chain.py``: hashes, signatures, key rotations and
checkpoints; ``books.py``: balances and the pairs of books, as ``audit/book_reconcile.py``)."""
