"""The deterministic timing engine (pure): when every unit passes every point."""
