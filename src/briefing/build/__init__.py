"""One build: plan what is out of date, print chapters, assemble documents, keep the manifest."""
