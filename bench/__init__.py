"""Benchmarks: sessionware side by side with Flask, Beaker and a stdlib floor.

``make bench`` (``python -m bench``) runs them with pyperf and prints the table;
``make load`` runs the example app under gunicorn and drives it with wrk.
"""
