"""The fast YAML reader gives exactly what PyYAML's pure-Python safe loader gives, on every shipped file."""

from pathlib import Path

import pytest
import yaml

from llmx.yaml_text import _LOADER, parse_yaml

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted([*ROOT.glob("schemas/**/*.yaml"), *ROOT.glob("prompts/**/*.yaml")])


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(ROOT)) for p in FILES])
def test_same_data_as_the_safe_loader(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert parse_yaml(text) == yaml.safe_load(text)


def test_the_c_parser_is_used_where_pyyaml_has_it() -> None:
    assert _LOADER is (yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader)
    with pytest.raises(yaml.YAMLError):
        parse_yaml("a: [unclosed")
    with pytest.raises(yaml.YAMLError):  # safe: no Python objects
        parse_yaml("!!python/object/apply:os.system ['true']")
