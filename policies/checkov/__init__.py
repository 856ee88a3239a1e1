"""hfkit's own checkov checks, loaded through `external-checks-dir` in the repo's .checkov.yaml."""
