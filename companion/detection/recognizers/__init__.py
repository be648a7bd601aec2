"""Presidio recognizers for contact and payment data, one per file.

`registry.py` holds the explicit list the analyzer is built from; nothing is
discovered implicitly, so what runs is exactly what is listed there.
"""
