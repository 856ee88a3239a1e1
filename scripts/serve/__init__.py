"""`hfkit serve`: pin a staged model that fits into the environment file's `deployments`, for review and deploy."""
