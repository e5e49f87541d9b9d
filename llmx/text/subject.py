"""Who reports: the issuing body's level, and the township and county it names.

Level follows the issuing body (乡/镇/街道 → township; 区/县/县级市 government
→ county; a 局/委/办/厅/部 of any level → department; …).  The body is
looked for where reports name it, in this order: the issuers, the title, the
index block's publisher, and the opening sentence (``2022年，東城區政府堅持…``,
``我局…``), with ``在…领导下`` / ``根据…`` clauses, which name superiors, set
aside; where none names it, by how the text's first pages speak of themselves
(``局党组``, ``全乡``).  A development zone that reports (``北京经济技术开发区``)
stands for a county: no gazetteer holds it.  Place names are cut and typed with the gazetteer (``llmx.text.places``):
it tells a county-level 南安市 from a prefecture-level 沈阳市 and the
municipality 上海市 from both, and confirms that a township lies in a county.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from llmx.text.punctuation import COLON, DASHES, PROSE, char_class, compiled
from llmx.text.clean import CleanText
from llmx.text.dates import YEAR
from llmx.text.places import Place, gazetteer
from llmx.text.script import MAYBE_PINYIN, without_pinyin

Level = str  # township | county | city | province | department | other

_GOV = r"(?:人民政府|政府|办事处|党委|党工委|党组|工作委员会|工委|委员会|委|人大常委会|人大|政协|行署|公署)"
_DEPT = r"(?:局|厅|部|署|办公室|办|委员会|委|中心|院|所|站|队|处|室|馆|会)"
# A body's name: optional 中共, then name characters, then a body suffix.
ORG = re.compile(rf"(?:中共)?[\u4e00-\u9fff（）()]{{0,30}}?(?:{_GOV}|{_DEPT})")
_ORG_AT_END = re.compile(rf"(?:{_GOV}|{_DEPT})$")
_GOV_ONLY = re.compile(rf"^(?:中共)?(?:{_GOV}|街道{_GOV}|街道)$")
# Place-like names the gazetteer may not hold (new streets, renamed towns): only in a body's name.
_PLACE_LIKE = re.compile(r"[^\W\d_县区市旗镇乡州省]{2,6}?(?:街道|镇|乡|县|区|市|旗|省|州)")
_SELF = {"自治区": "province", "街": "township", "局": "department", "委": "department", "厅": "department",
         "办": "department", "部": "department",
         "中心": "department", "镇": "township", "乡": "township", "街道": "township", "县": "county",
         "区": "county", "旗": "county", "市": "city", "州": "city", "省": "province"}
# 我镇…, 本局…, 全县…: the reporter names itself (我镇政府 too; 全省政府系统 is not a 全省 report).
_SELF_REF = re.compile(
    r"(?:(?:我|本)(中心|街道|街|局|委|厅|办|部|镇|乡|自治区|县|区|旗|市|州|省)"
    r"|全(中心|街道|局|委|厅|办|部|镇|乡|县|区|旗|市|州|省)(?!(?:人民)?政府|委员会)"
    r"|(街道)(?![\u4e00-\u9fff]{0,3}(?:委员会|政府)))")
# 我区, 全区: an autonomous region calls itself 区 as a county district does; a clause opening with
# the region's government or party committee in the first lines tells which.
_REGION_SELF = re.compile(rf"^(?:{YEAR}\s*年(?:度|以来)?[，,]?)?[我本全][区區]")
# The name before 自治区 is empty or a province-level one the gazetteer knows (not 认真落实自治区党委…).
_REGION_GOV = re.compile(r"(?:^|[。，,；;\n])\s*(?P<name>[\u4e00-\u9fff]{0,6}?)自治区(?:人民)?(?:政府|党委)")
_REGION_SCAN = 600
_LEAD = re.compile(rf"^(?:现将|现就|{YEAR}\s*年(?:度|以来|来)?|今年以来|近年来|一年来|[?？\s•])+")
_GOV_WORDS = re.compile(rf"^(?:{_GOV}|街道{_GOV})")
# A department: a short name of its work ending in a department suffix, no verb or particle inside.
# 县委县政府 is not a department; 区民宗局法治政府建设 is (法治政府 is the subject, not a body).
_DEPARTMENT = re.compile(
    r"^(?:中共)?[\u4e00-\u9fff]{0,10}?(?:局|厅|部|署|委员会|委|办公室|办)(?![\u4e00-\u9fff]{0,2}(?<!法治)政府)")
_CLAUSES = 6
_PLACES_SCAN = 30_000  # characters: several times the longest report in the gold sets
# 县政府办公室, 县委办 (after a place name) are departments; 县委 alone is the county's own body.
# 办 as an office, not the verb (办理, 办好, 办结…) nor 办事处.
_OFFICE_BAN = r"办(?!理|好|实|结|件|事|法|学|案|成|出|到)"
# The level word that opens a body's name after its place, or alone (县委, 自治区政府, 街道党工委).
_LEVEL_WORD = r"(?:自治区|街道|[省市州县区旗镇乡])"
_OFFICE = re.compile(rf"^{_LEVEL_WORD}?(?:(?:人民)?政府|(?:党)?委){_OFFICE_BAN}")
# 浚县县委 is the county's own body; 浚县县委宣传部, 县委依法治县办 are its departments.
_OWN_BODY = re.compile(
    rf"^{_LEVEL_WORD}?{_GOV}"
    rf"(?![\u4e00-\u9fff]{{0,12}}?(?:部|办|局|委员会|办公室|中心|室)(?:[^\u4e00-\u9fff]|关于|$|办公室|{YEAR}))")
_OPENING = 200
_ABOUT = re.compile(rf"关{MAYBE_PINYIN}于")
_MAX_LEAD = 30
_UNNAMED_GOV = re.compile(r"^(省|自治区|市|州|县|区|镇|乡|街道)(?:人民政府|政府|党委|党工委|委|人大|办事处)")
# Clauses that name superiors, not the reporter: 在县委的领导下, 根据…, and thanks to them
# (得益于县委、县政府的坚强领导, 受益于区委的大力支持, 离不开…).
_IN_CLAUSE = char_class(PROSE, negate=True)
_SUPERIORS = re.compile(
    rf"在{_IN_CLAUSE}{{0,40}}?(?:领导|指导|监督|支持|关心|部署){_IN_CLAUSE}{{0,6}}下"
    rf"|(?:根据|按照|围绕|贯彻|落实|依据){_IN_CLAUSE}*|(?:得益于|受益于|有赖于|离不开|依靠|依托|仰仗){_IN_CLAUSE}*")
# A street office or township named after the government that dispatched it: 人民政府金龙街道办事处.
_CLAUSE_SPLIT = compiled(PROSE, COLON)
_AGENCY_OF = re.compile(r"(?:人民政府|政府)([\u4e00-\u9fff]{1,8}?(?:街道|镇|乡))(?:办事处|人民政府)")
_TOWNSHIP_ENDS = ("街道", "镇", "乡")  # how a township's name ends
_KIND_LEVEL = {"township": "township", "county": "county", "city": "city", "province": "province"}
# A development zone governs like a county (its 管委会 reports as one; its bureaus are departments,
# its streets townships) but no gazetteer holds it: 北京经济技术开发区, 济南高新区, 广西-东盟经开区.
# Its name before the zone word is a place's (北京, 天津滨海, 广西-东盟) or nothing: 助推开发区 is a verb's object.
_ZONE = re.compile(rf"(?P<place>(?:[\u4e00-\u9fff]{{1,4}}{char_class(DASHES)})?[\u4e00-\u9fff]{{0,4}}?)"
                   r"(?:高新技术产业开发区|经济技术开发区|经济开发区|高新区|经开区|开发区)")
_DASH = compiled(DASHES)
_ZONE_PLACE_TAIL = 2  # characters a zone's name may add after its place (天津 滨海)
# Where no clause of the opening names the reporter, how the whole text speaks of itself: as its
# own organ (我局, 本街, 局党组, 镇党委) first, else as the place it serves (我县, 全乡, not 全区卫健系统).
_SELF_SCAN = 3000
# Not 各乡镇党委, 各街道党工委, 各委办局党组 (other bodies' organs), nor 本办法 or 本街坊.
_OWN_ORGAN = re.compile(r"(?:我|本)(街道|街(?!坊)|局|委|厅|办(?!法)|镇|乡)(?!(?:人民)?政府|委员会)"
                        r"|(?<![各乡办])(街道|局|委|厅|镇|乡)(?:党组|党委|党工委)")
# A department that serves a county says so early: 县林业局坚持…, 在区委、区政府领导下; or it speaks of
# 我县 / 全区, unless its opening speaks as an autonomous region's (自治区, 区党委, 我厅), whose 厅 and 局
# say 全区 too.  Not 区域 (健全区域执法协作…中心), nor 全 ending a word (健全县乡村…, 完全区分).
_SERVES_A_COUNTY = re.compile(r"(?<![\u4e00-\u9fff])(?:县|区(?!域)|旗)[\u4e00-\u9fff]{1,10}?(?:局|委员会|办公室|中心)"
                              r"|(?:县|区|旗)委[、，,]\s*(?:县|区|旗)(?:人民)?政府")
# Unlike _OWN_PLACE, 全区卫生健康系统 counts here: a department speaks of the system it serves in its county.
_OWN_COUNTY = re.compile(r"(?:我|(?<![健完安齐保周成])全)(?:县|区(?![域分别间])|旗)")
_AUTONOMOUS_REGION = re.compile(r"自治区|区党委|[我本]厅")
# ...nor one that names itself a city's or province's (市司法局指导全区各县…)
_SERVES_ABOVE = re.compile(r"(?<![\u4e00-\u9fff])[市省][\u4e00-\u9fff]{1,10}?(?:局|厅|委员会|办公室|中心)")
_SERVED_SCAN = 600
_OWN_PLACE = re.compile(r"(?:我|本|全)(街道|街|镇|乡|县|区|旗|市|州|省)"
                        r"(?!(?:人民)?政府|委员会|[\u4e00-\u9fff]{0,6}系统)")


@dataclass(frozen=True)
class Subject:
    level: Level | None
    township: str | None
    county: str | None
    # The places the reporter's own strings name, and those of the text's opening stretch:
    # found once here, read again for the region code (``llmx.text.regions``).
    header_places: tuple[Place, ...] = ()
    text_places: tuple[Place, ...] = ()


def split_orgs(text: str) -> list[str]:
    """Bodies named in ``text`` (separated by spaces or 、, or run together), or [] if it is not all bodies.

    ``中共黄湾镇委员会黄湾镇人民政府`` is two bodies; a name is cut after a body
    suffix only where what follows is itself a body.
    """
    out: list[str] = []
    for part in (p for p in re.split(r"[、，,；;\s]+", text.strip()) if p):
        pieces = _cut_run(part)
        if not pieces:
            return []
        out.extend(pieces)
    return out


def _cut_run(part: str) -> list[str]:
    if not ORG.fullmatch(part):
        return []
    for m in re.finditer(rf"(?:{_GOV}|{_DEPT})(?=中共|[\u4e00-\u9fff])", part):
        head, rest = part[:m.end()], part[m.end():]
        if _AGENCY_OF.fullmatch(part[m.start():]):
            continue  # 鲤城区人民政府金龙街道办事处: one body, the government's street office
        if len(head) >= 4 and ORG.fullmatch(head) and _starts_with_place(rest):
            tail = _cut_run(rest)
            if tail:
                return [head, *tail]
    return [part]


def _starts_with_place(text: str) -> bool:
    text = text.removeprefix("中共")
    places = gazetteer().find(text)
    return bool(places and places[0].start == 0) or bool(_PLACE_LIKE.match(text))


def find_subject(ct: CleanText, *, issuers: list[str], title: str | None, opening: str) -> Subject:
    """Level, township and county of the reporting body."""
    # The page's publisher comes last: a county portal publishes its townships' reports.
    named = [without_pinyin(p) for p in (*issuers, title_body(title))]
    opening = without_pinyin(opening[:_OPENING])
    probes = [*named, opening, without_pinyin(ct.index.get("publisher", ""))]
    level = next((lv for p in probes if p and (lv := level_of(p))), None)
    scan = without_pinyin(ct.text[:_SELF_SCAN])
    from_text = level is None  # then no 我区 opens the report: the autonomous-region reading needs one
    if from_text:
        level = self_level(scan)
    if level == "county" and not from_text and not any(map(level_of, filter(None, named))) \
            and _REGION_SELF.search(opening) and _region_government_opens_a_clause(scan[:_REGION_SCAN]):
        level = "province"  # 我区… in a report named nowhere else, whose region government opens a clause
    header, text = _places(ct, [*issuers, title or "", *ct.index.values()])
    places = header + text
    given = [p for p in probes if p]
    township = _township(places, given) if level == "township" else None
    county = _county(places, township, level, probes) or _zone_county(level, given) or _served_county(level, scan)
    return Subject(level, township, county, tuple(header), tuple(text))


def self_level(text: str) -> Level | None:
    """The level a text speaks of itself as, by count: its own organ (我局, 镇党委) outvotes the place
    it serves (我市, 全乡), which a department names as often as a government does."""
    for pattern in (_OWN_ORGAN, _OWN_PLACE):
        said = Counter(_SELF[next(g for g in m.groups() if g)] for m in pattern.finditer(text))
        if said:
            return said.most_common(1)[0][0]
    return None


def _zone_county(level: Level | None, probes: list[str]) -> str | None:
    """The development zone standing for a county: the one that opens a clause naming the reporter
    (济南高新区统计局, 2021年，北京经济技术开发区坚持…).  A zone named inside a clause is not
    taken: where a street stands 在经开区 the labels do not agree that it is the street's county."""
    if level not in ("county", "department", "township"):
        return None
    for probe in probes:
        for clause in _clauses(probe):
            if zone := _zone_at(clause.removeprefix("中共")):
                return zone.group(0)
    return None


