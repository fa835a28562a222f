"""Plans and their revisions: every save is a new revision, none is overwritten."""
