"""A URL said without its secrets: the password in its user part and in its query (libpq's ``?password=``)."""

from __future__ import annotations

import re

#: query parameters that hold a secret: libpq's password and sslpassword, and what other drivers call theirs
SECRET_PARAMETERS = frozenset({"password", "pass", "passwd", "pwd", "sslpassword", "secret", "token",
                               "access_token", "api_key", "apikey", "private_key", "private_key_passphrase"})
_SECRET_QUERY = re.compile(r"(?i)(^|[?&;])(" + "|".join(sorted(SECRET_PARAMETERS, key=len, reverse=True)) +
                           r")=[^&;#]*")


def url_has_secret(url: str) -> bool:
    """Whether ``url`` holds a password, in its user part or its query.

    >>> [url_has_secret(u) for u in ("postgresql://u:p@h/db", "postgresql://u@h/db?password=p", "postgresql://u@h/db")]
    [True, True, False]
    """
    location = url.partition("#")[0]
    head, _, query = location.partition("?")
    netloc = head.partition("://")[2].partition("/")[0]
    userinfo = netloc.rpartition("@")[0]
    return ":" in userinfo or any(part.partition("=")[0].strip().lower() in SECRET_PARAMETERS
                                  for part in re.split(r"[&;]", query))


def redact_url(url: str) -> str:
    """``url`` with each secret written ``***``; the rest as written (no parsing that could fail: a port that is
    not a number is kept as it is).

    >>> redact_url("postgresql://u:p@h:5432/db?sslmode=require&password=s3cret#mrr")
    'postgresql://u:***@h:5432/db?sslmode=require&password=***#mrr'
    """
    head, sep, query = url.partition("?")
    scheme, slashes, rest = head.partition("://")
    if slashes:
        netloc, slash, path = rest.partition("/")
        userinfo, at, host = netloc.rpartition("@")
        if at and ":" in userinfo:
            netloc = f"{userinfo.split(':', 1)[0]}:***@{host}"
        head = f"{scheme}://{netloc}{slash}{path}"
    if sep:
        query, hash_, fragment = query.partition("#")
        query = _SECRET_QUERY.sub(lambda m: f"{m[1]}{m[2]}=***", query) + hash_ + fragment
    return head + sep + query
