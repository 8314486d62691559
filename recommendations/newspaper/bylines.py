"""Bylines of signed pieces, 本报讯 brackets of news reports, and photo credits."""

from __future__ import annotations

import re

from .model import Affiliation, Author

# Words a position (职务) starts with. Longest first so that 副总经理 wins over 总经理.
POSITION_WORDS = sorted(
    {
        "党组书记",
        "党组副书记",
        "党组成员",
        "党委书记",
        "党委副书记",
        "党委委员",
        "党工委书记",
        "党工委副书记",
        "工委书记",
        "工委副书记",
        "工委",
        "党工委",
        "纪工委书记",
        "书记",
        "副书记",
        "主任",
        "副主任",
        "常务副主任",
        "局长",
        "副局长",
        "总经理",
        "副总经理",
        "常务副总经理",
        "董事长",
        "副董事长",
        "董事",
        "总裁",
        "副总裁",
        "院长",
        "副院长",
        "校长",
        "副校长",
        "主席",
        "副主席",
        "部长",
        "副部长",
        "处长",
        "副处长",
        "科长",
        "区长",
        "副区长",
        "常务副区长",
        "镇长",
        "副镇长",
        "乡长",
        "所长",
        "副所长",
        "馆长",
        "站长",
        "社长",
        "秘书长",
        "总监",
        "经理",
        "主编",
        "总编辑",
        "委员",
        "常委",
        "办事处主任",
        "总工程师",
        "总会计师",
        "调研员",
        "一级调研员",
        "二级调研员",
        "巡视员",
        "负责人",
        "理事长",
        "会长",
        "副会长",
        "组长",
        "队长",
        "厅长",
        "司长",
        "市长",
        "副市长",
        "行长",
        "监事长",
        "首席",
        "专家",
        "研究员",
        "教授",
        "主管",
        "干部",
        "督学",
        "园长",
        "团长",
        "政委",
        "指导员",
        "执行董事",
    },
    key=len,
    reverse=True,
)

# How organisation names end (机构名的常见结尾).
ORG_SUFFIXES = (
    "办",
    "局",
    "委",
    "委员会",
    "管委会",
    "公司",
    "集团",
    "街道",
    "中心",
    "大学",
    "学院",
    "学校",
    "医院",
    "镇",
    "乡",
    "区",
    "市",
    "省",
    "县",
    "厅",
    "部",
    "处",
    "科",
    "所",
    "院",
    "馆",
    "站",
    "工会",
    "商会",
    "学会",
    "研究会",
    "促进会",
    "科协",
    "联",  # 妇联, 侨联, 工商联
    "社",
    "台",
    "团",
    "队",
    "园",
    "校",
    "府",
    "署",
    "行",
    "组",
    "室",
    "庭",
    "库",
    "网",
    "协会",
    "联合会",
    "基金会",
    "研究院",
    "研究所",
    "实验室",
    "科学城",
    "平台",
    "银行",
    "报社",
    "政府",
    "办事处",
    "社区",
    "村",
    "党委",
    "党组",
    "工委",
    "法院",
    "检察院",
    "分局",
    "支队",
)

_NAME = re.compile(r"^[\u4e00-\u9fff·•]{2,5}$")
_SENTENCE_PUNCT = re.compile(r"[。！？!?:：“”\"]")
# An ornament some layouts print before a byline (□ 区科信局局长 张明).
_ORNAMENT = re.compile(r"^\s*[□■◇◆○●◎★☆▲△※]\s*")
_BYLINE_PREFIX = re.compile(r"^\s*(?:文\s*[/／|｜]|文\s*[:：]|作者\s*[:：/／])\s*")
_AFF_SEPARATORS = re.compile(r"\s*[,，;；]\s*")

ROLE_WORDS = {
    "记者": "reporter",
    "本报记者": "reporter",
    "实习记者": "reporter",
    "见习记者": "reporter",
    "融媒记者": "reporter",
    "通讯员": "correspondent",
    "特约通讯员": "correspondent",
    "实习生": "correspondent",
}
_ROLE_RE = re.compile("|".join(sorted(map(re.escape, ROLE_WORDS), key=len, reverse=True)))
_NEWS_LEAD = re.compile(
    r"^\s*本报讯\s*(?:(?P<open>[（(【\[])(?P<inner>[^（()）【】\[\]]{0,80})[）)】\]])?\s*"
)

