"""The ledger's tables, columns, Chinese aliases and enums: the input contract as data.

Everything that knows a column name or an enum label reads it from here, so the loader,
the validator, the sample generator and the docs test cannot drift apart.  Enum codes are
small integers in the order listed (the order reports show them in).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    """How a column's text is parsed."""

    TEXT = "text"
    MONEY = "money"  # exact integer fen
    DATE = "date"  # int32 days since 1970-01-01
    ENUM = "enum"  # int8 code, -1 for blank where allowed
    DECIMAL = "decimal"  # exact integer in millionths (rates, targets)
    PERIOD = "period"  # a period id, kept as text


@dataclass(frozen=True)
class Column:
    name: str
    alias: str
    kind: Kind
    required: bool = True  # a blank value is an error
    enum: tuple[tuple[str, str], ...] = ()  # (code, Chinese label) in display order
    money_form: bool = False  # a DECIMAL written like money: ¥ and thousands separators
    # A key whose equal values come in runs (an account's id on each of its balance rows):
    # trimmed and joined run by run, and read from Parquet as its dictionary.
    runs: bool = False


@dataclass(frozen=True)
class Table:
    name: str  # file stem: customers → customers.csv
    sheet_alias: str  # Chinese sheet name
    required: bool
    columns: tuple[Column, ...]
    # Tens of millions of rows no report shows (the deposit balances, daily): the file's
    # lines are counted only when a problem names a row, and a typed Parquet file's date32
    # dates and integer or decimal (≤ 2 places) amounts are kept, not read as text.
    bulk: bool = False

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


CUSTOMER_TYPES = (
    ("corporate", "对公"),
    ("individual_business", "个体工商户"),
    ("micro_owner", "小微企业主"),
    ("individual", "个人"),
)
ENTERPRISE_SIZES = (("large", "大型"), ("medium", "中型"), ("small", "小型"), ("micro", "微型"))
INDUSTRY_LETTERS = tuple("ABCDEFGHIJKLMNOPQRST")
INDUSTRIES = (
    ("A", "农、林、牧、渔业"),
    ("B", "采矿业"),
    ("C", "制造业"),
    ("D", "电力、热力、燃气及水生产和供应业"),
    ("E", "建筑业"),
    ("F", "批发和零售业"),
    ("G", "交通运输、仓储和邮政业"),
    ("H", "住宿和餐饮业"),
    ("I", "信息传输、软件和信息技术服务业"),
    ("J", "金融业"),
    ("K", "房地产业"),
    ("L", "租赁和商务服务业"),
    ("M", "科学研究和技术服务业"),
    ("N", "水利、环境和公共设施管理业"),
    ("O", "居民服务、修理和其他服务业"),
    ("P", "教育"),
    ("Q", "卫生和社会工作"),
    ("R", "文化、体育和娱乐业"),
    ("S", "公共管理、社会保障和社会组织"),
    ("T", "国际组织"),
)
PERSONAL = "personal"  # the industry key of individuals' loans without an industry
GUARANTEES = (("credit", "信用"), ("guarantee", "保证"), ("mortgage", "抵押"), ("pledge", "质押"))
TX_TYPES = (
    ("disburse", "发放"),
    ("repay", "收回"),
    ("writeoff", "核销"),
    ("interest", "收息"),
    ("recovery", "核销后收回"),
)
GRADES = (
    ("normal", "正常"),
    ("special_mention", "关注"),
    ("substandard", "次级"),
    ("doubtful", "可疑"),
    ("loss", "损失"),
)
BANK_ITEMS = (("provision", "贷款损失准备"), ("net_capital", "资本净额"))
TARGET_METRICS = (
    ("balance_increase", "余额净增"),
    ("disbursed", "发放额"),
    ("new_customers", "新增客户"),
    ("deposit_balance_increase", "存款净增"),
    ("deposit_avg_increase", "日均净增"),
)
DEPOSIT_KINDS = (
    ("individual_demand", "个人活期"),
    ("individual_time", "个人定期"),
    ("corporate_demand", "单位活期"),
    ("corporate_time", "单位定期"),
    ("margin", "保证金"),
    ("other", "其他"),
)


