"""Model sizing: what a model needs (from its config and safetensors headers) against what a pool offers.

Pure arithmetic, no I/O: `hfkit fit`/`hfkit serve` read the inputs from GCS, the serving stack reuses the results."""
