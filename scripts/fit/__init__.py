"""`hfkit fit`: size a staged model against a pool from its manifest, config and safetensors headers only."""
