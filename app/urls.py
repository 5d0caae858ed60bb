from urllib.parse import urlsplit


def is_safe_next(target: str | None) -> bool:
    """Only same-site paths: no scheme, no host, not protocol-relative (//evil)."""
    if not target:
        return False
    parts = urlsplit(target)
    return (
        parts.scheme == ""
        and parts.netloc == ""
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
    )
