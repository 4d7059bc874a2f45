"""Output formats: each module turns diagnostics into one report format."""
