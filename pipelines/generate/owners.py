"""Owner names for unit-owned vehicles, built so the owner-category rules have work to do.

In-scope units (official, sanitation, postal) appear both under their exact names from
`owner_units.csv` and under variants that only `owner_patterns.csv` catches; the many other
companies are checked against those patterns so that none is misclassified by accident.
"""

from __future__ import annotations

import re

import numpy as np
import polars as pl

from pipelines.generate.codes import CodeTables

PRIVATE = "个人"
TRADE_NAMES = (
    "恒远 金港 华通 鑫达 宏运 永盛 新海 天成 浩宇 瑞丰 锦程 港城 娄城 弇山 郑和 东方 长江 中德 "
    "德源 盛泰 佳诚 亿通 顺达 嘉禾 华瑞 明珠 新港 兴达 通力 荣盛 凯达 欣悦 远航 江海 沪太 飞马 "
    "金鹰 博远 正和 同创 立信 合力 聚源 安泰 恒丰 美达 富康 华信 振华 宏达 鸿运 丰源 百盛 天和 "
    "利民 金诚 汇通 新宇 协力"
).split()
INDUSTRIES = (
    "物流 运输 汽车租赁 机械制造 精密机械 建设工程 建材 贸易 电子科技 纺织 化纤 食品 包装材料 模具 "
    "汽车零部件 港口物流 仓储 新材料 医药 装饰工程 房地产开发 物业管理 餐饮管理 客运 旅游客运"
).split()
DRIVING_SCHOOLS = tuple(f"太仓市{t}机动车驾驶员培训有限公司" for t in TRADE_NAMES[20:25])
COMPANY_FORMS = ("太仓市{t}{i}有限公司", "苏州{t}{i}有限公司", "{t}(太仓){i}有限公司")
OFFICIAL_VARIANTS = (
    "太仓市教育局",
    "太仓市财政局",
    "太仓市住房和城乡建设局",
    "太仓市市场监督管理局",
    "太仓市水务局",
    "太仓市民政局",
    "太仓市农业农村局",
    "太仓市应急管理局",
    "太仓市人民法院",
    "太仓市人民检察院",
    "太仓市卫生健康委员会",
    "太仓市发展和改革委员会",
)
SANITATION_VARIANTS = ("太仓市{t}环卫服务有限公司", "太仓市{t}保洁服务有限公司")
POSTAL_VARIANTS = (
    "中国邮政集团有限公司江苏省太仓市{town}营业部",
    "江苏省邮政速递物流有限公司太仓市分公司",
    "中国邮政集团有限公司太仓市{town}邮政支局",
)


def owner_category(name: str, tables: CodeTables) -> str:
    """The category rule of docs/reference.md, used here to keep 'other' names honest."""
    for category, units in tables.owner_units.items():
        if name in units:
            return category
    for pattern, category in tables.owner_patterns:
        if re.search(pattern, name):
            return category
    return "other"


def unit_pool(category: str, tables: CodeTables) -> tuple[list[str], np.ndarray]:
    """Names of one in-scope category and their draw weights (exact names drawn most)."""
    exact = list(tables.owner_units.get(category, ()))
    towns = [t.label_zh for t in tables.towns if t.label_zh.endswith("镇")]
    if category == "official":
        variants = [f"太仓市{town}人民政府" for town in towns] + list(OFFICIAL_VARIANTS)
    elif category == "sanitation":
        variants = [f.format(t=t) for f in SANITATION_VARIANTS for t in TRADE_NAMES[:3]]
        variants += [f"太仓市{town}环境卫生管理所" for town in towns[:3]]
    else:
        variants = sorted({f.format(town=town) for f in POSTAL_VARIANTS for town in towns})
    weights = np.array([6.0] * len(exact) + [1.0] * len(variants))
    return exact + variants, weights / weights.sum()


def other_companies(tables: CodeTables, count: int) -> list[str]:
    """`count` distinct company names that match no owner pattern (category 'other')."""
    names = [
        form.format(t=t, i=i) for i in INDUSTRIES for t in TRADE_NAMES for form in COMPANY_FORMS
    ]
    names = [n for n in names if owner_category(n, tables) == "other"]
    order = np.random.default_rng(7).permutation(len(names))  # fixed, seed-independent pool
    return [names[i] for i in order[: min(count, len(names))]]


def zipf_weights(n: int, exponent: float = 1.1) -> np.ndarray:
    """A few large fleets (rental, logistics) and a long tail of small ones."""
    weights = 1.0 / np.arange(1, n + 1) ** exponent
    return weights / weights.sum()


class OwnerPools:
    """Owner names as one polars Series; segments draw indices into it."""

    def __init__(self, tables: CodeTables, scale: float):
        companies = other_companies(tables, max(300, round(2500 * scale)))
        self.names: list[str] = [PRIVATE, *companies, *DRIVING_SCHOOLS]
        self.ranges = {
            "company": (1, len(companies), zipf_weights(len(companies))),
            "driving_school": (1 + len(companies), len(DRIVING_SCHOOLS), None),
        }
        police = [u for u in tables.owner_units.get("official", ()) if "公安局" in u][:1]
        for category in ("official", "sanitation", "postal"):
            names, weights = unit_pool(category, tables)
            self.ranges[category] = (len(self.names), len(names), weights)
            self.names += names
        self.ranges["police"] = (len(self.names), 1, None)
        self.names += police or ["太仓市公安局"]
        self.series = pl.Series("owner", self.names)

    def draw(self, rng, owner: str, n: int) -> np.ndarray:
        if owner == "private":
            return np.zeros(n, dtype=np.int64)
        if owner == "mixed":
            private = rng.random(n) < 0.3
            return np.where(private, 0, self.draw(rng, "company", n))
        start, size, weights = self.ranges[owner]
        return start + rng.choice(size, size=n, p=weights)
