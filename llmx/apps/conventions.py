"""The command-line habits every llmx command shares: ``-h``, and an environment variable per option.

Why in one place, applied to the finished command tree: a command added
later gets the same habits without remembering them.  Options every model
command shares keep one short name whatever the command (``LLMX_BASE_URL``,
``LLMX_DESIGN``, ``LLMX_TRACE``), because they mean the same everywhere;
every other option is ``LLMX_<COMMAND>_<LONG OPTION>`` (``LLMX_EXTRACT_OUTPUT``,
``LLMX_BATCH_JOBS``, ``LLMX_EVAL_COMPARE_HTML``), because ``-o`` of ``extract``
and ``-o`` of ``score`` are different things.  Help shows each.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import click

from llmx.options import BY_NAME, SETTINGS

#: Context settings of the root group; subcommands inherit them.
CONTEXT = {"help_option_names": ["-h", "--help"]}

#: Option names (as the function receives them) that share one variable across commands: the option
#: table's settings (``llmx/options.py``), and batch's repeatable ``--base-url``.
SHARED = {setting.name: setting.env for setting in SETTINGS} | {"base_urls": BY_NAME["base_url"].env}


def commands(group: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every command under ``group`` with its path of names (the root's is empty)."""
    yield path, group
    if isinstance(group, click.Group):
        ctx = click.Context(group)
        for name in sorted(group.list_commands(ctx)):
            command = group.get_command(ctx, name)  # a lazy group loads it here
            if command is not None:
                yield from commands(command, (*path, name))


def env_name(path: tuple[str, ...], option: click.Option) -> str:
    """The variable that sets ``option`` of the command at ``path``: named after its long flag, as users see it."""
    if option.envvar:
        return option.envvar if isinstance(option.envvar, str) else option.envvar[0]
    if option.name in SHARED:
        return f"LLMX_{SHARED[option.name]}"
    flag = max(option.opts, key=len).lstrip("-")
    return "_".join(["LLMX", *path, flag]).upper().replace("-", "_")


def settable(option: click.Parameter) -> bool:
    """Options a user sets (``--version`` is an action, not a setting)."""
    return isinstance(option, click.Option) and option.expose_value


def apply(root: click.Command, path: tuple[str, ...] = ()) -> None:
    """Give every command under ``root`` (at ``path``) ``-h`` and every option its variable, shown in ``-h``.

    ``-h`` is set on each command, not only inherited from the root: click
    caches a command's help option the first time it runs, so a command run
    on its own first (``batch_command`` in a test) would otherwise lose it.
    """
    for where, command in commands(root, path):
        command.context_settings.update(CONTEXT)
        for option in command.params:
            if not settable(option):
                continue
            assert isinstance(option, click.Option)
            option.envvar = env_name(where, option)
            option.show_envvar = True


class LazyGroup(click.Group):
    """A group whose commands are imported when one is run, each given the habits above as it loads.

    Why: importing every command's module (batch's progress bars, assess's
    pages, eval's scorer) cost a one-report ``extract`` about a tenth of a
    second of cold start (``bench/coldstart.py``).  ``lazy`` maps a command's
    name to ``"module:attribute"``.
    """

    def __init__(self, *args: Any, lazy: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.lazy, *self.commands})

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.lazy and args[0] not in self.commands:
            for name in self.lazy:  # a mistyped name: load them all, so click can suggest the nearest
                self.get_command(ctx, name)
        return super().resolve_command(ctx, args)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            module, _, attribute = self.lazy[cmd_name].partition(":")
            command = getattr(importlib.import_module(module), attribute)
            apply(command, (cmd_name,))
            self.add_command(command, cmd_name)
        return self.commands.get(cmd_name)
