"""Content checksums: a binding remembers what was sent, to tell an edit from a re-read."""
import hashlib
import json
from decimal import Decimal


def _plain(value):
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    if isinstance(value, float):
        return "%.2f" % value
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def content_checksum(content):
    """SHA-256 of a canonical JSON form; floats and Decimals compare at 2 decimals."""
    canonical = json.dumps(_plain(content), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
