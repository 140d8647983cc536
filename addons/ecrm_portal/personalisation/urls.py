"""Where the website may send a visitor: plain Python, no Odoo import.

A redirect target from outside (a form field, a rule's button) is followed only when it
is a path of this website. Browsers are generous readers: they turn ``\\`` into ``/``,
drop tabs and line breaks, resolve ``.`` and ``..`` segments (``%2e`` included), and read
``//host`` as another website, so the check looks at the URL the way a browser will.
"""
import re
from urllib.parse import urlsplit, urlunsplit

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ENCODED_DOT = re.compile(r"%2e", re.IGNORECASE)


def _remove_dot_segments(path):
    """RFC 3986, section 5.2.4, on an absolute path."""
    output = []
    segments = path.split("/")[1:]
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == ".":
            if last:
                output.append("")
        elif segment == "..":
            if output:
                output.pop()
            if last:
                output.append("")
        else:
            output.append(segment)
    return "/" + "/".join(output)


def local_path(url, default="/"):
    """``url`` normalised, if it is a path of this website (one leading ``/``, no scheme, no host),
    else ``default``.

    >>> local_path("/shop?page=2")
    '/shop?page=2'
    >>> local_path("/.//evil.example")
    '/'
    """
    if not isinstance(url, str) or not url.startswith("/"):
        return default
    # a browser drops these inside a URL ("/\t/host" is "//host"), and in a header they end it: refuse
    if _CONTROL.search(url):
        return default
    path_end = min([position for position in (url.find("?"), url.find("#")) if position >= 0] or [len(url)])
    path, rest = url[:path_end], url[path_end:]
    path = _ENCODED_DOT.sub(".", path.replace("\\", "/"))
    if path.startswith("//"):
        return default
    parts = urlsplit(path + rest)
    if parts.scheme or parts.netloc:
        return default
    path = _remove_dot_segments(parts.path)
    if not path.startswith("/") or path.startswith("//"):
        return default
    return urlunsplit(("", "", path, parts.query, parts.fragment))


def is_local_path(url):
    return local_path(url, default=None) is not None
