"""``reportgen map``: a commented mapping file proposed from a core system's export.

For each file or sheet: the header row (export_scan), which ledger table it holds (the
table whose columns its headers name most), the column map (from the English names, the
Chinese aliases of schema.py and the spellings core systems commonly use, most specific
first), the footer rows, and for each enum column its distinct values with counts and a
value map.  A value is mapped only when the mapping is certain (a synonym of a label,
such as 放款 → disburse); a code such as grade 10…50 is common but not universal, so it is
written ``"TODO"`` with the usual meaning as a comment.  ``TODO`` is not a valid column or
value, so a mapping file with one left fails validation: nothing unsure passes unread.
"""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from reportgen.ledger.export_scan import Body, Grid, body, header_row, normalise, scan, value_counts
from reportgen.ledger.mapping import FLAGS, value_enum
from reportgen.ledger.schema import TABLES, Column, Kind, Table, is_required

TODO = "TODO"
MAX_VALUES = 60  # distinct values listed per enum column (an industry column has hundreds)

# Spellings of core systems and clerks' workbooks, most specific first (after the English
# name and the alias of schema.py, which come first).  Keyed by column name, or by
# "table.column" where a table's column is spelled differently.
SPELLINGS: dict[str, tuple[str, ...]] = {
    "loan_id": ("借据编号", "借据号码", "贷款借据号", "贷款账号", "借据账号", "借款借据号"),
    "customer_id": ("客户编号", "客户代码", "客户号码", "借款人编号", "借款人客户号"),
    "customer_name": ("客户姓名", "借款人名称", "借款人", "借款人姓名", "户名"),
    "customer_type": ("客户类别", "客户性质", "借款人类型"),
    "enterprise_size": ("企业规模类型", "企业划型", "规模"),
    "industry": ("行业分类", "行业代码", "行业类别", "国标行业", "行业门类", "贷款投向行业",
                 "贷款投向"),
    "credit_line": ("授信金额", "授信总额", "综合授信额度"),
    "group_id": ("集团客户编号", "集团号", "所属集团编号"),
    "id_number": ("证件号", "证件号码", "身份证号", "统一社会信用代码"),
    "branch": ("机构名称", "经办机构", "所属机构", "网点名称", "经办行", "支行"),
    "branch_id": ("机构号", "机构代码", "机构编号", "网点号", "经办机构号"),
    "account_manager": ("客户经理工号", "客户经理编号", "管户经理工号", "客户经理号",
                        "管户人工号"),
    "account_manager_name": ("客户经理姓名", "客户经理名称", "管户经理", "管户人", "客户经理"),
    "product": ("产品名称", "贷款品种", "贷款产品", "产品类型", "业务品种"),
    "guarantee": ("主担保方式", "担保类型", "担保方式代码"),
    "contract_amount": ("借据金额", "发放金额", "贷款金额", "放款金额", "合同金额"),
    "start_date": ("发放日期", "放款日期", "借据起始日", "借据发放日", "起息日", "贷款发放日"),
    "maturity_date": ("到期日期", "借据到期日", "贷款到期日", "合同到期日"),
    "rate": ("执行利率", "执行年利率", "利率", "贷款利率"),
    "transactions.date": ("交易日期", "发生日期", "记账日期", "入账日期", "会计日期"),
    "transactions.type": ("交易类型", "业务类型", "交易种类", "摘要"),
    "transactions.amount": ("发生额", "交易金额", "发生金额"),
    "classifications.date": ("分类日期", "认定日期", "数据日期", "五级分类日期"),
    "grade": ("风险分类", "五级分类结果", "分类结果", "五级分类状态", "贷款五级分类"),
    "overdue_since": ("逾期起始日", "逾期日期", "首次逾期日", "逾期开始日期"),
    "balances.date": ("数据日期", "统计日期", "余额日期"),
    "balance": ("贷款余额", "借据余额", "余额", "本金余额"),
    "overdue_days": ("逾期天数",),
    "written_off": ("核销标志", "是否核销"),
}
# File or sheet name words that hint at a table, used only to break a tie of headers.
NAME_HINTS = {"customers": ("客户",), "loans": ("借据", "台账"), "transactions": ("流水", "交易"),
              "classifications": ("分类", "五级"), "balances": ("余额",)}

