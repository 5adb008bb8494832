"""The signed chain and its checks: signing, the chain projection and audit trail
(chain), the chain gate, verify, key ring and store keys, restore, exports, and
book_reconcile (books against books)."""
