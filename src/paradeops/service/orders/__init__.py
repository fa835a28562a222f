"""Hold-and-release orders: recommended, issued, and carried out at the checkpoints."""
