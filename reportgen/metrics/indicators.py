"""监管指标: each regulatory ratio against its configured limit; breached is null when the
ratio is null (an unknown figure is neither a pass nor a breach)."""

from __future__ import annotations

from fractions import Fraction

from reportgen.config import ThresholdsConfig
from reportgen.model import Concentration, Indicator, Overdue, Provision, Quality

# Ratios built on provision or net capital: the legal entity's figures (scopes.md).
LEGAL_ENTITY = ("coverage_ratio", "provision_ratio", "top1_ratio", "top10_ratio",
                "top_group_ratio")


def indicators(thresholds: ThresholdsConfig, quality: Quality, provision: Provision,
               concentration: Concentration, overdue: Overdue, *,
               legal_entity: bool = False) -> tuple[Indicator, ...]:
    """``legal_entity``: a branch or manager report without figures of its own, whose
    provision and net-capital ratios are the legal entity's: shown as such, never a breach."""
    values: dict[str, Fraction | None] = {
        "npl_ratio": quality.npl_ratio,
        "coverage_ratio": provision.coverage_ratio,
        "provision_ratio": provision.provision_ratio,
        "top1_ratio": concentration.top1_ratio,
        "top10_ratio": concentration.top10_ratio,
        "top_group_ratio": concentration.top_group_ratio,
        "over_90_to_npl": overdue.over_90_to_npl,
    }
    out = []
    for key, limit, direction in thresholds.limits():
        value = values[key]
        if legal_entity and key in LEGAL_ENTITY:
            out.append(Indicator(key, None, limit, direction, None, legal_entity=True))
            continue
        breached = None if value is None else (
            value > limit if direction == "max" else value < limit)
        out.append(Indicator(key, value, limit, direction, breached))
    return tuple(out)