def _zone_at(text: str) -> re.Match[str] | None:
    """A development zone's name that ``text`` opens with: nothing, or a place, before the zone word."""
    zone = _ZONE.match(text)
    if zone is None or not zone.group("place"):
        return zone
    head = _DASH.split(zone.group("place"))[0]
    return zone if any(gazetteer().is_short_name(head[:k]) or _leading_places(head[:k])
                       for k in range(max(2, len(head) - _ZONE_PLACE_TAIL), len(head) + 1)) else None


def _region_government_opens_a_clause(text: str) -> bool:
    """A clause opening with an autonomous region's government or party committee (自治区人民政府,
    广西壮族自治区党委…): the region, named or not, that a 我区 of the report then is."""
    return any(not m.group("name") or any(d.kind == "province" for d in gazetteer().lookup(m.group("name") + "自治区"))
               for m in _REGION_GOV.finditer(text))


def about_body(title: str | None) -> str | None:
    """The X of a title ``X关于…`` (关(guān)于 too), or None when the title has no 关于."""
    about = _ABOUT.search(title or "")
    return title[:about.start()] if title and about else None


def title_body(title: str | None) -> str:
    """What a title opens with: ``X关于…`` or the name before the year (``叶城县2023年度…``)."""
    if not title:
        return ""
    about = about_body(title)
    if about is not None:
        return about
    m = re.match(rf"^(?:{YEAR}\s*年度?)?\s*(.+?)\s*(?:{YEAR}|二〇|法治)", title)
    return m.group(1) if m else ""


