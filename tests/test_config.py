"""nrr.toml: every key optional, unknown keys and bad values named."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from engine import Profile
from nrr import ConfigError, load_settings


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "nrr.toml"
    path.write_text(text)
    return str(path)


def test_defaults_without_a_config_file(tmp_path: Path) -> None:
    settings = load_settings(None, {}, cwd=tmp_path)
    s = settings
    assert (s.ledger.source, s.ledger.method, s.calendar.timezone, s.calendar.fiscal_year_start,
            s.company.currency) == ("ledger.csv", None, "UTC", 1, "USD")  # None: the ledger's own
    assert settings.profile == Profile(segment="mid-market", pricing_model=None, stage=None, funding="vc",
                                       assumed=True)  # and answers say so
    assert settings.config_path is None


def test_every_key(tmp_path: Path) -> None:
    path = write(tmp_path, """
[ledger]
source = "books/ledger.xlsx#Ledger"
method = "sum"
[calendar]
timezone = "Europe/Paris"
fiscal_year_start = "jul"
[company]
segment = "Enterprise"
pricing_model = "usage"
stage = "growth"
funding = "bootstrapped"
currency = "eur"
""")
    s = load_settings(path, {})
    assert (s.ledger.source, s.ledger.method, s.calendar.timezone, s.calendar.fiscal_year_start,
            s.company.currency) == (
        "books/ledger.xlsx#Ledger", "sum", "Europe/Paris", 7, "EUR")
    assert s.profile == Profile(segment="enterprise", pricing_model="usage", stage="growth", funding="bootstrapped")
    assert s.base_dir == tmp_path


def test_config_path_from_the_environment_and_the_working_directory(tmp_path: Path) -> None:
    path = write(tmp_path, '[company]\nsegment = "smb"\n')
    assert load_settings(None, {"NRR_CONFIG": path}).profile.segment == "smb"
    assert load_settings(None, {}, cwd=tmp_path).profile.segment == "smb"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[calendar]\ntimezon = 'UTC'\n", "unknown key [calendar] timezon. Did you mean 'timezone'?"),
        ("[slak]\n", "unknown section [slak]. Did you mean 'slack'?"),
        ("[company]\nsegment = 'enterprize'\n",
         "[company] segment = 'enterprize' is not one of enterprise, mid-market, smb."),
        ("[calendar]\ntimezone = 'Mars/Olympus'\n",
         "[calendar] timezone = 'Mars/Olympus' is not an IANA time zone name such as Europe/Paris or "
         "America/New_York."),
        # a folder of zones, and a name longer than a file name: an internal error (IsADirectoryError, OSError)
        ("[calendar]\ntimezone = 'Europe'\n",
         "[calendar] timezone = 'Europe' is not an IANA time zone name such as Europe/Paris or America/New_York."),
        (f"[calendar]\ntimezone = '{'x' * 300}'\n",
         f"[calendar] timezone = '{'x' * 300}' is not an IANA time zone name such as Europe/Paris or "
         "America/New_York."),
        ("[calendar]\nfiscal_year_start = 13\n",
         "[calendar] fiscal_year_start = 13 is not a month: a number 1-12 or a name such as July."),
        ("[company]\ncurrency = 'dollars'\n",
         "[company] currency = 'dollars' is not an ISO 4217 currency code such as USD, EUR or GBP."),
        ("[ledger]\nmethod = 'average'\n", "[ledger] method = 'average' is not one of chained, sum, cohort."),
        ("ledger = 3\n", "[ledger] must be a table of keys, not a value."),
        ("[ledger]\ncolumns = {customer = 'acct', mrr = 'ACCT'}\n",
         "[ledger] columns = {'customer': 'acct', 'mrr': 'ACCT'} is not a different column for each role: a column "
         "holds one of them."),
    ],
)
def test_bad_config_names_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_settings(path, {})
    assert str(info.value) == f"{path}: {message}"


def test_missing_and_broken_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file; check --config or NRR_CONFIG"):
        load_settings(str(tmp_path / "nope.toml"), {})
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(write(tmp_path, "[ledger\n"), {})


@pytest.mark.parametrize(("line", "value"), [("grr_concerning", "0.85"), ("grr_concerning", "185"),
                                             ("logo_retention", "0"), ("expansion_dependent_nrr", "2000")])
def test_an_alert_line_no_figure_could_cross_is_refused(tmp_path: Path, line: str, value: str) -> None:
    # 0.85 read as 0.85%: the GRR alerts never fired, while the digest said GRR was concerning (fuzz 8)
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, f"[alerts.thresholds]\n{line} = {value}\n"), {})
    assert "such as 85 (not 0.85)" in str(caught.value) and line in str(caught.value)


def test_an_nrr_line_above_100_is_a_line() -> None:
    from nrr.config import ALERT_TABLES

    assert ALERT_TABLES["thresholds"]["expansion_dependent_nrr"](105) == Decimal("1.05")


def test_grr_lines_out_of_order_and_a_move_no_figure_makes_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, "[alerts.thresholds]\ngrr_leaky = 88\n"), {})
    assert str(caught.value).endswith("[alerts.thresholds] grr_leaky (88%) must be below grr_concerning (85%): below "
                                      "grr_leaky GRR is a leaky bucket, below grr_concerning it is concerning; lower "
                                      "grr_leaky or raise grr_concerning.")
    with pytest.raises(ConfigError, match="move_points"):
        load_settings(write(tmp_path, "[alerts.thresholds]\nmove_points = 1000\n"), {})
    assert load_settings(write(tmp_path, "[alerts.thresholds]\ngrr_leaky = 88\ngrr_concerning = 92.5\n"), {}
                         ).alerts.thresholds.grr_leaky == Decimal("0.88")
