"""A browser's User-Agent header in a few words ("Firefox on Windows"), for the list of a
person's sessions. Only the common browsers and systems are named; anything else is said
plainly rather than guessed."""

from __future__ import annotations

import re

# The first match wins: Edge and Opera also say "Chrome", Chrome also says "Safari".
BROWSERS = (
    ("Edge", re.compile(r"\bEdg(?:e|A|iOS)?/")),
    ("Opera", re.compile(r"\b(?:OPR|Opera)/")),
    ("Firefox", re.compile(r"\b(?:Firefox|FxiOS)/")),
    ("Chrome", re.compile(r"(?:\b|Headless)(?:Chrome|CriOS|Chromium)/")),
    ("Safari", re.compile(r"\bVersion/[\d.]+.*\bSafari/")),
)

SYSTEMS = (
    ("iPhone", re.compile(r"\biPhone\b")),
    ("iPad", re.compile(r"\biPad\b")),
    ("Android", re.compile(r"\bAndroid\b")),
    ("Windows", re.compile(r"\bWindows\b")),
    ("ChromeOS", re.compile(r"\bCrOS\b")),
    ("macOS", re.compile(r"\bMac OS X\b|\bMacintosh\b")),
    ("Linux", re.compile(r"\bLinux\b")),
)


def device(user_agent: str) -> str:
    """What kind of browser on what kind of system, in words."""
    browser = next((name for name, seen in BROWSERS if seen.search(user_agent)), None)
    system = next((name for name, seen in SYSTEMS if seen.search(user_agent)), None)
    if browser and system:
        return f"{browser} on {system}"
    if browser or system:
        return browser or f"A browser on {system}"
    return "An unknown browser or program" if user_agent else "No browser named"
