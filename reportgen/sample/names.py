"""Made-up Chinese names and identity numbers for the sample ledger, built on whole arrays.

A demo that shows "客户 000123" teaches a bank nothing; one that shows 临江市恒达机械制造有限公司,
王记五金店 and 张伟 looks like their own ledger.  Every name is assembled from the word lists
below with pyarrow string kernels, so 600,000 customers take well under a second.  Identity
numbers carry a valid check character but the fictitious region code 99xxxx, so no made-up
number can ever be a real person's or company's.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from reportgen.sample.arrays import BoolArray, IntArray, choose, uniform_int

BANK_NAME = "示例农村商业银行"
CITY = "临江市"

SURNAMES = tuple(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于"
    "杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶"
)
# Frequency falls with rank, roughly as in the population (王 and 李 are each ~7 %).
_SURNAME_WEIGHTS = 1.0 / (np.arange(len(SURNAMES)) + 4.0)
_MALE = "伟强磊军洋勇杰涛明超刚建国文辉力鹏飞斌宇浩凯俊峰海波亮林志永成德忠兴福博帅健龙胜利金"
_FEMALE = "芳娜敏静丽艳娟秀霞平桂英华玉兰萍红春梅琴云莉燕晨雪婷欣佳倩荣丹玲慧颖凤"
GIVEN = tuple(_MALE + _FEMALE)
_GENDER_FIRST = np.array([0, len(_MALE)])
_GENDER_SIZE = np.array([len(_MALE), len(_FEMALE)])

FIXED_BRANCHES = ("城东支行", "城西支行", "城南支行", "城北支行", "开发区支行")
_PLACE_A = tuple("青白石黄龙凤桃柳清长安新永太和双马东西南北")
_PLACE_B = tuple("山河湖桥溪塘岭湾坪口庄集店铺港屯")
_DISTRICTS = ("城东区", "城西区", "江北区", "开发区", "高新区")
_PREFIXES = (CITY, "临江", "青阳县", "白石县", "东湖")
_PREFIX_WEIGHTS = (0.55, 0.15, 0.1, 0.1, 0.1)
_BRAND = tuple("恒达鑫隆华盛泰丰源宏瑞祥兴旺通利安佳德信汇金诚润嘉荣昌富益康永顺宇海天广新明辉博")

# Per GB/T 4754 section letter: what a company in it calls itself, and what a shop sells.
_TRADE = {
    "A": ("农业发展", "生态农业", "养殖", "种植", "农产品"),
    "B": ("矿业", "石材开采"),
    "C": ("机械制造", "纺织", "食品加工", "塑料制品", "电子科技", "新型建材", "家具制造", "化工"),
    "D": ("能源", "水务", "新能源科技"),
    "E": ("建筑工程", "建设", "装饰工程", "路桥工程"),
    "F": ("商贸", "贸易", "物资", "农资", "医药连锁"),
    "G": ("物流", "运输", "仓储"),
    "H": ("酒店管理", "餐饮管理"),
    "I": ("网络科技", "信息技术"),
    "J": ("投资管理",),
    "K": ("房地产开发", "置业"),
    "L": ("商务咨询", "设备租赁", "人力资源"),
    "M": ("技术服务", "检测技术"),
    "N": ("环保科技", "园林绿化"),
    "O": ("家政服务", "汽车服务"),
    "P": ("教育咨询", "职业培训"),
    "Q": ("医疗管理", "康养"),
    "R": ("文化传媒", "旅游开发"),
    "S": ("社会服务",),
    "T": ("国际合作",),
}
_SHOP = {
    "A": ("家庭农场", "养殖场", "种植场", "果园"),
    "C": ("粮油加工坊", "木器加工厂", "豆制品作坊"),
    "E": ("装修部", "建材加工部"),
    "F": ("五金店", "百货商店", "建材经营部", "水产经营部", "副食店", "农资店", "服装店"),
    "G": ("货运部", "搬家服务部"),
    "H": ("饭店", "小吃店", "农家乐", "宾馆"),
    "O": ("汽车修理部", "理发店", "家电维修部", "洗车行"),
    "R": ("文体用品店", "茶馆"),
}
_DEFAULT_SHOP = ("商行", "经营部", "服务部")
_SUFFIXES = ("有限公司", "有限责任公司", "股份有限公司")
_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
_ID_CHECK = np.array([1, 0, 10, 9, 8, 7, 6, 5, 4, 3, 2])  # "10X98765432" as indices of 0-9X
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = np.array([pow(3, i, 31) for i in range(17)])
_ORG_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2])


def pick(words: tuple[str, ...], idx: IntArray) -> pa.Array:
    """The words at the given indices, as a pyarrow string array."""
    return pc.take(pa.array(words, pa.string()), pa.array(idx))


def join(*parts: pa.Array) -> pa.Array:
    """Element-wise concatenation of string arrays."""
    return pc.binary_join_element_wise(*parts, "")


def _given(rng: np.random.Generator, gender: IntArray) -> IntArray:
    """Index into GIVEN of a character that suits each row's gender (0 male, 1 female)."""
    return _GENDER_FIRST[gender] + np.floor(rng.random(gender.size)
                                            * _GENDER_SIZE[gender]).astype(np.int64)


