"""Views of the signing blueprint: thin; each parses, calls one operation, renders."""
