"""`hfkit manifests`: the serving stack's Kubernetes objects as plain YAML, for GitOps (Config Sync, Argo CD)."""
