"""The worker loop: claim due work with a lease, run it, release it, shut down gracefully."""
