"""Core building blocks shared by every layer: identifiers and error types."""
