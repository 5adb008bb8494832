"""The composition root: bootstrap (the one place that knows every adapter) and the
worker."""
