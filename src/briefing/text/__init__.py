"""Typography below the data: hyphenation and which characters the shipped fonts can print."""
