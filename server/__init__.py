"""The composition root: ``server.main.create_app`` builds the one app and mounts the API
(``api``) and the workbench (``workbench``) on it; ``server.main:app`` for uvicorn."""