# Export values whose meaning is certain (besides the codes and labels of schema.py).
CERTAIN: dict[str, dict[str, str]] = {
    "type": {"放款": "disburse", "贷款发放": "disburse", "发放贷款": "disburse",
             "还本": "repay", "归还本金": "repay", "收回本金": "repay", "正常还本": "repay",
             "提前还本": "repay", "还息": "interest", "收息": "interest", "利息收入": "interest",
             "贷款核销": "writeoff", "核销收回": "recovery",
             "放款冲正": "reverse:disburse", "发放冲正": "reverse:disburse",
             "还本冲正": "reverse:repay", "还息冲正": "reverse:interest",
             "收息冲正": "reverse:interest", "核销冲正": "reverse:writeoff"},
    "grade": {"正常类": "normal", "关注类": "special_mention", "次级类": "substandard",
              "可疑类": "doubtful", "损失类": "loss"},
    "customer_type": {"个人客户": "individual", "对公客户": "corporate", "公司": "corporate",
                      "企业": "corporate"},
    "enterprise_size": {"大型企业": "large", "中型企业": "medium", "小型企业": "small",
                        "微型企业": "micro"},
    "written_off": {"已核销": "true", "未核销": "false", "核销": "true", "未核": "false"},
    "guarantee": {"信用贷款": "credit", "保证贷款": "guarantee", "抵押贷款": "mortgage",
                  "质押贷款": "pledge"},
}
# Likely, not certain: written TODO with this as a comment.
HINTS: dict[str, dict[str, str]] = {
    "grade": {"10": "normal", "20": "special_mention", "30": "substandard", "40": "doubtful",
              "50": "loss", "1": "normal", "2": "special_mention", "3": "substandard",
              "4": "doubtful", "5": "loss"},
    "type": {"结息": "ignore (interest charged, not received)", "计息": "ignore",
             "罚息": "interest? (penalty interest received)"},
}
_GBT_CODE = re.compile(r"^[A-Ta-t]?\d{0,4}$")
_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{8})(?!\d)")


def _spellings(table: Table, column: Column) -> list[str]:
    """The headers that name ``column``, surest first.  The manager's id (工号) spellings
    come before the alias 客户经理, which in an export is usually the manager's name."""
    core = [*SPELLINGS.get(f"{table.name}.{column.name}", ()), *SPELLINGS.get(column.name, ())]
    names = ([column.name, *core, column.alias] if column.name == "account_manager"
             else [column.name, column.alias, *core])
    return list(dict.fromkeys(normalise(n) for n in names))


def known_names() -> set[str]:
    """Every header this version recognises, for finding the header row."""
    return {s for t in TABLES for c in t.columns for s in _spellings(t, c)}


@dataclass
class Proposal:
    """What was found in one file or sheet."""

    grid: Grid
    header: int
    body: Body
    table: Table | None
    scores: dict[str, int]
    columns: dict[str, int] = field(default_factory=dict)  # column → header position
    notes: dict[str, str] = field(default_factory=dict)  # column → comment


def _match(table: Table, titles: list[str]) -> tuple[dict[str, int], dict[str, str]]:
    """Columns of ``table`` matched to header positions: per column the header of the
    most specific spelling; a header is used once (columns in schema order claim first,
    except that an exact English name or alias beats any other spelling)."""
    normalised = [normalise(t) for t in titles]
    found: dict[str, int] = {}
    notes: dict[str, str] = {}
    used: set[int] = set()
    ranked = []
    for column in table.columns:
        for rank, spelling in enumerate(_spellings(table, column)):
            hits = [i for i, n in enumerate(normalised) if n == spelling]
            if hits:
                ranked.append((rank, column.name, hits))
                break
    for _rank, name, hits in sorted(ranked, key=lambda r: r[0]):
        free = [i for i in hits if i not in used]
        if not free:
            continue
        if len(free) > 1:
            notes[name] = "two headers match: " + ", ".join(titles[i] for i in free)
            continue
        found[name] = free[0]
        used.add(free[0])
    return found, notes


