"""Public hazard reports (群众举报, plan 保障措施(三)): intake, staff view, triage, reward."""
