"""briefing: print executive sponsor briefing PDFs from structured YAML data."""

__version__ = "0.1.0"
