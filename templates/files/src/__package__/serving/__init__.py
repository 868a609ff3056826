"""HTTP serving of the {{championAlias}} model (FastAPI app in serving.app)."""
