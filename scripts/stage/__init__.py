"""`hfkit stage`: copy a Hugging Face Hub model revision into a GCS bucket, verified against the Hub's hashes.

The package is split by job: `hub` pins the revision and lists files, `hub_download` reads byte ranges, `selection`
decides which files matter, `gcs` is the commit prefix and its objects, `gcs_api` the GCS requests, `pipeline`
moves parts of every file over many streams (`streams` decides how many, `crc32c` composes checksums), `stager`
runs the whole plan, `manifest` is the contract with readers (`hfkit fit/serve`), `command` is the click shell.
Nothing here imports cdktf, huggingface_hub or google-cloud-storage: `hfkit stage` must start fast.
"""
