"""A bank of two branches and three account managers, for the scope tests.

Worked by hand for the month 2026-06 (D = 2026-06-30, O = 2026-05-31, Y = 2025-12-31);
yuan throughout.

  loan cust branch  manager contract  opened     matures    moves
  L1   C1   城东支行 王经理 9,600,000 2025-06-01 2027-06-01 +1,000,000; −100,000 06-15;
                                                           interest 3,000 06-30
  L2   C2   城东支行 王经理   200,000 2025-12-15 2026-07-10 +200,000; −50,000 06-12
  L3   C3   城西支行 李经理   300,000 2026-06-05 2027-06-05 +300,000 06-05
  L4   C1   城西支行 李经理   500,000 2026-01-10 2026-06-20 +500,000; −200,000 06-20;
                                                           substandard 06-28
  L5   C4   城东支行 赵经理   800,000 2025-03-01 2028-03-01 +800,000; −100,000 2026-03-01;
                                                           −100,000 06-10
  L6   C2   城西支行 赵经理   100,000 2026-06-18 2027-06-18 +100,000 06-18

Balances on D: L1 900,000 · L2 150,000 · L3 300,000 · L4 300,000 · L5 600,000 · L6 100,000.
  城东支行 (L1 L2 L5): D 1,650,000; O 1,900,000; Y 2,000,000; collected 250,000; disbursed 0;
      interest 3,000; customers C1 C2 C4; NPL 0; top customer C1 900,000 (its L4 is 城西's).
  城西支行 (L3 L4 L6): D 700,000; O 500,000; Y 0; disbursed 400,000; collected 200,000;
      customers C3 C1 C2; NPL 300,000 (L4); due this month: L4, 500,000, collected 200,000.
  李经理 (L3 L4): D 600,000, NPL 300,000, watchlist L4; target disbursed 500,000, actual 300,000.
  普惠: C1 (small enterprise, no credit line) has 9,600,000 + 500,000 of live contracts at
      the bank: over 10,000,000, so not inclusive in either branch, although each branch
      alone holds less than 10,000,000 of its contracts.  C3 (individual business) is:
      城西支行's inclusive balance is 300,000, 城东支行's 0.
bank_figures: the legal entity's provision 100,000 and net capital 10,000,000; 城东支行's own
  provision 30,000 and net capital 5,000,000; 城西支行 has none (legal-entity indicators).
"""

from __future__ import annotations

from pathlib import Path

from ledgers import write_ledger

EAST, WEST = "城东支行", "城西支行"
WANG, LI, ZHAO = "王经理", "李经理", "赵经理"


def write_scope_ledger(folder: Path, *, figures: bool = True) -> Path:
    write_ledger(
        folder,
        customers="""
            C1,甲公司,corporate,small,C,,,
            C2,张三,individual,,A,,,
            C3,李四,individual_business,,F,,,
            C4,乙公司,corporate,large,C,,,
        """,
        loans=f"""
            L1,C1,{EAST},{WANG},流动资金贷款,mortgage,9600000.00,2025-06-01,2027-06-01,4.35
            L2,C2,{EAST},{WANG},个人消费贷,credit,200000.00,2025-12-15,2026-07-10,5.00
            L3,C3,{WEST},{LI},个体工商户贷,guarantee,300000.00,2026-06-05,2027-06-05,4.80
            L4,C1,{WEST},{LI},流动资金贷款,mortgage,500000.00,2026-01-10,2026-06-20,4.50
            L5,C4,{EAST},{ZHAO},固定资产贷款,mortgage,800000.00,2025-03-01,2028-03-01,4.00
            L6,C2,{WEST},{ZHAO},个人消费贷,credit,100000.00,2026-06-18,2027-06-18,5.50
        """,
        transactions="""
            L1,2025-06-01,disburse,1000000.00
            L1,2026-06-15,repay,100000.00
            L1,2026-06-30,interest,3000.00
            L2,2025-12-15,disburse,200000.00
            L2,2026-06-12,repay,50000.00
            L3,2026-06-05,disburse,300000.00
            L4,2026-01-10,disburse,500000.00
            L4,2026-06-20,repay,200000.00
            L5,2025-03-01,disburse,800000.00
            L5,2026-03-01,repay,100000.00
            L5,2026-06-10,repay,100000.00
            L6,2026-06-18,disburse,100000.00
        """,
        classifications="""
            L1,2025-06-01,normal,
            L2,2025-12-15,normal,
            L3,2026-06-05,normal,
            L4,2026-01-10,normal,
            L4,2026-06-28,substandard,2026-06-21
            L5,2025-03-01,normal,
            L6,2026-06-18,normal,
        """,
        targets=f"""
            {LI},2026-06,disbursed,500000
            {WANG},2026-06,disbursed,100000
            {ZHAO},2026-06,disbursed,200000
        """,
    )
    if figures:
        (folder / "bank_figures.csv").write_text(
            "date,item,amount,branch\n"
            "2026-06-30,provision,100000.00,\n"
            "2026-06-30,net_capital,10000000.00,\n"
            f"2026-06-30,provision,30000.00,{EAST}\n"
            f"2026-06-30,net_capital,5000000.00,{EAST}\n", encoding="utf-8")
    return folder
