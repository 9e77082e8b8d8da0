"""Fixtures of the browser tests: a headless Chromium per module (see chromium.py)."""

from tests.browser.chromium import browser  # noqa: F401