def _choose_table(grid: Grid, titles: list[str]) -> tuple[Table | None, dict[str, int]]:
    scores = {t.name: len(_match(t, titles)[0]) for t in TABLES}
    best = max(scores.values(), default=0)
    if best < 2:
        return None, scores
    tied = [t for t in TABLES if scores[t.name] == best]
    if len(tied) > 1:
        hinted = [t for t in tied if any(w in grid.source for w in NAME_HINTS.get(t.name, ()))]
        if len(hinted) != 1:
            return None, scores
        tied = hinted
    return tied[0], scores


def propose(path: Path) -> str:
    """The commented mapping file for the export at ``path`` (a folder or a workbook)."""
    known = known_names()
    proposals: list[Proposal] = []
    for grid in scan(path):
        header = header_row(grid.head, known)
        found = body(grid, header)
        table, scores = _choose_table(grid, found.header)
        proposal = Proposal(grid, header, found, table, scores)
        if table is not None:
            proposal.columns, proposal.notes = _match(table, found.header)
        proposals.append(proposal)
    return _render(path, proposals)


# --- the TOML text --------------------------------------------------------------------


def _q(text: str) -> str:
    """A TOML basic string (JSON's escaping is TOML's for these characters)."""
    return json.dumps(text, ensure_ascii=False)


def _name_date(name: str) -> str | None:
    for digits in _DATE_IN_NAME.findall(name):
        try:
            date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        except ValueError:
            continue
        return digits
    return None


def _render(path: Path, proposals: list[Proposal]) -> str:
    out = [f"# Mapping file proposed by `reportgen map --ledger {path.name}`.",
           "# Check every line marked TODO (a TODO left in fails validation), then run:",
           f"#   reportgen validate --ledger {path.name} --mapping THIS_FILE",
           "# Format: docs/mapping.md.  Left out: a table or column read by its usual names.",
           ""]
    dated = _name_date(path.name) or next(
        (d for p in proposals if p.grid.file and (d := _name_date(p.grid.file))), None)
    out.append("[source]")
    if dated:
        out.append(f"date_from_name = '(?P<date>\\d{{8}})'  # found {dated} in the export's "
                   "names: the data date")
    else:
        out.append("# date_from_name = '(?P<date>\\d{8})'  # no date found in the names")
    out.append("")
    claimed: dict[str, Proposal] = {}
    for proposal in proposals:
        if proposal.table is None:
            continue
        other = claimed.get(proposal.table.name)
        if other is None or len(proposal.columns) > len(other.columns):
            claimed[proposal.table.name] = proposal
    files = [p.grid.file for p in proposals if p.grid.file is not None]
    for table in TABLES:  # in the order of ledger-format.md, then what was not placed
        if table.name in claimed:
            out += _table_text(claimed[table.name], table, files)
    for proposal in proposals:
        if proposal.table is None or claimed.get(proposal.table.name) is not proposal:
            out += _unplaced(proposal, claimed)
    for table in TABLES:  # no journal is needed beside a balances table (借据余额)
        if is_required(table, set(claimed)) and table.name not in claimed:
            out.append(f"# TODO: no file or sheet looks like the {table.name} table "
                       f"({table.sheet_alias}).")
    return "\n".join(out).rstrip("\n") + "\n"


def _unplaced(proposal: Proposal, claimed: dict[str, Proposal]) -> list[str]:
    titles = ", ".join(t for t in proposal.body.header if t) or "none"
    if proposal.table is not None:
        winner = claimed[proposal.table.name].grid.source
        why = (f"also looks like the {proposal.table.name} table, which {winner} fills "
               "better (two files for one table are an error)")
    else:
        scores = ", ".join(f"{k} {v}" for k, v in proposal.scores.items() if v)
        why = f"could not tell which table it holds (columns matched: {scores or 'none'})"
    return [f"# TODO: {proposal.grid.source}: {why}; header row {proposal.header}: {titles}",
            ""]


