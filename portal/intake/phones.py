"""Phone numbers written one way, so the same number typed two ways is seen as the same.

A North American number (Ontario's and its neighbours') becomes ``+1 416-555-0199``, with
an extension as `` ext. 12``; a number with another country code keeps its ``+`` and
digits in the groups it was written in. Anything else is refused with the reason.
"""

from __future__ import annotations

import re

EXTENSION_RE = re.compile(r"\s*(?:ext\.?|extension|x|poste|p\.|#)\s*(\d{1,6})\s*$", re.IGNORECASE)
WRITTEN_RE = re.compile(r"^\+?[\d\s().\-/]+$")  # digits and the marks people put between them


class PhoneRefused(ValueError):
    """Not a phone number this portal can keep; the message says why."""


def normalise_phone(text: str) -> str:
    """The number in the portal's one format ("" stays ""); PhoneRefused if it is not one."""
    text = " ".join(text.split())
    if not text:
        return ""
    extension = ""
    found = EXTENSION_RE.search(text)
    if found:
        extension, text = found.group(1), text[: found.start()]
    if not WRITTEN_RE.match(text):
        raise PhoneRefused("a phone number holds digits only (and spaces, dashes or brackets)")
    digits = re.sub(r"\D", "", text)
    if text.startswith("+") and not (digits.startswith("1") and len(digits) == 11):
        if not 7 <= len(digits) <= 15:
            raise PhoneRefused("an international number has 7 to 15 digits after the +")
        groups = " ".join(re.sub(r"[^\d\s]", " ", text).split())
        return f"+{groups}" + (f" ext. {extension}" if extension else "")
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10:
        raise PhoneRefused("a phone number has 10 digits, with its area code (416-555-0199)")
    if digits[0] in "01" or digits[3] in "01":
        raise PhoneRefused("no North American area code or exchange starts with 0 or 1")
    number = f"+1 {digits[:3]}-{digits[3:6]}-{digits[6:]}"
    return number + (f" ext. {extension}" if extension else "")


def phone_or_as_written(text: str) -> str:
    """The number in the one format when it is one; otherwise the text as written (for
    data kept from before numbers were checked)."""
    try:
        return normalise_phone(text)
    except PhoneRefused:
        return " ".join(text.split())
