"""AURA: embeddings (cached by content hash), candidate-vacancy matching, rule segments, clusters, propensity."""