def level_of(text: str) -> Level | None:
    """The level of the body ``text`` opens with, or that the first of its clauses opens with.

    Reports name themselves at the head of a clause (``2022年，東城區政府堅持…``,
    ``现将我局…``, ``松洲街以…``); bodies named inside a clause are someone else.
    """
    unnamed: Level | None = None
    for clause in _clauses(text):
        level = _clause_level(clause)
        if level:
            return level
        m = _UNNAMED_GOV.match(clause)
        unnamed = unnamed or (_SELF[m.group(1)] if m else None)
    return unnamed  # 镇党委、政府坚持…: only an unnamed body; 县委、县政府高度重视 in a township's report loses to 大坪镇


def _clauses(text: str) -> list[str]:
    """The first clauses of ``text``, superiors set aside and each stripped of its lead (年份, 现将)."""
    clauses = [c for c in _CLAUSE_SPLIT.split(_SUPERIORS.sub("，", text)) if c.strip()]
    return [_LEAD.sub("", c.strip()) for c in clauses[:_CLAUSES]]  # the superiors leave no clause behind


def _clause_level(clause: str) -> Level | None:
    self_ref = _SELF_REF.match(clause)
    if self_ref:
        return _SELF[next(g for g in self_ref.groups() if g)]
    zone = _zone_at(clause.removeprefix("中共"))
    if zone:  # 济南高新区巨野河街道 is a street of the zone; 高新区综治局 its bureau
        rest = clause.removeprefix("中共")[zone.end():]
        if _opens_with_township(rest):
            return "township"
        return "department" if _is_organ(rest) else "county"
    if _UNNAMED_GOV.match(clause):  # 区政府办, 市委宣传部 are departments; 镇党委、政府 is for level_of's fallback
        return "department" if _is_organ(clause) else None
    bare = clause.removeprefix("中共")
    places = _leading_places(bare)
    names = [p.name for p in places] or _like_run(bare)
    if names:
        rest = bare[sum(map(len, names)):]
        if places and places[-1].is_a("township") and rest.startswith("办"):
            return "township"  # 城南街道办
        if _AGENCY_OF.match(rest):
            return "township"  # 鲤城区人民政府金龙街道办事处
        if _is_organ(rest):
            return "department"
        if places and not places[-1].is_a("township") and _names_a_township(rest):
            return "township"  # 阿克陶县克孜勒陶镇人民政府: a town the gazetteer lacks, after its county
        if places:
            return _place_level(places[-1])
        if _GOV_WORDS.match(rest) or names[-1].endswith(_TOWNSHIP_ENDS):
            return _like_level(names[-1])
    return "department" if _DEPARTMENT.match(bare) else None


