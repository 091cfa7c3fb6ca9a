"""Entry point for gunicorn and the flask command: ``gunicorn wsgi:app``."""

from crm import create_app

app = create_app()
