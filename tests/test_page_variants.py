"""A report published as a web page, or in traditional characters, reads as the report itself.

Each bundled report is wrapped in page furniture (breadcrumb, index block, tool
bar) and converted to traditional characters (OpenCC ``s2t``); the figures and
metadata must be those of the plain text, spelled as the variant writes them.
"""

import pytest

from llmx.text.script import simplify
from llmx.text.load import Document
from conftest import contract_json, corpus_files

FURNITURE = ("您当前的位置：首页 > 政务公开 > 法治政府建设\n"
             "  • 索引号：000000000/2024-00001\n  • 发布机构：某单位\n"
             "浏览次数：1234 字号：【大 中 小】 打印 关闭\n\n")


def _traditional(text: str) -> str:
    import opencc

    out = opencc.OpenCC("s2t.json").convert(text)
    return out if len(out) == len(text) else "".join(opencc.OpenCC("s2t.json").convert(c) for c in text)


def _run(text: str, path) -> dict:
    return contract_json(Document(path, text, "txt", "utf-8", "x"), design="rules")


def _comparable(result: dict) -> tuple:
    figures = [(f["indicator"], f["value"], simplify(f["unit"]), f["qualifier"], f["target"], simplify(f["evidence"]))
               for f in result["figures"]]
    meta = {k: (simplify(v) if isinstance(v, str) else [simplify(x) for x in v] if isinstance(v, list) else v)
            for k, v in result["meta"].items()}
    return figures, meta


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.stem[:3])
def test_furniture_and_traditional_script_change_nothing(path):
    text = path.read_text(encoding="utf-8")
    plain = _run(text, path)
    for variant in (FURNITURE + text, _traditional(text)):
        got = _run(variant, path)
        assert _comparable(got) == _comparable(plain)
        for f in got["figures"]:
            assert variant[f["start"]:f["end"]] in f["evidence"]  # offsets point into the variant as given