def _opens_with_township(text: str) -> bool:
    """``text`` opens with a township's name, known (巨野河街道) or only township-like (某某街道).
    After a zone's name (济南高新区巨野河街道) that is enough; after a county's, a word may end in 乡 or
    镇, so ``_names_a_township`` asks more."""
    places = _leading_places(text)
    if places:
        return places[-1].is_a("township")
    like = _like_run(text)
    return bool(like) and like[-1].endswith(_TOWNSHIP_ENDS)


def _names_a_township(text: str) -> bool:
    """``text`` opens with a township's name that a body or the clause's end follows: 某某镇人民政府,
    建筑新村街道 2024年度…; not 深化乡镇综合执法 or 特色小镇建设 (a word ending in 乡 or 镇)."""
    like = _like_run(text)
    if not (like and like[-1].endswith(_TOWNSHIP_ENDS)):
        return False
    after = text[sum(map(len, like)):]
    return not after.strip() or after[:1].isspace() or bool(_GOV_WORDS.match(after))


def _is_organ(name: str) -> bool:
    """An office or department of a government or party committee, named after its level word or place.

    浚县县委 is the county's party committee; 浚县县委办, 县委宣传部, 区委教育工作委员会 and 区政府办
    are its organs, whether or not a place name comes first.
    """
    return bool(_OFFICE.match(name) or (_DEPARTMENT.match(name) and not _OWN_BODY.match(name)))


