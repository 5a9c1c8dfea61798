"""The pytest plugin ``make flask-compat`` loads into Flask's own test suite."""
