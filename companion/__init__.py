"""Postguard companion: the local service that checks a post before it goes out.

Everything here runs on the salesperson's laptop; no post text or image leaves it.
"""

__version__ = "0.1.0"