_CREDIT_PATTERNS = [
    re.compile(
        r"^(?P<who>[^\s/／。，,！？!?]{1,24}(?:\s[^\s/／。，,！？!?]{1,12}){0,2})\s*[/／]\s*(?:供图|摄|图|摄影|提供)$"
    ),
    re.compile(r"^(?P<who>[^\s/／。，,！？!?]{1,24}?)\s*供图$"),
    re.compile(r"^(?P<who>[^/／。，,！？!?]{1,24}?)\s+(?:摄影|摄)$"),
    re.compile(r"^(?:图片?|摄影|供图|图/文|图片来源)\s*[:：/／]\s*(?P<who>[^。！？!?]{1,24})$"),
]


def _is_name(token: str) -> bool:
    return bool(_NAME.match(token)) and not any(
        token.endswith(w) for w in POSITION_WORDS if len(w) >= 2
    )


def _has_position(text: str) -> bool:
    return any(w in text for w in POSITION_WORDS)


# Words printed before a position that belong to it: 常务副部长, 专职副主任, 一级巡视员.
POSITION_MODIFIERS = (
    "常务",
    "专职",
    "兼职",
    "挂职",
    "驻会",
    "执行",
    "代理",
    "一级",
    "二级",
    "三级",
    "四级",
)


def _starts_position(rest: str) -> bool:
    for mod in POSITION_MODIFIERS:
        if rest.startswith(mod):
            rest = rest[len(mod) :]
            break
    return any(rest.startswith(w) for w in POSITION_WORDS)


def split_affiliation(part: str) -> Affiliation:
    """区科信局党组书记、局长 → 区科信局 / 党组书记、局长 (printed text kept as is)."""
    part = part.strip()
    candidates = []
    for i in range(2, len(part)):
        if _starts_position(part[i:]):
            candidates.append(i)
    for i in candidates:
        if part[:i].endswith(ORG_SUFFIXES):
            return Affiliation(part[:i], part[i:])
    if _starts_position(part):
        # 副局长 alone after another author's 区科信局局长 张明: the same organisation,
        # filled in by inherit_organization.
        return Affiliation("", part)
    if candidates:
        i = candidates[0]
        return Affiliation(part[:i], part[i:])
    return Affiliation(part, "")


def inherit_organization(previous: list[Author], authors: list[Author]) -> list[Author]:
    """Fill a position printed without its organisation (区科信局局长 张明 副局长 李华)
    with the organisation of the author printed before it."""
    for author in authors:
        if previous and previous[-1].affiliations:
            before = previous[-1].affiliations[-1].organization
            for af in author.affiliations:
                if not af.organization:
                    af.organization = before
        previous = [*previous, author]
    return authors


def split_affiliations(text: str) -> list[Affiliation]:
    parts = [p for p in _AFF_SEPARATORS.split(text.strip()) if p]
    return [split_affiliation(p) for p in parts]


_AUTHOR_NOTE = re.compile(
    r"^[（(]\s*作者(?:系|为|是|单位\s*[:：]?)\s*(?P<aff>[^（()）]{2,60}?)\s*[)）]$"
)


def parse_author_note(text: str) -> list[Affiliation] | None:
    """``（作者系区科信局党组书记、局长）`` printed at the end of a piece → its affiliations."""
    m = _AUTHOR_NOTE.match(text.strip())
    if not m:
        return None
    affs = split_affiliations(m.group("aff"))
    if not affs or not all(af.position for af in affs):
        return None
    return affs


def parse_byline(text: str, *, after_title: bool = False) -> list[Author] | None:
    """Parse a signed piece's byline; None when the line is not one.

    ``区科信局党组书记、局长,区数据局局长 张三``, ``文/区科信局局长 张三``, ``文/张三``;
    a bare name is accepted only right after a title (``after_title``).
    """
    line = text.strip()
    if not line or len(line) > 80:
        return None
    prefixed = False
    m = _ORNAMENT.match(line)
    if m:
        prefixed = True
        line = line[m.end() :]
    m = _BYLINE_PREFIX.match(line)
    if m:
        prefixed = True
        line = line[m.end() :].strip()
    if _SENTENCE_PUNCT.search(line):  # checked after 作者: / 文: which carry a colon
        return None
    tokens = line.split()
    if not tokens:
        return None
    # Two-character names are often printed with a space inside (陈  鹏): merge single characters.
    merged: list[str] = []
    for tok in tokens:
        if merged and len(tok) == 1 and len(merged[-1]) == 1 and _NAME.match(merged[-1] + tok):
            merged[-1] += tok
        else:
            merged.append(tok)
    tokens = merged
    if not _is_name(tokens[-1]):
        return None
    authors: list[Author] = []
    pending: list[str] = []
    for tok in tokens:
        if _is_name(tok):
            affs = split_affiliations(" ".join(pending)) if pending else []
            authors.append(Author(tok, "author", affs))
            pending = []
        else:
            pending.append(tok)
    if pending:
        return None
    inherit_organization([], authors)
    has_aff = any(a.affiliations for a in authors)
    if has_aff:
        if not all(
            _has_position(af.organization + af.position) for a in authors for af in a.affiliations
        ):
            return None
    elif not (prefixed or after_title):
        return None
    return authors


