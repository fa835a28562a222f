"""Value objects of the domain and their loading from plain data (pure)."""