def _table_text(p: Proposal, table: Table, files: list[str]) -> list[str]:
    found = p.body
    out = _where(p, table, files)
    out += ["", f"[tables.{table.name}.columns]"]
    used = set(p.columns.values())
    for column in table.columns:
        if column.name in p.columns:
            title = found.header[p.columns[column.name]]
            out.append(f"{column.name} = {_q(title)}")
        elif column.required:
            note = p.notes.get(column.name, "no header matched")
            out.append(f'{column.name} = "{TODO}"  # required: {note}')
        else:
            note = p.notes.get(column.name, "optional, no header matched")
            out.append(f'# {column.name} = "{TODO}"  # {note}')
    unused = [t for i, t in enumerate(found.header) if t and i not in used]
    if unused:
        out.append(f"# headers not used: {', '.join(unused)}")
    usual = {normalise(n): c.name for c in table.columns if c.name in p.columns
             for n in (c.name, c.alias)}
    for title in unused:  # read by its usual name, it would be a second column for a field
        if (name := usual.get(normalise(title))) is not None:
            out.append(f"# TODO: header {title} is the usual name of {name} (mapped to "
                       f"{found.header[p.columns[name]]}): two columns for one field are an "
                       "error; drop it from the export or map it")
    out.append("")
    for column in table.columns:
        if (column.kind is Kind.ENUM or (table.name, column.name) in FLAGS) and (
                column.name in p.columns):
            out += _values_text(table, column, found, p.columns[column.name])
    return out


def _where(p: Proposal, table: Table, files: list[str]) -> list[str]:
    """A table's file or sheet, header row, footer rows and money unit."""
    grid, found = p.grid, p.body
    records = int(found.records.sum())
    out = [f"[tables.{table.name}]  # {grid.source}: {_rows(records)}"]
    if grid.file is not None:
        stamp = _name_date(grid.file)
        glob = grid.file.replace(stamp, "*") if stamp else grid.file
        if sum(fnmatch.fnmatchcase(f, glob) for f in files) > 1:
            glob = grid.file  # the glob would take another file of the export too
        out.append(f"file = {_q(glob)}")
    else:
        out.append(f"sheet = {_q(grid.sheet or '')}")
    titles = {1: "", 2: "  # row 1 above it is a title"}.get(
        p.header, f"  # rows 1–{p.header - 1} above it are titles")
    out.append(f"header_row = {p.header}{titles}")
    footers = int(found.footer.sum()) + found.short_footers
    if footers:
        words = ", ".join(_q(w) for w in found.footer_words)
        out.append(f"skip_first_cell = [{words}]  # {footers} footer row(s) found")
    money = [c for c in table.columns if c.kind is Kind.MONEY and c.name in p.columns]
    wan = [c.name for c in money if "万元" in found.header[p.columns[c.name]]]
    if money:
        unit = "wan" if wan and len(wan) == len(money) else "yuan"
        note = "  # the headers say 万元" if unit == "wan" else ""
        if wan and unit == "yuan":
            note = f"  # TODO: only {', '.join(wan)} say 万元: one unit per table"
        out.append(f'money_unit = "{unit}"{note}')
    return out


def _rows(n: int) -> str:
    return f"{n} row" if n == 1 else f"{n} rows"


def _values_text(table: Table, column: Column, found: Body, position: int) -> list[str]:
    counts = value_counts(found.columns[position], found.records)
    enum = value_enum(table.name, column)  # a flag column (核销标志): its spellings
    codes = {code.lower(): code for code, _ in enum} | {
        label.lower(): code for code, label in enum}
    allowed = ", ".join(code for code, _ in enum)
    shown = ", ".join(f"{_q(v)} {n}" for v, n in counts[:MAX_VALUES])
    more = f" … and {len(counts) - MAX_VALUES} more" if len(counts) > MAX_VALUES else ""
    out = [f"[values.{table.name}.{column.name}]  # column {found.header[position]}",
           f"# values (rows): {shown or 'none'}{more}"]
    certain = CERTAIN.get(column.name, {})
    hints = HINTS.get(column.name, {})
    for value, n in counts[:MAX_VALUES]:
        key = value.strip().lower()
        if key in codes:
            continue  # already a valid value
        if column.name == "industry" and _GBT_CODE.match(value.strip()):
            continue  # GB/T 4754 codes are read as their section letter (built in)
        if value in certain:
            out.append(f"{_q(value)} = {_q(certain[value])}  # {_rows(n)}")
            continue
        hint = hints.get(value.strip())
        why = f"usually {hint}; check your system's code table" if hint else f"one of {allowed}"
        out.append(f"{_q(value)} = \"{TODO}\"  # {_rows(n)}; {why}")
    if len(out) == 2:  # every value is valid as it is: no value map, only the list
        out[0] = f"# {out[0]}: every value is valid as it is"
    out.append("")
    return out