def _like_run(text: str) -> list[str]:
    """Place-like names a text opens with, for names the gazetteer lacks (某某县 某某镇)."""
    run, pos = [], 0
    while m := _PLACE_LIKE.match(text, pos):
        run.append(m.group(0))
        pos = m.end()
    return run


def _leading_places(text: str) -> list[Place]:
    """The run of place names a text opens with (长沙市 天心区 坡子街街道)."""
    run: list[Place] = []
    for p in gazetteer().find(text[:_MAX_LEAD]):
        if p.start != (run[-1].end if run else 0):
            break
        run.append(p)
    return run


def _place_level(place: Place) -> Level:
    """township < county < city < province: a 市 that is county-level reads as county."""
    kinds = place.kinds()
    for kind in ("township", "county", "city", "province"):
        if kind in kinds:
            return _KIND_LEVEL[kind]
    return "other"


def _like_level(name: str) -> Level | None:
    m = _PLACE_LIKE.search(name)
    if not m:
        return None
    last = m.group(0)
    for suffix, level in (("街道", "township"), ("镇", "township"), ("乡", "township"), ("县", "county"),
                          ("区", "county"), ("州", "city"), ("市", "city"), ("省", "province")):
        if last.endswith(suffix):
            return level
    return None


def _places(ct: CleanText, header: Iterable[str]) -> tuple[list[Place], list[Place]]:
    """Places named in the header strings, and in the text's first ``_PLACES_SCAN`` characters.

    A report names its own places early and often; a compilation of many
    reports is not one reporter, and scanning all of it would cost a gazetteer
    pass over megabytes for nothing.
    """
    g = gazetteer()
    return [p for h in header if h for p in g.find(h)], g.find(ct.text[:_PLACES_SCAN])


