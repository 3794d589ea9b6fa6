"""One build: what to write (plan), from which inputs (manifest), and the run that writes it (pipeline)."""
