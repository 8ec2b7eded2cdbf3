"""Shared fixtures. The environment is cleaned for every test, so nothing leaks between them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import settings

from tests.helpers import examples

# a property test without settings of its own tries this many examples (hypothesis' default is 100): NRR_FUZZ scales
# it, as it scales the others (``tests.helpers.examples``)
settings.register_profile("nrr", max_examples=examples(50))
settings.load_profile("nrr")

_LEAKY = ("NRR_", "SLACK_", "GOOGLE_", "SHEETS_", "STRIPE_", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
          "http_proxy", "https_proxy", "all_proxy", "NO_PROXY", "no_proxy")


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test sees the developer's credentials, proxies or nrr settings."""
    import os

    for name in list(os.environ):
        if name.startswith(_LEAKY):
            monkeypatch.delenv(name, raising=False)
    yield
