"""The facts a page prints: statements, disclosure sheets, the distribution statement,
sheet changes, fairness, publishing (read from the read models, never stored)."""
