"""File adapters: read and write the user's files."""
