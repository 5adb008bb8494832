"""What both front ends (``api/``, the JSON API, and ``workbench/``, the clerk's pages) use:
settings (the one settings object), tokens and people (passwords, sessions, lockout), duties,
problem details (in Chinese), idempotency answers, the request -> command -> read-your-writes
adapter (``web.deps``: ``Writer`` over the runner, reads), security headers and request guards.

``web`` imports neither ``api`` nor ``workbench``; the composition root (``server.main``)
mounts both on one app.
"""