def codes(enum: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    """The English codes of an enum, in code order."""
    return tuple(code for code, _ in enum)


# Integer codes used by the engine (index into the enum tuples above).
GRADE_CODES = codes(GRADES)
NORMAL, SPECIAL_MENTION, SUBSTANDARD, DOUBTFUL, LOSS = range(5)
DISBURSE, REPAY, WRITEOFF, INTEREST, RECOVERY = range(5)
CORPORATE, INDIVIDUAL_BUSINESS, MICRO_OWNER, INDIVIDUAL = range(4)
LARGE, MEDIUM, SMALL, MICRO = range(4)
PROVISION, NET_CAPITAL = range(2)


CUSTOMERS = Table(
    "customers",
    "客户信息",
    True,
    (
        Column("customer_id", "客户号", Kind.TEXT),
        Column("customer_name", "客户名称", Kind.TEXT),
        Column("customer_type", "客户类型", Kind.ENUM, enum=CUSTOMER_TYPES),
        Column("enterprise_size", "企业规模", Kind.ENUM, required=False, enum=ENTERPRISE_SIZES),
        Column("industry", "行业", Kind.ENUM, required=False, enum=INDUSTRIES),  # blank: individual
        Column("credit_line", "授信额度", Kind.MONEY, required=False),
        Column("group_id", "集团编号", Kind.TEXT, required=False),
        Column("id_number", "证件号码", Kind.TEXT, required=False),
    ),
)
LOANS = Table(
    "loans",
    "借据台账",
    True,
    (
        Column("loan_id", "借据号", Kind.TEXT),
        Column("customer_id", "客户号", Kind.TEXT),
        Column("branch", "机构", Kind.TEXT),
        Column("account_manager", "客户经理", Kind.TEXT),
        Column("product", "产品", Kind.TEXT, required=False),
        Column("guarantee", "担保方式", Kind.ENUM, enum=GUARANTEES),
        Column("contract_amount", "合同金额", Kind.MONEY),
        Column("start_date", "发放日", Kind.DATE),
        Column("maturity_date", "到期日", Kind.DATE),
        Column("rate", "年利率", Kind.DECIMAL),
        # Optional (mapping.md): the branch's code and the manager's name beside the id.
        Column("branch_id", "机构号", Kind.TEXT, required=False),
        Column("account_manager_name", "客户经理姓名", Kind.TEXT, required=False),
    ),
)
TRANSACTIONS = Table(
    "transactions",
    "贷款流水",
    True,
    (
        Column("loan_id", "借据号", Kind.TEXT),
        Column("date", "日期", Kind.DATE),
        Column("type", "类型", Kind.ENUM, enum=TX_TYPES),
        Column("amount", "金额", Kind.MONEY),
    ),
)
CLASSIFICATIONS = Table(
    "classifications",
    "风险分类",
    True,
    (
        Column("loan_id", "借据号", Kind.TEXT),
        Column("date", "日期", Kind.DATE),
        Column("grade", "五级分类", Kind.ENUM, enum=GRADES),
        Column("overdue_since", "逾期起始日", Kind.DATE, required=False),
    ),
)
BANK_FIGURES = Table(
    "bank_figures",
    "机构指标",
    False,
    (
        Column("date", "日期", Kind.DATE),
        Column("item", "项目", Kind.ENUM, enum=BANK_ITEMS),
        Column("amount", "金额", Kind.MONEY),
        Column("branch_id", "机构号", Kind.TEXT, required=False),  # a branch's own figure
        Column("branch", "机构", Kind.TEXT, required=False),
    ),
)
TARGETS = Table(
    "targets",
    "考核目标",
    False,
    (
        Column("account_manager", "客户经理", Kind.TEXT),
        Column("period", "期间", Kind.PERIOD),
        Column("metric", "指标", Kind.ENUM, enum=TARGET_METRICS),
        Column("target", "目标值", Kind.DECIMAL, money_form=True),
    ),
)

DEPOSIT_ACCOUNTS = Table(
    "deposit_accounts",
    "存款账户",
    False,
    (
        Column("account_id", "账号", Kind.TEXT),
        Column("customer_id", "客户号", Kind.TEXT, required=False),
        Column("branch", "机构", Kind.TEXT),
        Column("account_manager", "客户经理", Kind.TEXT),
        Column("kind", "存款种类", Kind.ENUM, enum=DEPOSIT_KINDS),
        # Optional, as in loans: the branch's code beside its name (a scope may name either).
        Column("branch_id", "机构号", Kind.TEXT, required=False),
    ),
)
DEPOSIT_BALANCES = Table(
    "deposit_balances",
    "存款余额",
    False,
    (
        Column("account_id", "账号", Kind.TEXT, runs=True),
        Column("date", "日期", Kind.DATE),
        Column("balance", "余额", Kind.MONEY),
    ),
    bulk=True,
)

BALANCES = Table(
    "balances",
    "借据余额",
    False,  # a snapshot ledger gives it instead of transactions and classifications
    (
        Column("loan_id", "借据号", Kind.TEXT),
        Column("date", "数据日期", Kind.DATE),
        Column("balance", "贷款余额", Kind.MONEY),
        Column("grade", "五级分类", Kind.ENUM, enum=GRADES),
        Column("overdue_days", "逾期天数", Kind.DECIMAL),  # a whole number, checked on load
        Column("written_off", "核销标志", Kind.TEXT, required=False),  # a bool, read on load
    ),
)

TABLES: tuple[Table, ...] = (CUSTOMERS, LOANS, TRANSACTIONS, CLASSIFICATIONS, BANK_FIGURES,
                             TARGETS, BALANCES)
TABLES += (DEPOSIT_ACCOUNTS, DEPOSIT_BALANCES)  # optional: deposits (assessment.md)
JOURNAL_TABLES = ("transactions", "classifications")  # what ``balances`` replaces


def is_required(table: Table, present: set[str]) -> bool:
    """Whether a ledger with the tables ``present`` must also have ``table``: the journal
    tables are not needed when a snapshot table (``balances``) stands in for them."""
    if table.name in JOURNAL_TABLES and BALANCES.name in present:
        return False
    return table.required
