"""Users, roles, tokens and the audit log."""
