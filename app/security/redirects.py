from urllib.parse import urlsplit


def is_safe_next(target: str | None) -> bool:
    """Only same-site paths: no scheme, no host, not protocol-relative (//evil), no control characters."""
    if not target:
        return False
    # Control characters: browsers drop tabs and newlines ("/\t/evil" becomes "//evil"), and a
    # newline in a Location header is refused outright (a server error, not a redirect).
    if any(ord(c) < 32 or ord(c) == 127 for c in target):
        return False
    parts = urlsplit(target)
    return (
        parts.scheme == ""
        and parts.netloc == ""
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
    )
