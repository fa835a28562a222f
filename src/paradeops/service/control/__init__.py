"""The control room: live status, projections, alerts, pushed as server-sent events."""
