"""Reports and exports built from the same read queries as the dashboard (serving.analytics)."""
