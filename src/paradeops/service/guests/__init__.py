"""Guests: the protocol core's guest book, history and announcements over HTTP."""
