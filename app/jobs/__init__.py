"""Background work (issue 13): a registry of plain async task functions and the engines that
run them — the local in-process runner (SQLite, `manual` in tests) and procrastinate
(PostgreSQL, `zhiben worker`). Services never import this package: they write outbox rows
(`app.services.outbox`), and an engine runs them after the request's transaction commits."""
