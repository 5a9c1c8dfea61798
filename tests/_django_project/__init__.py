"""A small Django project served by real servers in the Django tests."""