def parse_news_lead(text: str) -> tuple[list[Author], str, str] | None:
    """``本报讯(记者 甲 通讯员 乙)正文…`` → (authors, bracket as printed, body after it)."""
    m = _NEWS_LEAD.match(text)
    if not m:
        return None
    if not m.group("open"):
        return _unbracketed_news_lead(text, m.end())
    inner = m.group("inner") or ""
    authors: list[Author] = []
    role = "reporter"
    pos = 0
    for rm in [*_ROLE_RE.finditer(inner), None]:
        chunk = inner[pos : rm.start() if rm else len(inner)]
        for name in re.split(r"[\s、,，/／]+", chunk):
            name = name.strip()
            if name and _NAME.match(name):
                authors.append(Author(name, role, []))
        if rm:
            role = ROLE_WORDS[rm.group(0)]
            pos = rm.end()
    return authors, text[: m.end()].strip(), text[m.end() :]


# After an unbracketed 本报讯, a run of role words and names each followed by a space
# (本报讯 记者 王芳 通讯员 刘强 日前,…); a time word opening the body is not a name.
_BARE_ROLE = re.compile(rf"\s*(?P<role>{_ROLE_RE.pattern})\s*")
_BARE_NAME = re.compile(r"(?P<name>[\u4e00-\u9fff·]{2,4})(?:\s*、\s*|\s+)")
_TIME_WORDS = frozenset(
    {"近日", "日前", "昨日", "昨天", "今天", "今日", "目前", "此前", "近期", "本周", "当天", "连日"}
)


def _unbracketed_news_lead(text: str, pos: int) -> tuple[list[Author], str, str]:
    """``本报讯 记者 王芳 通讯员 刘强 日前,…``: the names end at the first non-name token."""
    authors: list[Author] = []
    end = pos
    while True:
        rm = _BARE_ROLE.match(text, end)
        if not rm:
            break
        names = []
        at = rm.end()
        while True:
            nm = _BARE_NAME.match(text, at)
            if not nm or nm.group("name") in _TIME_WORDS or _ROLE_RE.match(nm.group("name")):
                break
            names.append(nm.group("name"))
            at = nm.end()
        if not names:
            break
        authors.extend(Author(n, ROLE_WORDS[rm.group("role")], []) for n in names)
        end = at
    return authors, text[:end].strip(), text[end:]


# A photo caption that ends with its credit: ``图为参赛团队展示项目。 刘洋/摄``.
_CAPTION_CREDIT = re.compile(
    r"^(?P<caption>.{2,80}?[。！？!?][”’」』]?)\s*(?P<credit>[^。！？!?]{1,40})$"
)


def parse_caption_credit(text: str) -> tuple[str, str] | None:
    """``图为…。 刘洋/摄`` → (图为…。, 刘洋); None when the line does not end with a credit."""
    m = _CAPTION_CREDIT.match(text.strip())
    if not m:
        return None
    credit = m.group("credit").strip()
    if not re.search(r"[/／]\s*(?:供图|摄|摄影)$|\s(?:摄影|摄)$", credit):
        return None  # only an explicit /摄, /供图 or " 摄" ends a caption
    who = parse_credit(credit)
    return (m.group("caption"), who) if who else None


def parse_credit(text: str) -> str | None:
    """``学校/供图`` → 学校; ``张三/摄`` → 张三; ``主办方供图`` → 主办方; else None."""
    line = text.strip()
    if not line or len(line) > 40:
        return None
    for pattern in _CREDIT_PATTERNS:
        m = pattern.match(line)
        if m:
            who = m.group("who").strip()
            if who:
                return who
    return None
