"""`hfkit cost`: what the configured accelerator pools cost per hour and per month, from a dated price table."""
