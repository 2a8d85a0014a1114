"""FastAPI layer: thin routes over huntred.serving, responses from models/."""
