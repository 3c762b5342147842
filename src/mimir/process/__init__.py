"""Pure transforms: canonical URLs and identity keys, content fingerprints (no I/O)."""
