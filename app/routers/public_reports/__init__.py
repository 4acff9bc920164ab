"""Public reports (群众举报), brief §7 — the HTTP side of `app/services/public_reports/`:
`intake` holds the anonymous mini-program routes (`/api/v1/public/...`), `staff` the
office's view of the same reports (`/api/v1/reports/...`)."""
