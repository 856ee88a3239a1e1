"""`hfkit stage`: copy a Hugging Face Hub model revision into a GCS bucket, verified against the Hub's hashes.

The package is split by job: `hub` talks to the Hub, `selection` decides which files matter, `gcs` writes objects,
`transfer` streams one file, `stager` runs the whole plan, `manifest` is the contract with readers (`hfkit fit/serve`),
`command` is the click shell. Nothing here imports cdktf: `hfkit stage` must start fast.
"""
