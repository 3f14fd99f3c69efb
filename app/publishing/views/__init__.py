"""Views of the publishing blueprint; the URL table is in app/publishing/routes.py."""
