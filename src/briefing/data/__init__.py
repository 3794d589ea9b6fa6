"""The data: the format (model), strict YAML, loading with located errors, audience views and what changed."""
