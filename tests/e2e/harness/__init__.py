"""Test harness for the end-to-end tests: replica HTTPS server, Chromium launch, companion, managed policy.

The extension is tested against replica pages reached at the real hostnames (www.linkedin.com, ...), so the
manifest's own match patterns are what gets exercised; everything here exists to make that possible on one
machine with no network.
"""
