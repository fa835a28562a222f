"""Marshals' check-ins: idempotent by the client's id, committed before acknowledged."""
