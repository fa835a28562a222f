"""Incidents: delay reasons posted by marshals and organisers, cleared when over."""
