"""Policies an interface applies when a session opens and saves: lifetime and revocation.

``_lifetime`` holds the idle and absolute timeout rules that cookie and server-side
sessions share; ``revocation`` the "not before" time per user that logs a user out
everywhere.
"""
