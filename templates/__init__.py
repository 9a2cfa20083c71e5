"""Jinja2 templates of the Markdown report; shipped as package data."""
