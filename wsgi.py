"""Entry point for gunicorn and the flask command: ``gunicorn wsgi:app``."""

import gc

from crm import create_app

app = create_app()

# What start-up built (models, mappers, the template environment, translations) lives as long
# as the process. Frozen, the cycle collector stops walking it on every full collection,
# which took about a quarter of a search page's time.
gc.freeze()
