"""The HTTP side: FastAPI app (output feeds now; the REST API under /api/v1 later)."""
