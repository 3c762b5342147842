"""The orchestrators: refresh a source, process an article page, schedule, discover."""
