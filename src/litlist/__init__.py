"""litlist: a typed, searchable catalog of a curated LLM reading list."""

__version__ = "0.1.0"