def _township(places: list[Place], probes: list[str]) -> str | None:
    """The township the reporter names: first in its own name, else the first in the text."""
    for probe in probes:
        like = _like_run(probe.removeprefix("中共"))
        whole = like[-1] if like else ""
        for p in gazetteer().find(probe):
            if p.is_a("township") and len(p.name) >= 3:
                # 建筑新村街道 holds another county's 新村街道: the whole name the reporter gives stands
                # (not a run that opens with the government dispatching it: 人民政府金龙街道)
                longer = whole.endswith(p.name) and not re.search(_GOV, whole[:-len(p.name)])
                return whole if longer else p.name
        if whole.endswith(_TOWNSHIP_ENDS):
            return whole
    named = Counter(p.name for p in places if p.is_a("township") and len(p.name) >= 3)
    return named.most_common(1)[0][0] if named else None  # the report names itself more than a cited town


def _county(places: list[Place], township: str | None, level: Level | None, probes: list[str]) -> str | None:
    """The county-level place: the one holding the township, else the one the reporter names."""
    counties = [p for p in places if p.is_a("county") and not _prefecture_city(p)]
    governing = _governing_city(places, township) if level == "township" else None
    if not counties:
        return governing or (_unknown_county(probes) if level in ("township", "county") else None)
    if level == "township":
        if township and gazetteer().lookup(township):
            # a county the gazetteer puts the township in, or none: a county named elsewhere is cited
            return next((p.name for p in counties if gazetteer().within(township, p.name)), governing)
        return counties[0].name
    if level == "county":
        return counties[0].name if counties else None
    if level == "department":
        for probe in probes:
            named = [p for p in gazetteer().find(probe) if p.is_a("county") and not _prefecture_city(p)]
            if named:
                return named[0].name
    return None


def _governing_city(places: list[Place], township: str | None) -> str | None:
    """A city the text names that governs the township with no county between (中山市港口镇): the county-level
    place of its report, as the gold labels write it."""
    cities = gazetteer().governing_cities(township) if township else set()
    return next((p.name for p in places if p.name in cities), None)


def _served_county(level: Level | None, text: str) -> str | None:
    """For a department whose opening says it serves a county (县林业局坚持…, 全区卫生健康系统) but whose own strings
    name none, the county ``text`` names most: its county's plans and its own full name
    (《邻水县林业局…方案》) come up there."""
    if level != "department" or not _serves_a_county(text[:_SERVED_SCAN]):
        return None
    named = Counter(p.name for p in gazetteer().find(text) if p.is_a("county") and not _prefecture_city(p))
    return named.most_common(1)[0][0] if named else None


def _serves_a_county(opening: str) -> bool:
    """The opening names the county it serves (县林业局…, 区委、区政府), or speaks of 全区 / 我县 as no
    city's, province's or autonomous region's department does."""
    if _SERVES_A_COUNTY.search(opening):
        return True
    return bool(_OWN_COUNTY.search(opening)) and not (_AUTONOMOUS_REGION.search(opening) or _SERVES_ABOVE.search(opening))


def _unknown_county(probes: list[str]) -> str | None:
    """A county-like name the gazetteer lacks, from the reporter's own name."""
    for probe in probes:
        like = [n for n in _like_run(probe.removeprefix("中共")) if n.endswith(("县", "区", "旗"))]
        if like:
            return like[-1]
    return None


def _prefecture_city(place: Place) -> bool:
    """A name that is both (吉林市 the city, 吉林 the county?) reads as the higher level when it ends in 市."""
    return place.name.endswith("市") and place.is_a("city")