def person_names(rng: np.random.Generator, n: int) -> pa.Array:
    """Names like 张伟 or 李晓燕 (surname + one or two given characters of one gender)."""
    surname = choose(rng, _SURNAME_WEIGHTS, n)
    gender = rng.integers(2, size=n)
    first, second = _given(rng, gender), _given(rng, gender)
    given2 = pc.if_else(pa.array(rng.random(n) < 0.7), pick(GIVEN, second), pa.scalar(""))
    return join(pick(SURNAMES, surname), pick(GIVEN, first), given2)


def unique_person_names(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` distinct three-character names (account managers are told apart by name)."""
    pairs = int((_GENDER_SIZE**2).sum())
    code = rng.choice(len(SURNAMES) * pairs, size=n, replace=False)
    surname, pair = np.divmod(code, pairs)
    female = pair >= _GENDER_SIZE[0] ** 2
    pair = np.where(female, pair - _GENDER_SIZE[0] ** 2, pair)
    size = _GENDER_SIZE[female.astype(np.int64)]
    first, second = np.divmod(pair, size)
    offset = _GENDER_FIRST[female.astype(np.int64)]
    return join(pick(SURNAMES, surname), pick(GIVEN, offset + first),
                pick(GIVEN, offset + second)).to_pylist()


def branch_names(rng: np.random.Generator, n: int) -> list[str]:
    """城东支行, 城西支行, … then town branches like 青山支行 when a bank has more."""
    extra = max(0, n - len(FIXED_BRANCHES))
    code = rng.choice(len(_PLACE_A) * len(_PLACE_B), size=extra, replace=False)
    a, b = np.divmod(code, len(_PLACE_B))
    towns = [f"{_PLACE_A[i]}{_PLACE_B[j]}支行" for i, j in zip(a, b, strict=True)]
    return [*FIXED_BRANCHES, *towns][:n]


def _by_industry(rng: np.random.Generator, industry: IntArray,
                 table: dict[str, tuple[str, ...]], default: tuple[str, ...]) -> pa.Array:
    """One word per row from the list for its industry letter (few letters: a short loop)."""
    out = np.empty(industry.size, dtype=object)
    for letter_idx in np.unique(industry):
        rows = np.flatnonzero(industry == letter_idx)
        words = table.get(chr(ord("A") + int(letter_idx)), default)
        out[rows] = np.asarray(words, dtype=object)[rng.integers(len(words), size=rows.size)]
    return pa.array(out, pa.string())


def company_names(rng: np.random.Generator, industry: IntArray, brand: IntArray,
                  large: BoolArray) -> pa.Array:
    """Names like 临江市恒达机械制造有限公司; rows sharing ``brand`` read as one group's members."""
    n = industry.size
    prefix = pick(_PREFIXES, choose(rng, list(_PREFIX_WEIGHTS), n))
    b1, b2 = np.divmod(brand, len(_BRAND) - 1)
    brand_text = join(pick(_BRAND, b1), pick(_BRAND, (b1 + 1 + b2) % len(_BRAND)))
    suffix = np.where(rng.random(n) < 0.8, 0, 1)
    suffix = np.where(large & (rng.random(n) < 0.5), 2, suffix)
    suffix_text = pick(_SUFFIXES, suffix)
    coop = (industry == 0) & (rng.random(n) < 0.3)
    suffix_text = pc.if_else(pa.array(coop), pa.scalar("专业合作社"), suffix_text)
    return join(prefix, brand_text, _by_industry(rng, industry, _TRADE, ("实业",)), suffix_text)


def brand_count() -> int:
    """How many distinct two-character brands ``company_names`` can make."""
    return len(_BRAND) * (len(_BRAND) - 1)


def shop_names(rng: np.random.Generator, industry: IntArray) -> pa.Array:
    """Individual businesses: 王记五金店, or 临江市城东区李兵百货商店 as registered."""
    n = industry.size
    shop = _by_industry(rng, industry, _SHOP, _DEFAULT_SHOP)
    short = join(pick(SURNAMES, choose(rng, _SURNAME_WEIGHTS, n)), pa.scalar("记"), shop)
    district = pick(_DISTRICTS, rng.integers(len(_DISTRICTS), size=n))
    full = join(pa.scalar(CITY), district, person_names(rng, n), shop)
    return pc.if_else(pa.array(rng.random(n) < 0.5), short, full)


def _digits_text(codes: IntArray, alphabet: str) -> pa.Array:
    """Rows of indices into an ASCII ``alphabet`` → one string per row."""
    table = np.frombuffer(alphabet.encode(), dtype=np.uint8)
    chars = np.ascontiguousarray(table[codes])
    width = codes.shape[1]
    return pa.array(chars.view(f"S{width}").ravel(), pa.binary()).cast(pa.string())


def person_id_numbers(rng: np.random.Generator, n: int, first_birth: int,
                      last_birth: int) -> pa.Array:
    """18-character resident ID numbers (GB 11643) with region 99xxxx and a valid check digit."""
    birth = uniform_int(rng, first_birth, last_birth, n).astype("datetime64[D]")
    year = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    month = birth.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (birth - birth.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    yyyymmdd = year * 10000 + month * 100 + day
    digits = np.zeros((n, 18), dtype=np.int64)
    digits[:, 0:2] = 9
    digits[:, 2:6] = rng.integers(10, size=(n, 4))
    digits[:, 6:14] = yyyymmdd[:, None] // 10 ** np.arange(7, -1, -1) % 10
    digits[:, 14:17] = rng.integers(10, size=(n, 3))
    digits[:, 17] = _ID_CHECK[(digits[:, :17] @ _ID_WEIGHTS) % 11]
    return _digits_text(digits, "0123456789X")


def credit_codes(rng: np.random.Generator, n: int) -> pa.Array:
    """Unified social credit codes (GB 32100): 91 + region 99xxxx + org code + check."""
    codes = np.zeros((n, 18), dtype=np.int64)
    codes[:, 0] = 9
    codes[:, 1] = 1
    codes[:, 2:4] = 9
    codes[:, 4:8] = rng.integers(10, size=(n, 4))
    codes[:, 8:16] = rng.integers(10, size=(n, 8))
    org = (11 - (codes[:, 8:16] @ _ORG_WEIGHTS) % 11) % 11  # 10 → X (value 28 in the alphabet)
    codes[:, 16] = np.where(org == 10, _USCC_CHARS.index("X"), org)
    codes[:, 17] = (31 - (codes[:, :17] @ _USCC_WEIGHTS) % 31) % 31
    return _digits_text(codes, _USCC_CHARS)
