"""Package data: the built-in default sources (``default_sources.json``)."""
