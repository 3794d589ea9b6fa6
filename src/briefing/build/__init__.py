"""The build: the pipeline of steps, the plan of what is stale, and the manifest of what was built."""
