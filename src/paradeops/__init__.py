"""ParadeOps: plan, time and run parades and state ceremonies."""

from paradeops.errors import Problem, UserError

__all__ = ["Problem", "UserError", "__version__"]
__version__ = "0.1.0"
