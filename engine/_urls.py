"""A URL said without its secrets: the password in its user part and in its query (libpq's ``?password=``)."""

from __future__ import annotations

import re

#: query parameters that hold a secret: libpq's password and sslpassword, and what other drivers call theirs
SECRET_PARAMETERS = frozenset({"password", "pass", "passwd", "pwd", "sslpassword", "secret", "token",
                               "access_token", "api_key", "apikey", "private_key", "private_key_passphrase"})
_QUERY_PAIR = re.compile(r"(^|[?&;])([^=&;#]+)=([^&;#]*)")
#: a query parameter whose name (percent-decoded) says it holds a secret: Snowflake's private_key_file_pwd,
#: pass%77ord (which the driver reads as password)
_SECRET_NAME = re.compile(r"(?i)pass|pwd|secret|token|private_key|api_?key|credential")


def _secret_name(name: str) -> bool:
    decoded = re.sub(r"%([0-9A-Fa-f]{2})", lambda m: chr(int(m[1], 16)), name).strip().lower()  # pass%77ord
    # (a file's path is not a secret: passfile, credentials_path, sslkey's file; private_key_file_pwd is)
    return decoded in SECRET_PARAMETERS or (_SECRET_NAME.search(decoded) is not None
                                            and re.search(r"(file|path|dir)$", decoded) is None)


def _user_part(url: str) -> tuple[int, int] | None:
    """Where ``url``'s user part (``user:password``) is, from after ``://`` to its ``@``: the last ``@`` before the
    host, or, when none is there, the last one further on, which a password holding ``/``, ``?`` or ``#`` unescaped
    put there (``u:Sec/ret@h``: a parser reads host ``u`` and port ``Sec``, and says so, password and all). Such a
    URL cannot be told from a host, a port and an ``@`` in a table's name (``h:5432/db#t@x``): it is taken to hold a
    password, never shown. None without a user part."""
    start = url.find("://")
    if start < 0:
        return None
    start += 3
    cut = re.search(r"[/?#]", url[start:])
    end = len(url) if cut is None else start + cut.start()
    if (at := url.rfind("@", start, end)) >= 0:
        return start, at
    if (at := url.rfind("@", start)) < 0:
        return None
    user, colon, _ = url[start:at].partition(":")
    if not colon or re.search(r"[/?#]", user):
        return None
    return start, at


def url_has_secret(url: str) -> bool:
    """Whether ``url`` holds a password, in its user part or its query.

    >>> [url_has_secret(u) for u in ("postgresql://u:p@h/db", "postgresql://u@h/db?password=p", "postgresql://u@h/db",
    ...                              "postgresql://u:Sec/ret@h/db", "postgresql://u:Pa#1@h/db#t", "postgresql://u:12/3@h/db")]
    [True, True, False, True, True, True]
    """
    if (part := _user_part(url)) is not None and ":" in url[part[0]:part[1]]:
        return True
    query = url.partition("#")[0].partition("?")[2]
    return any(_secret_name(piece.partition("=")[0]) for piece in re.split(r"[&;]", query) if "=" in piece)


def password_unescaped(url: str) -> bool:
    """Whether the password in ``url``'s user part holds ``/``, ``?``, ``#``, ``@``, ``[`` or ``]`` as they are, which a
    URL must write percent-encoded (``%2F``, ``%3F``, ``%23``, ``%40``): no parser reads such a URL as meant.

    >>> [password_unescaped(u) for u in ("postgresql://u:Sec/ret@h/db", "postgresql://u:S%2Fr@h/db", "pg://u@h/d")]
    [True, False, False]
    """
    if (part := _user_part(url)) is None:
        return False
    password = url[part[0]:part[1]].partition(":")[2]
    return bool(re.search(r"[/?#@\[\]]", password))


def redact_url(url: str) -> str:
    """``url`` with each secret written ``***``; the rest as written (no parsing that could fail: a port that is
    not a number is kept as it is).

    >>> redact_url("postgresql://u:p@h:5432/db?sslmode=require&password=s3cret#mrr")
    'postgresql://u:***@h:5432/db?sslmode=require&password=***#mrr'
    >>> redact_url("postgresql://u:Sec/ret#1@h:5432/db#mrr")
    'postgresql://u:***@h:5432/db#mrr'
    >>> redact_url("postgresql://u@h/db?pass%77ord=s3cret&sslmode=require#mrr")
    'postgresql://u@h/db?pass%77ord=***&sslmode=require#mrr'
    """
    if (part := _user_part(url)) is not None and ":" in (userinfo := url[part[0]:part[1]]):
        url = f"{url[:part[0]]}{userinfo.split(':', 1)[0]}:***{url[part[1]:]}"
    head, sep, query = url.partition("?")
    if sep:
        query, hash_, fragment = query.partition("#")
        query = _QUERY_PAIR.sub(lambda m: f"{m[1]}{m[2]}=***" if _secret_name(m[2]) else m[0], query) + hash_ + \
            fragment
    return head + sep + query
