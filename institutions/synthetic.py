"""Generated fictional directories for the benchmark and the scale tests (never shipped as data)."""

from __future__ import annotations

import random

from institutions.importer import InstitutionRecord
from institutions.models import FLAGS

_PLACES = "安澜临江东湖西山南塘北岭青石白沙金桥玉泉长宁永和新华建设文昌育才解放人民和平光明"
_KINDS = [("医院", "三级", "人民医院"), ("医院", "二级", "中医院"), ("医院", "二级", "骨科医院"),
          ("社区卫生服务中心", "一级", "社区卫生服务中心"), ("诊所", "未定级", "诊所"),
          ("零售药店", "未定级", "大药房"), ("零售药店", "未定级", "药店")]


def generate(n: int, seed: int = 7, center: tuple[float, float] = (30.5928, 114.3055)) -> list[InstitutionRecord]:
    rng = random.Random(seed)
    districts = [f"{_PLACES[i:i + 2]}区" for i in range(0, 24, 2)]
    records = []
    for i in range(n):
        kind, level, suffix = rng.choice(_KINDS)
        place = "".join(rng.sample(_PLACES, 2))
        name = f"{place}{suffix}" if kind != "零售药店" else f"{place}{suffix}（{rng.choice(_PLACES)}{i % 97}店）"
        records.append(InstitutionRecord(
            code=f"G{i:07d}", name=f"{name}{i}" if i % 3 else name, aliases="", type=kind, level=level,
            nature="公立" if kind in ("医院", "社区卫生服务中心") and rng.random() < 0.8 else "民营",
            district=rng.choice(districts), address=f"{place}路{i % 500}号", phone=f"0999-{i:07d}",
            latitude=round(center[0] + rng.uniform(-0.3, 0.3), 6),
            longitude=round(center[1] + rng.uniform(-0.3, 0.3), 6),
            opening_hours="8:00-17:00",
            **{flag: rng.random() < (0.3 if flag != "e_voucher" else 0.8) for flag in FLAGS},
        ))
    return records
