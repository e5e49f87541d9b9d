"""The one option table: every setting the CLI, the Python API and the cache home share.

Each setting has one name (the keyword of ``llmx.extract``/``Extractor``
and of the command function), one flag, one ``LLMX_*`` variable, one
default and one help text.  The CLI builds its shared options from this
table (``apps/cli_options.py``), ``apps/conventions.py`` names their
variables from it, the API and ``model/config.py`` fill what a caller left
out through ``resolve``, and ``cache_home`` reads its variable here.  So a
variable means the same whichever door a user comes through, and a new
setting is added in one place.

Why below everything else: the model config and the cache home sit low
in the layers and must read the same variables the commands document.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from llmx.errors import ConfigurationError

Kind = Literal["text", "flag", "path", "dir", "folder", "seconds", "choice"]  # dir: a folder or a path to make one

#: How figures are labelled (``engine/label.py`` says what each does); the first is the default (``rules``
#: where a report type ships no labeller: ``pipeline.plan``).
DESIGNS = ("learned", "rules", "hybrid", "hybrid-all", "choice", "llm", "llm-topk")
MODEL_FREE = ("rules", "learned")  # designs that never call a language model
MODES = ("json", "tools", "md_json")  # instructor modes: how a model is asked for structured output


def check_design(design: str) -> None:
    """Refuse an unknown design before anything (a model, a server) is started for it."""
    if design not in DESIGNS:
        raise ConfigurationError(f"unknown design {design!r}: choose one of {', '.join(DESIGNS)}")


def needs_model(design: str) -> bool:
    """Whether ``design`` asks a language model (so a session must open one)."""
    return design not in MODEL_FREE


@dataclass(frozen=True)
class Setting:
    """One shared setting: keyword, flag, variable, default, help, and how a value is read."""

    name: str  # the keyword in the API and in every command function
    flag: str  # the long command-line flag
    env: str  # the LLMX_* variable (its suffix; see ``variable``)
    help: str
    kind: Kind = "text"
    default: Any = None
    metavar: str | None = None
    choices: tuple[str, ...] = ()  # for kind "choice"
    fallbacks: tuple[str, ...] = ()  # other variables read when LLMX_* is not set (OPENAI_*)

    @property
    def variable(self) -> str:
        return f"LLMX_{self.env}"


SETTINGS: tuple[Setting, ...] = (
    Setting("base_url", "--base-url", "BASE_URL", "OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1 "
            "(not given: run the embedded model)", fallbacks=("OPENAI_BASE_URL",)),
    Setting("model", "--model", "MODEL", "model name at the endpoint; default: the endpoint's first"),
    Setting("api_key", "--api-key", "API_KEY", "API key (also read from OPENAI_API_KEY)",
            default="sk-no-key-required", fallbacks=("OPENAI_API_KEY",)),
    Setting("mode", "--mode", "MODE", "instructor mode [default json]", kind="choice", default=MODES[0],
            choices=MODES),
    Setting("model_path", "--model-path", "MODEL_PATH", "run this GGUF file instead of the embedded model",
            kind="path"),
    Setting("cache_dir", "--cache-dir", "CACHE_DIR",
            "response cache (one that cannot be used is bypassed, with a warning)", kind="dir"),
    Setting("no_cache", "--no-cache", "NO_CACHE", "neither read nor write the response cache", kind="flag",
            default=False),
    Setting("trace_dir", "--trace", "TRACE", "keep each model call's messages and raw answer as JSON files in DIR",
            kind="folder", metavar="DIR"),
    Setting("timeout", "--timeout", "TIMEOUT", "longest wait for each whole model answer [default 300]; a server "
            "silent (or dripping) that long ends the run", kind="seconds", metavar="SECONDS"),
    Setting("deadline", "--deadline", "DEADLINE", "longest time one report may take with the model, retries and "
            "Retry-After waits included [default 1800]", kind="seconds", metavar="SECONDS"),
    Setting("design", "--design", "DESIGN", "how figures are labelled (learned, rules = no model at all)", kind="choice",
            default=DESIGNS[0], choices=DESIGNS),
    Setting("prompt_version", "--prompt", "PROMPT", "prompt version for the design (e.g. choice-v1); "
            "default: the newest", metavar="VERSION"),
    Setting("report_type", "--type", "TYPE", "report type: bundled (schemas/) or an installed "
            "llmx.report_types plug-in", default="fazhi"),
    Setting("labeller", "--labeller", "LABELLER", "a labeller trained by `llmx train` [default: the report "
            "type's own]", kind="path", metavar="FILE"),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}

#: The settings that choose how a model is reached and asked (``model/config.py``'s ``LLMConfig``).
MODEL_SETTINGS = ("base_url", "model", "api_key", "mode", "model_path", "cache_dir", "no_cache", "trace_dir",
                  "timeout", "deadline")
#: The settings that choose how a report is read (the report type, its design, prompt and labeller).
RUN_SETTINGS = ("design", "prompt_version", "report_type", "labeller")

_YES = ("1", "true", "yes", "y", "on")  # how click reads a flag's variable, so the API reads it the same


def from_environment(name: str, environ: Mapping[str, str] | None = None) -> Any:
    """A setting's value from its variable (or a fallback), ``None`` when none is set."""
    setting = BY_NAME[name]
    env = os.environ if environ is None else environ
    for variable in (setting.variable, *setting.fallbacks):
        value = env.get(variable)
        if value:
            return value.strip().lower() in _YES if setting.kind == "flag" else value
    return None


def resolve(given: Mapping[str, Any], names: tuple[str, ...], environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Each of ``names``: the value given (not ``None``/false), else its variable, else its default."""
    out = {}
    for name in names:
        value = given.get(name) if _is_given(given.get(name)) else from_environment(name, environ)
        out[name] = BY_NAME[name].default if value is None else value
    return out


def is_default(given: Mapping[str, Any], name: str, environ: Mapping[str, str] | None = None) -> bool:
    """Whether ``resolve`` falls to the setting's default: neither given nor set in its variable."""
    return not _is_given(given.get(name)) and from_environment(name, environ) is None


def _is_given(value: Any) -> bool:
    return not (value is None or value is False or value == "")


def cache_home() -> Path:
    """The one folder llmx keeps files of its own in (responses, models, a ready-made gazetteer):
    ``$LLMX_CACHE_DIR``, else ``llmx`` in the platform's user cache folder.  Every cache below it is
    rebuilt when missing, so deleting it only costs time."""
    env = from_environment("cache_dir")
    if env:
        return Path(env).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / "llmx" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "llmx"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "llmx"
