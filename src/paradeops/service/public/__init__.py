"""The public tracker: a plan made public, its snapshot, ETA ranges and stream (no sign-in)."""
