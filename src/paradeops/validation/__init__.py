"""Validation of the simulation against an independent simulator (an adapter).

:mod:`paradeops.validation.sumo` runs the same single-lane columns in Eclipse
SUMO (a subprocess; the ``eclipse-sumo`` dev dependency) and in ParadeOps'
kernel, and compares when every vehicle's front passes every point.
:mod:`paradeops.validation.throughput` measures vehicle-updates per second,
in a subprocess when the number of threads must be fixed before Numba loads.
"""
