"""The HTTP service (drafter serve): FastAPI routes over the library and the job store."""
