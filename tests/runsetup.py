"""A small bank for the ``run`` tests: a ledger covering 2025-06 … 2026-11 and its config.

Balances (yuan), so expected figures can be checked by hand:
  L1 C1 corporate  1,000,000 from 2025-06-01, 100,000 repaid 2026-09-15
  L2 C2 individual   200,000 from 2025-12-15,  50,000 repaid 2026-10-12, substandard 10-05
  L3 C3 business     300,000 from 2026-09-05
On 2026-10-31: balance 1,350,000; year start (2025-12-31) 1,200,000; NPL 150,000.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from ledgers import write_ledger

TEAM, RISK, BOSS = "credit-team@bank.example", "risk@bank.example", "boss@bank.example"
PASSWORD = "Zq9-very-secret-Pw"


def write_bank_ledger(folder: Path, *, broken: bool = False, until: str = "2026-11-30") -> Path:
    """The bank's export; ``until`` is its data date (L1's latest review), "" for none
    (then the latest row, L3's interest of 2026-10-25, is the data date)."""
    review = f"L1,{until},normal," if until else ""
    return write_ledger(
        folder,
        customers="""
            C1,甲公司,corporate,small,C,,,
            C2,张三,individual,,A,,,
            C3,李四,individual_business,,F,,,
        """,
        loans="""
            L1,C1,城东支行,王经理,流动资金贷款,mortgage,1000000.00,2025-06-01,2027-06-01,4.35
            L2,C2,城东支行,王经理,个人消费贷,credit,200000.00,2025-12-15,2026-12-15,5.00
            L3,C3,城东支行,李经理,个体工商户贷,guarantee,300000.00,2026-09-05,2027-09-05,4.80
        """,
        transactions=f"""
            L1,2025-06-01,disburse,1000000.00
            L1,2026-09-15,repay,100000.00
            L2,2025-12-15,disburse,200000.00
            L2,2026-10-12,repay,{'250000.00' if broken else '50000.00'}
            L3,2026-09-05,disburse,300000.00
            L3,2026-10-25,interest,1200.00
        """,
        classifications="""
            L1,2025-06-01,normal,
            L2,2025-12-15,normal,
            L2,2026-10-05,substandard,2026-09-20
            L3,2026-09-05,normal,
        """ + review,
    )


def write_config(folder: Path, port: int, **email: Any) -> Path:
    """``folder/reportgen.toml`` for a plain local relay; ``email`` overrides [email] keys
    (and ``formats``, ``reports``, ``lock_wait`` their [output]/[schedule] keys)."""
    settings: dict[str, Any] = {
        "host": "127.0.0.1", "port": port, "security": "none",
        "sender": "信贷报表 <reports@bank.example>", "attach": ["json"],
        "retries": 1, "retry_delay": 0.0, "timeout": 5,
    }
    formats = email.pop("formats", ["json"])
    reports = email.pop("reports", ["dekad", "monthly"])
    lock_wait = email.pop("lock_wait", 1)
    settings.update(email)
    lines = "\n".join(f"{k} = {_toml(v)}" for k, v in settings.items())
    path = folder / "reportgen.toml"
    path.write_text(textwrap.dedent(f"""\
        [bank]
        name = "示例农村商业银行"
        branch = "城东支行"

        [ledger]
        path = "ledger"

        [output]
        dir = "reports"
        formats = {_toml(formats)}

        [schedule]
        reports = {_toml(reports)}
        lock_wait = {lock_wait}

        [email]
        """) + lines + textwrap.dedent(f"""

        [email.recipients]
        dekad = ["{TEAM}"]
        monthly = ["{TEAM}", "{RISK}"]
        quarterly = ["{BOSS}"]
        yearly = ["{BOSS}"]
        """), encoding="utf-8")
    return path


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value)
