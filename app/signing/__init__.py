"""Signing on: sign pages, email confirmation, moderation, duplicates, withdrawal and
reconfirmation, with a consent trail on every signature."""
