"""Every word a report shows, in Chinese and English, from one catalogue.

Renderers never spell a label themselves: they ask ``Labels(lang)`` for it, so ``--lang
en`` changes every title, column header, period and month name at once, and a test can
check that no key lacks a translation.  Enum labels come from ``ledger/schema.py`` (the
Chinese is the ledger's own) with English added here.  Period names are derived from the
report type and its start date, not by parsing the period id.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime
from typing import TYPE_CHECKING

from reportgen.ledger import schema

if TYPE_CHECKING:
    from reportgen.model import DataWarning

LOG = logging.getLogger(__name__)

LANGS = ("zh", "en")
GRADE_PARAMS = frozenset({"grade", "expected"})  # warning parameters that hold a grade code

# key → (zh, en).  Keys are grouped by where they appear; "section.key" beats "key".
CATALOGUE: dict[str, tuple[str, str]] = {
    # report titles and period words
    "title.dekad": ("信贷业务旬报", "Credit Business Ten-day Report"),
    "title.monthly": ("信贷业务月报", "Credit Business Monthly Report"),
    "title.quarterly": ("信贷业务季报", "Credit Business Quarterly Report"),
    "title.yearly": ("信贷业务年报", "Credit Business Annual Report"),
    "title.halfyear": ("信贷业务半年报", "Credit Business Half-year Report"),
    "title.weekly": ("信贷业务周报", "Credit Business Weekly Report"),
    "title.custom": ("信贷业务区间报表", "Credit Business Report for a Custom Period"),
    "unit.yuan": ("元", "yuan"),
    "unit.wan": ("万元", "10,000 yuan"),
    "unit.yi": ("亿元", "100 million yuan"),
    "unit_note": ("单位：{unit}", "Unit: {unit}"),
    # section titles
    "section.analysis": ("文字分析", "Analysis"),
    "analysis.notes": ("存在问题与下步措施", "Issues and next steps"),
    "topic.scale": ("贷款规模", "Loan scale"),
    "topic.drivers": ("变动来源", "Drivers"),
    "topic.quality": ("资产质量", "Asset quality"),
    "topic.overdue": ("逾期贷款", "Overdue loans"),
    "topic.breaches": ("监管指标", "Regulatory limits"),
    "topic.maturity": ("到期贷款", "Maturities"),
    "topic.watchlist": ("风险客户", "Watchlist"),
    "topic.targets": ("任务完成", "Targets"),
    "topic.deposits": ("存款", "Deposits"),
    "topic.notes": ("存在问题与下步措施", "Issues and next steps"),
    "section.summary": ("贷款总量", "Loan totals"),
    "section.quality": ("五级分类", "Loan quality (five grades)"),
    "section.overdue": ("逾期贷款", "Overdue loans"),
    "section.structure": ("贷款结构", "Loan structure"),
    "section.concentration": ("客户集中度", "Customer concentration"),
    "section.inclusive": ("普惠型小微企业贷款", "Inclusive small and micro business loans"),
    "section.provision": ("贷款拨备", "Loan loss provisions"),
    "section.migration": ("迁徙率", "Migration rates"),
    "section.maturity": ("到期贷款", "Maturing loans"),
    "section.watchlist": ("风险客户", "Watchlist"),
    "section.account_managers": ("客户经理", "Account managers"),
    "section.trend": ("月末趋势", "Month-end trend"),
    "section.indicators": ("监管指标", "Regulatory indicators"),
    "section.cover": ("封面", "Cover"),
    "section.data_quality": ("数据质量", "Data quality"),
    "section.loans": ("借据明细", "Loan detail"),
    # sheet names (Excel allows 31 characters)
    "sheet.cover": ("封面", "Cover"),
    "sheet.analysis": ("文字分析", "Analysis"),
    "sheet.summary": ("总量", "Summary"),
    "sheet.quality": ("五级分类", "Quality"),
    "sheet.overdue": ("逾期", "Overdue"),
    "sheet.structure": ("结构", "Structure"),
    "sheet.concentration": ("集中度", "Concentration"),
    "sheet.inclusive": ("普惠", "Inclusive"),
    "sheet.provision": ("拨备", "Provision"),
    "sheet.migration": ("迁徙", "Migration"),
    "sheet.maturity": ("到期", "Maturity"),
    "sheet.watchlist": ("风险客户", "Watchlist"),
    "sheet.account_managers": ("客户经理", "Managers"),
    "sheet.trend": ("趋势", "Trend"),
    "sheet.indicators": ("监管指标", "Indicators"),
    "sheet.data_quality": ("数据质量", "Data quality"),
    "sheet.loans": ("借据明细", "Loans"),
    # sub-table titles
    "table.flows": ("本期发生额", "Flows in the period"),
    "table.averages": ("日均余额", "Daily averages"),
    "summary.avg_balance": ("贷款日均余额", "Loan daily average"),
    "table.flows_derived": ("本期发生额（由余额变动推算）",
                            "Flows in the period (derived from balance changes)"),
    "table.overdue_ratios": ("逾期指标", "Overdue ratios"),
    "table.top10": ("最大十家客户", "Ten largest customers"),
    "table.concentration_ratios": ("集中度指标", "Concentration figures"),
    "table.migration_rates": ("迁徙率", "Migration rates"),
    "table.migration_matrix": ("五级分类迁徙矩阵（期末余额）",
                               "Grade migration matrix (period-end balance)"),
    "table.due": ("本期到期", "Due in the period"),
    "table.upcoming": ("未来{days}天到期贷款", "Loans maturing in the next {days} days"),
    "table.watch_summary": ("风险客户概况", "Watchlist overview"),
    "table.watch_entries": ("风险客户明细", "Watchlist entries"),
    "table.targets": ("目标完成情况", "Targets"),
    "by.industry": ("按行业", "By industry"),
    "by.guarantee": ("按担保方式", "By guarantee"),
    "by.customer_type": ("按客户类型", "By customer type"),
    "by.enterprise_size": ("按企业规模（对公）", "By enterprise size (corporate)"),
    "by.term": ("按期限", "By term"),
    "by.amount_band": ("按合同金额", "By contract amount"),
    "by.branch": ("按机构", "By branch"),
    "by.account_manager": ("按客户经理", "By account manager"),
    "by.product": ("按产品", "By product"),
    "chart.quality_mix": ("五级分类构成", "Loan quality mix"),
    "chart.trend": ("贷款余额与不良贷款率", "Loan balance and NPL ratio"),
    # column headers
    "col.item": ("项目", "Item"),
    "col.value": ("数值", "Value"),
    "col.current": ("本期末", "Current"),
    "col.opening": ("上期末", "Previous"),
    "col.change_opening": ("比上期", "Change"),
    "col.year_start": ("年初", "Year start"),
    "col.change_year_start": ("比年初", "Since year start"),
    "col.last_year": ("同期", "Last year"),
    "col.change_last_year": ("同比", "Year on year"),
    "col.amount": ("金额", "Amount"),
    "col.count": ("笔数", "Count"),
    "col.dimension": ("维度", "Dimension"),
    "col.share": ("占比", "Share"),
    "col.rank": ("排名", "Rank"),
    "col.ratio_net_capital": ("占资本净额", "Of net capital"),
    "col.base": ("期初余额−期间减少", "Opening less reductions"),
    "col.moved": ("向下迁徙金额", "Migrated downwards"),
    "col.rate": ("迁徙率", "Rate"),
    "col.grade_from_to": ("期初＼期末", "Opening \\ end"),
    "col.cohort_opening": ("期初余额", "Opening balance"),
    "col.no": ("序号", "No."),
    "col.flag_new": ("新增", "New"),
    "col.flag_check": ("分类核查", "Grade check"),
    "col.metric": ("考核指标", "Target"),
    "col.period": ("考核期", "Period"),
    "col.target": ("目标", "Target"),
    "col.actual": ("完成", "Actual"),
    "col.completion": ("完成率", "Completion"),
    "col.time_progress": ("时间进度", "Time elapsed"),
    "col.progress": ("完成进度", "Progress"),
    "progress.on_pace": ("符合进度", "on pace"),
    "progress.behind": ("落后进度", "behind pace"),
    "progress.double_half": ("时间过半、任务过半（双过半）",
                             "half the time, half the target (on pace at mid-year)"),
    "col.month": ("月份", "Month"),
    "col.indicator": ("指标", "Indicator"),
    "col.limit": ("监管要求", "Limit"),
    "col.status": ("状态", "Status"),
    "col.warning": ("提示", "Warning"),
    "col.kind": ("类型", "Kind"),
    "col.date": ("日期", "Date"),
    # figures (row labels and column headers by model field name)
    "balance": ("贷款余额", "Loan balance"),
    "accounts": ("借据笔数", "Loans"),
    "customers": ("客户数", "Customers"),
    "balance_year_start": ("年初余额", "Balance at year start"),
    "change_year_start": ("比年初", "Since year start"),
    "disbursed": ("本期发放", "Disbursed"),
    "disbursed_count": ("发放笔数", "Disbursements"),
    "collected": ("本期收回", "Collected"),
    "written_off": ("本期核销", "Written off"),
    "interest_received": ("本期收息", "Interest received"),
    "recovered": ("核销后收回", "Recovered after write-off"),
    "npl": ("不良贷款", "Non-performing loans"),
    "npl_ratio": ("不良贷款率", "NPL ratio"),
    "quality.normal": ("正常类", "Normal"),
    "quality.special_mention": ("关注类", "Special mention"),
    "quality.substandard": ("次级类", "Substandard"),
    "quality.doubtful": ("可疑类", "Doubtful"),
    "quality.loss": ("损失类", "Loss"),
    "d1_30": ("逾期1-30天", "1-30 days overdue"),
    "d31_90": ("逾期31-90天", "31-90 days overdue"),
    "d91_180": ("逾期91-180天", "91-180 days overdue"),
    "d181_270": ("逾期181-270天", "181-270 days overdue"),
    "d271_360": ("逾期271-360天", "271-360 days overdue"),
    "d361_plus": ("逾期361天以上", "361+ days overdue"),
    "overdue.total": ("逾期贷款合计", "Total overdue"),
    "overdue.accounts": ("逾期笔数", "Overdue loans"),
    "over_90": ("逾期90天以上贷款", "Over 90 days overdue"),
    "over_90_to_npl": ("逾期90天以上贷款与不良贷款比例", "Over-90-day loans to NPL"),
    "par30": ("逾期30天以上贷款占比(PAR30)", "PAR30"),
    "par90": ("逾期90天以上贷款占比(PAR90)", "PAR90"),
    "customer_id": ("客户号", "Customer ID"),
    "customer_name": ("客户名称", "Customer"),
    "loan_id": ("借据号", "Loan ID"),
    "branch": ("机构", "Branch"),
    "account_manager": ("客户经理", "Account manager"),
    "product": ("产品", "Product"),
    "guarantee": ("担保方式", "Guarantee"),
    "industry": ("行业", "Industry"),
    "customer_type": ("客户类型", "Customer type"),
    "enterprise_size": ("企业规模（对公）", "Enterprise size (corporate)"),
    "term": ("期限", "Term"),
    "amount_band": ("合同金额", "Contract amount"),
    "contract_amount": ("合同金额（元）", "Contract amount (yuan)"),
    "start_date": ("发放日", "Start date"),
    "maturity_date": ("到期日", "Maturity date"),
    "rate": ("年利率（%）", "Rate (%)"),
    "loans.balance": ("余额（元）", "Balance (yuan)"),
    "grade": ("五级分类", "Grade"),
    "overdue_days": ("逾期天数", "Days overdue"),
    "top1_balance": ("最大单一客户贷款余额", "Largest customer balance"),
    "top10_balance": ("最大十家客户贷款余额", "Ten largest customers' balance"),
    "net_capital": ("资本净额", "Net capital"),
    "top1_ratio": ("单一客户贷款集中度", "Largest customer to net capital"),
    "top10_ratio": ("最大十家客户贷款集中度", "Ten largest customers to net capital"),
    "top_group_id": ("最大集团客户", "Largest group"),
    "top_group_balance": ("最大集团客户贷款余额", "Largest group balance"),
    "top_group_ratio": ("单一集团客户授信集中度", "Largest group to net capital"),
    "inclusive.balance": ("普惠型小微企业贷款余额", "Inclusive loan balance"),
    "inclusive.customers": ("户数", "Customers"),
    "inclusive.balance_year_start": ("年初余额", "Balance at year start"),
    "inclusive.customers_year_start": ("年初户数", "Customers at year start"),
    "growth_rate": ("较年初增速", "Growth since year start"),
    "total_growth_rate": ("各项贷款较年初增速", "All loans' growth since year start"),
    "inclusive.npl": ("不良贷款", "Non-performing loans"),
    "inclusive.npl_ratio": ("不良贷款率", "NPL ratio"),
    "inclusive.disbursed": ("本期发放", "Disbursed"),
    "new_loan_avg_rate": ("新发放贷款平均利率", "Average rate of new loans"),
    "provision": ("贷款损失准备", "Loan loss provision"),
    "coverage_ratio": ("拨备覆盖率", "Provision coverage ratio"),
    "provision_ratio": ("贷款拨备率", "Provision to loans ratio"),
    "migration.normal": ("正常类贷款迁徙率", "Normal loans migration"),
    "migration.special_mention": ("关注类贷款迁徙率", "Special-mention loans migration"),
    "migration.substandard": ("次级类贷款迁徙率", "Substandard loans migration"),
    "migration.doubtful": ("可疑类贷款迁徙率", "Doubtful loans migration"),
    "migration.performing": ("正常贷款迁徙率", "Performing loans migration"),
    "due_count": ("本期到期笔数", "Loans due"),
    "due_amount": ("本期到期金额", "Amount due"),
    "due_collected": ("到期收回金额", "Due amount collected"),
    "due_collection_rate": ("到期贷款收回率", "Collection rate of due loans"),
    "upcoming_count": ("未来{days}天到期笔数", "Loans due in the next {days} days"),
    "upcoming_balance": ("未来{days}天到期余额", "Balance due in the next {days} days"),
    "watchlist.count": ("风险贷款笔数", "Watchlist loans"),
    "watchlist.balance": ("风险贷款余额", "Watchlist balance"),
    "new_count": ("本期新增笔数", "New this period"),
    "grade_check_count": ("分类待核查笔数", "Grades to check"),
    "overdue_total": ("逾期贷款", "Overdue"),
    "trend.disbursed": ("当月发放", "Disbursed in month"),
    "trend.collected": ("当月收回", "Collected in month"),
    # values
    "null": ("—", "—"),
    "blank": ("（空白）", "(blank)"),
    "yes": ("是", "yes"),
    "none": ("无", "none"),
    "colon": ("：", ": "),
    "flag.new": ("新增", "new"),
    "flag.check": ("分类偏轻", "grade too mild"),
    "status.ok": ("达标", "within limit"),
    "status.breached": ("超限", "breached"),
    "status.legal_entity": ("法人层面指标", "legal-entity indicator"),
    "direction.max": ("≤ {limit}", "≤ {limit}"),
    "direction.min": ("≥ {limit}", "≥ {limit}"),
    "pp": ("{value}个百分点", "{value} pp"),
    "more_rows": ("另有 {count} 行见 Excel 文件", "{count} more rows in the Excel file"),
    "rows_cut": ("另有 {count} 行超出 Excel 工作表行数上限，未列出",
                 "{count} more rows exceed Excel's sheet row limit and are not listed"),
    "loans_split": ("借据明细共 {total} 行，分列于 {sheets} 个工作表",
                    "{total} loans, split over {sheets} sheets"),
    "excel.cut": ("…（超出 Excel 单元格 32,767 字的上限，已截断；原文 {count} 字）",
                  "… (cut at Excel's limit of 32,767 characters a cell; {count} in full)"),
    "no_warnings": ("无数据提示", "No warnings"),
    "warnings_shown": ("共 {count} 条提示，列出 {shown} 条",
                       "{count} warnings, {shown} listed"),
    "warnings_more": ("共 {count} 条提示，此处列出 {shown} 条；"
                      "Excel 文件的数据质量表列出 {listed} 条",
                      "{count} warnings, {shown} listed here; the Data quality sheet of the "
                      "Excel file lists {listed}"),
    # data-quality warnings (metrics/warnings.py): one sentence per kind
    "warning.no_state": ("借据 {loan_id} 在 {day} 未结清，但没有五级分类记录（按正常类、未逾期计）",
                         "loan {loan_id} is live on {day} but has no classification row "
                         "(treated as normal, not overdue)"),
    "warning.grade_too_mild": ("借据 {loan_id} 在 {day} 逾期 {overdue_days} 天，分类为{grade}，"
                               "应至少为{expected}",
                               "loan {loan_id} is {overdue_days} days overdue on {day} but "
                               "graded {grade}; at least {expected} expected"),
    "kind.no_state": ("无分类记录", "no classification"),
    "kind.grade_too_mild": ("分类偏轻", "grade too mild"),
    # cover, signatures, page footer
    "cover.bank": ("银行", "Bank"),
    "cover.branch": ("机构", "Branch"),
    "cover.manager": ("客户经理", "Account manager"),
    "cover.report": ("报表", "Report"),
    "cover.period": ("报表期间", "Period"),
    "cover.dates": ("统计区间", "Dates"),
    "cover.as_of": ("数据日期", "As of"),
    "cover.unit": ("金额单位", "Money unit"),
    "cover.generated_at": ("生成时间", "Generated at"),
    "cover.ledger_sha256": ("台账校验码（SHA-256）", "Ledger SHA-256"),
    "cover.version": ("程序版本", "Program version"),
    "cover.warnings": ("数据提示", "Data warnings"),
    "cover.warnings_count": ("{count} 条（见数据质量表）", "{count} (see Data quality)"),
    "cover.no_warnings": ("无", "none"),
    "cover.flows": ("发生额口径", "Flows"),
    "flows_derived": ("由余额变动推算", "derived from balance changes"),
    "cover.sheets": ("工作表", "Sheets"),
    "sign.preparer": ("制表人", "Prepared by"),
    "sign.reviewer": ("复核人", "Reviewed by"),
    "sign.approver": ("负责人", "Approved by"),
    "page.before": ("第 ", "Page "),
    "page.middle": (" 页 / 共 ", " of "),
    "page.after": (" 页", ""),
    "excel.footer": ("第 &P 页 / 共 &N 页", "Page &P of &N"),
}

ENUM_EN: dict[str, dict[str, str]] = {
    "customer_type": {"corporate": "Corporate", "individual_business": "Individual business",
                      "micro_owner": "Micro-enterprise owner", "individual": "Individual"},
    "enterprise_size": {"large": "Large", "medium": "Medium", "small": "Small",
                        "micro": "Micro"},
    "industry": {
        "A": "Agriculture, forestry, animal husbandry and fishery", "B": "Mining",
        "C": "Manufacturing", "D": "Electricity, heat, gas and water supply",
        "E": "Construction", "F": "Wholesale and retail trade",
        "G": "Transport, storage and postal services", "H": "Accommodation and catering",
        "I": "Information transmission, software and IT services", "J": "Finance",
        "K": "Real estate", "L": "Leasing and business services",
        "M": "Scientific research and technical services",
        "N": "Water, environment and public facilities management",
        "O": "Residential, repair and other services", "P": "Education",
        "Q": "Health and social work", "R": "Culture, sports and entertainment",
        "S": "Public administration, social security and social organisations",
        "T": "International organisations",
    },
    "guarantee": {"credit": "Unsecured", "guarantee": "Guaranteed", "mortgage": "Mortgage",
                  "pledge": "Pledge"},
    "grade": {"normal": "Normal", "special_mention": "Special mention",
              "substandard": "Substandard", "doubtful": "Doubtful", "loss": "Loss"},
    "metric": {"balance_increase": "Net balance increase", "disbursed": "Disbursed",
               "new_customers": "New customers"},
    "term": {"short": "Short term", "medium_long": "Medium and long term"},
    "amount_band": {"le_500k": "≤ 500,000", "le_5m": "500,000 – 5,000,000",
                    "le_10m": "5,000,000 – 10,000,000", "gt_10m": "> 10,000,000"},
}

ENUM_ZH: dict[str, dict[str, str]] = {
    "customer_type": dict(schema.CUSTOMER_TYPES),
    "enterprise_size": dict(schema.ENTERPRISE_SIZES),
    "industry": {code: f"{code} {name}" for code, name in schema.INDUSTRIES},
    "guarantee": dict(schema.GUARANTEES),
    "grade": dict(schema.GRADES),
    "metric": dict(schema.TARGET_METRICS),
    "term": {"short": "短期", "medium_long": "中长期"},
    "amount_band": {"le_500k": "50万元（含）以下", "le_5m": "50万-500万元（含）",
                    "le_10m": "500万-1000万元（含）", "gt_10m": "1000万元以上"},
}
ENUM_EN["industry"] = {code: f"{code} {name}" for code, name in ENUM_EN["industry"].items()}
ENUM_EN["industry"][schema.PERSONAL] = "Personal loans"
ENUM_ZH["industry"][schema.PERSONAL] = "个人贷款"
# deposits (assessment.md): the two target metrics and the kinds
ENUM_EN["metric"] |= {"deposit_balance_increase": "Net deposit increase",
                      "deposit_avg_increase": "Net daily-average deposit increase"}
ENUM_ZH["deposit_kind"] = dict(schema.DEPOSIT_KINDS)
ENUM_EN["deposit_kind"] = {"individual_demand": "Personal demand",
                           "individual_time": "Personal time",
                           "corporate_demand": "Corporate demand",
                           "corporate_time": "Corporate time", "margin": "Margin",
                           "other": "Other"}
CATALOGUE |= {
    "section.deposits": ("存款", "Deposits"),
    "sheet.deposits": ("存款", "Deposits"),
    "table.deposit_balances": ("存款时点余额", "Deposit balances"),
    "table.deposit_averages": ("存款日均余额", "Deposit daily averages"),
    "table.deposit_borrowers": ("有贷户与无贷户", "Depositors with and without loans"),
    "table.loan_to_deposit": ("存贷比", "Loan-to-deposit ratio"),
    "table.deposit_managers": ("客户经理存款", "Deposits by account manager"),
    "deposits.total": ("存款合计", "Total deposits"),
    "deposits.savings": ("储蓄存款", "Savings (personal)"),
    "deposits.individual_demand": ("其中：个人活期", "of which personal demand"),
    "deposits.individual_time": ("其中：个人定期", "of which personal time"),
    "deposits.corporate": ("对公存款", "Corporate deposits"),
    "deposits.corporate_demand": ("其中：单位活期", "of which corporate demand"),
    "deposits.corporate_time": ("其中：单位定期", "of which corporate time"),
    "deposits.margin": ("保证金存款", "Margin deposits"),
    "deposits.other": ("其他存款", "Other deposits"),
    "deposits.with_loans": ("有贷户", "Depositors with a live loan"),
    "deposits.without_loans": ("无贷户", "Other depositors"),
    "deposits.loan_balance": ("贷款余额", "Loan balance"),
    "deposits.deposit_balance": ("存款余额", "Deposit balance"),
    "deposits.loan_average": ("贷款日均余额", "Loan daily average"),
    "deposits.deposit_average": ("存款日均余额", "Deposit daily average"),
    "deposits.loan_to_deposit": ("存贷比（时点）", "Loan-to-deposit (period end)"),
    "deposits.loan_to_deposit_average": ("存贷比（日均）", "Loan-to-deposit (daily average)"),
    "deposits.base_date": ("新增日均基准日", "Base date of the new average"),
    "loan_to_deposit": ("存贷比", "Loan-to-deposit ratio"),
    "col.avg_period": ("本期日均", "Period average"),
    "col.avg_year_to_date": ("年日均（年初至今）", "Year-to-date average"),
    "col.avg_previous": ("上期日均", "Previous period average"),
    "col.avg_change": ("比上期", "Change"),
    "col.deposit_accounts": ("有余额账户数", "Accounts with a balance"),
    "col.deposit_balance": ("存款余额", "Deposit balance"),
    "col.deposit_average": ("本期日均", "Period average"),
    "col.weighted_average": ("折算日均", "Weighted average"),
    "col.new_average": ("新增日均", "New average"),
}

MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")
DEKADS = {"zh": ("上旬", "中旬", "下旬"), "en": ("Early", "Mid", "Late")}
QUARTERS_ZH = ("一", "二", "三", "四")


class Labels:
    """The catalogue in one language; ``labels("balance")`` → "贷款余额" or "Loan balance"."""

    def __init__(self, lang: str = "zh") -> None:
        if lang not in LANGS:
            raise ValueError(f"unknown language {lang!r}; choose from {', '.join(LANGS)}")
        self.lang = lang
        self._index = LANGS.index(lang)

    def __call__(self, key: str, /, **params: object) -> str:
        """The label for ``key``, with ``{name}`` placeholders filled from ``params``.

        A key missing from the catalogue is shown as itself (visible, never blank) and
        logged; ``tests/test_labels.py`` keeps every key the renderers use translated.
        """
        entry = CATALOGUE.get(key)
        if entry is None:
            LOG.warning("no label for %r", key)
            text = key
        else:
            text = entry[self._index]
        return text.format(**params) if params else text

    def field(self, section: str, key: str) -> str:
        """A figure's label, preferring the section's own wording ("quality.normal")."""
        scoped = f"{section}.{key}"
        return self(scoped if scoped in CATALOGUE else key)

    def has(self, key: str) -> bool:
        return key in CATALOGUE

    def enum(self, dimension: str, code: str) -> str:
        """The label of an enum code; ledger text (branch, product …) is shown as is."""
        if code == "":
            return self("blank")
        table = (ENUM_ZH if self.lang == "zh" else ENUM_EN).get(dimension)
        if table is None:
            return code
        return table.get(code, code)

    def warning(self, warning: DataWarning) -> str:
        """A data-quality warning as a sentence: 借据 L1 在 2026-10-31 逾期 95 天，分类为关注类，
        应至少为次级类 / loan L1 is 95 days overdue on 2026-10-31 but graded special_mention;
        at least substandard expected.

        Chinese names grades by their labels; English keeps the ledger's grade codes (what
        a user types in the ledger and searches for).
        """
        params = {name: (self.field("quality", str(value))
                         if name in GRADE_PARAMS and self.lang == "zh" else value)
                  for name, value in warning.params}
        if isinstance(params.get("overdue_days"), int):
            params["overdue_days"] = f"{params['overdue_days']:,}"
        return self(f"warning.{warning.kind}", loan_id=warning.loan_id,
                    day=warning.day.isoformat(), **params)

    def section(self, name: str) -> str:
        return self(f"section.{name}")

    def unit(self, unit: str) -> str:
        return self(f"unit.{unit}")

    def report_title(self, report: str) -> str:
        return self(f"title.{report}")

    def month_name(self, month: int) -> str:
        """10 → "10月" / "October"."""
        return f"{month}月" if self.lang == "zh" else MONTHS_EN[month - 1]

    def month(self, year: int, month: int) -> str:
        """2026, 10 → "2026年10月" / "October 2026"."""
        if self.lang == "zh":
            return f"{year}年{month}月"
        return f"{MONTHS_EN[month - 1]} {year}"

    def month_id(self, month_id: str) -> str:
        """A trend point's month "2026-07" → "2026年7月" / "July 2026"."""
        year, month = month_id.split("-")
        return self.month(int(year), int(month))

    def period_name(self, report: str, start: date, end: date | None = None) -> str:
        """The period a report covers, named from its type and first day (and last day,
        which only a custom window needs).

        2026年10月中旬 · 2026年10月 · 2026年第三季度 · 2026年度 · 2026年上半年 ·
        2026年第45周 · 2026年10月5日至10月18日 (zh); Mid October 2026 · October 2026 ·
        Q3 2026 · Year 2026 · H1 2026 · Week 45 of 2026 · 5 October 2026 to 18 October
        2026 (en).
        """
        year, month = start.year, start.month
        if report in ("halfyear", "weekly", "custom"):
            return self._assessment_period(report, start, end)
        if report == "dekad":
            part = DEKADS[self.lang][min((start.day - 1) // 10, 2)]
            if self.lang == "zh":
                return f"{year}年{month}月{part}"
            return f"{part} {MONTHS_EN[month - 1]} {year}"
        if report == "monthly":
            return self.month(year, month)
        if report == "quarterly":
            quarter = (month - 1) // 3 + 1
            if self.lang == "zh":
                return f"{year}年第{QUARTERS_ZH[quarter - 1]}季度"
            return f"Q{quarter} {year}"
        if report == "yearly":
            return f"{year}年度" if self.lang == "zh" else f"Year {year}"
        raise ValueError(f"unknown report type {report!r}")

    def _assessment_period(self, report: str, start: date, end: date | None) -> str:
        zh = self.lang == "zh"
        if report == "halfyear":
            half = 1 if start.month <= 6 else 2
            return f"{start.year}年{'上下'[half - 1]}半年" if zh else f"H{half} {start.year}"
        if report == "weekly":
            year, week, _ = start.isocalendar()  # the ISO year: W01 may start in December
            return f"{year}年第{week}周" if zh else f"Week {week} of {year}"
        last = end or start
        if zh:
            tail = (f"{last.month}月{last.day}日" if last.year == start.year
                    else f"{last.year}年{last.month}月{last.day}日")
            return f"{start.year}年{start.month}月{start.day}日至{tail}"
        return (f"{start.day} {MONTHS_EN[start.month - 1]} {start.year} to "
                f"{last.day} {MONTHS_EN[last.month - 1]} {last.year}")

    def period_id_name(self, period_id: str) -> str:
        """A period id as words: "2026-Q4" → "2026年第四季度"; anything else as is."""
        half = re.fullmatch(r"(\d{4})-H([12])", period_id)
        if half is not None:
            return self.period_name("halfyear", date(int(half[1]), 6 * int(half[2]) - 5, 1))
        match = re.fullmatch(r"(\d{4})(?:-Q([1-4])|-(\d{2})(?:-D([1-3]))?)?", period_id)
        if match is None:
            return period_id
        year, quarter, month, dekad = match.groups()
        if quarter:
            return self.period_name("quarterly", date(int(year), 3 * int(quarter) - 2, 1))
        if dekad:
            return self.period_name("dekad", date(int(year), int(month),
                                                  10 * int(dekad) - 9))
        if month:
            return self.period_name("monthly", date(int(year), int(month), 1))
        return self.period_name("yearly", date(int(year), 1, 1))

    def date_range(self, start: date, end: date) -> str:
        sep = "至" if self.lang == "zh" else " to "
        return f"{start.isoformat()}{sep}{end.isoformat()}"

    def timestamp(self, moment: datetime) -> str:
        return moment.strftime("%Y-%m-%d %H:%M:%S")
