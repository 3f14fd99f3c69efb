"""Drafting joint letters: text and versions, recipients, collaborators and the lifecycle."""
