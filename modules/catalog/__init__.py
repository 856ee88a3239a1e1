"""Cloud facts the kit validates against: TPU v5e shapes and zones, GPU machine types.

Kept as data, not logic, so a reviewer can check them against the GKE docs line by line and a new shape is a
one-line change.
"""
