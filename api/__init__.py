"""FastAPI layer: thin routes over serving.snapshot, responses from models/."""
