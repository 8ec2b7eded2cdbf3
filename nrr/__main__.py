"""``python -m nrr``: the same as the ``nrr`` command."""

from nrr.cli import run

run()
