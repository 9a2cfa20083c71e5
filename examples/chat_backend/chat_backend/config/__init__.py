"""Configuration: environment access and typed application settings."""
