"""`hfkit diff`: what a change does to the synthesized Terraform, offline, before anyone runs a plan."""
