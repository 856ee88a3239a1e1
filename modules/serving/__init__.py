"""Serving decisions that need no cdktf: how weights load, what a pod requests, how rollouts and drains run. Shared by
the config checks, `hfkit serve` and the model server construct, so all three apply one rule."""
