"""YAML read safely: no duplicate keys, a bounded number of aliases, a bounded size.

PyYAML's ``safe_load`` builds no objects but still expands aliases: a 1 kB file of nested
aliases (the "billion laughs") takes gigabytes. It also keeps the last of two equal keys without
a word. :func:`load_yaml_text` refuses both, with the line, in Chinese and English.

A text with no anchor or alias (no ``&`` or ``*``: every real department file) is read by
libyaml, ten times faster, with the same strict construction; the others by the pure-Python
reader that counts aliases. The two readers differ on a few malformed texts (libyaml accepts
some tabs the Python reader refuses, and refuses a byte-order mark inside the text).
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_ALIASES = 100
"""More aliases than this in one file is refused (real department files use none)."""
MAX_YAML_BYTES = 2_000_000
"""A department or parameters file larger than this is refused (real ones are a few kB)."""


class YamlProblem(ValueError):
    """A YAML text that is refused: ``line`` (1-based or None), zh and en messages."""

    def __init__(self, line: int | None, zh: str, en: str):
        self.line, self.zh, self.en = line, zh, en
        super().__init__(f"{zh} / {en}")


class _StrictConstruction(yaml.constructor.SafeConstructor):
    """Construction that names impossible dates and refuses duplicate mapping keys."""

    def construct_yaml_timestamp(self, node: Any) -> Any:
        """A date or time; an impossible one (``2021-02-30``) names its line."""
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise YamlProblem(
                node.start_mark.line + 1,
                f"日期“{node.value}”不存在（{exc}）",
                f"the date {node.value!r} does not exist ({exc})",
            ) from exc

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                continue  # PyYAML reports unhashable keys itself
            if key in seen:
                raise YamlProblem(
                    key_node.start_mark.line + 1,
                    f"键“{key}”重复（第 {seen[key]} 行已有）",
                    f"duplicate key {key!r} (already on line {seen[key]})",
                )
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


class _StrictLoader(_StrictConstruction, yaml.SafeLoader):
    """SafeLoader that counts aliases and rejects duplicate mapping keys."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self.alias_count = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self.alias_count += 1
            if self.alias_count > MAX_ALIASES:
                mark = self.peek_event().start_mark
                raise YamlProblem(
                    mark.line + 1,
                    f"别名（*）超过 {MAX_ALIASES} 个，拒绝读取",
                    f"more than {MAX_ALIASES} aliases; refused",
                )
        return super().compose_node(parent, index)


_FastStrictLoader: Any = None
if hasattr(yaml, "CSafeLoader"):  # libyaml, as the PyYAML wheels have it

    class _FastStrictLoader(_StrictConstruction, yaml.CSafeLoader):  # type: ignore[no-redef]
        """libyaml's parser (ten times the speed) with the same strict construction.

        It composes in C, so it cannot count aliases: it reads only texts without any ``*``
        or ``&`` (real department and parameters files have none); others take
        :class:`_StrictLoader`.
        """


def load_yaml_text(text: str) -> Any:
    r"""Parse YAML text safely (see the module docstring).

    Raises:
        YamlProblem: duplicate keys, too many aliases, too large, or invalid YAML.

    Example:
        >>> load_yaml_text("name: 科技局\nfiscal_year: 2021")
        {'name': '科技局', 'fiscal_year': 2021}
        >>> load_yaml_text("a: 1\na: 2")
        Traceback (most recent call last):
        ...
        helpers.readers.safeyaml.YamlProblem: 键“a”重复（第 1 行已有） / duplicate key 'a' (already on line 1)
    """
    if len(text.encode("utf-8", "surrogatepass")) > MAX_YAML_BYTES:
        raise YamlProblem(
            None,
            f"文件超过 {MAX_YAML_BYTES // 1_000_000} MB，不像部门或参数文件",
            f"larger than {MAX_YAML_BYTES // 1_000_000} MB",
        )
    if "\x00" in text:
        raise YamlProblem(
            None,
            "文件含有空字符（NUL），不是文本（UTF-16 请另存为 UTF-8）",
            "the file contains NUL bytes; not text (save UTF-16 as UTF-8)",
        )
    loader = None
    fast = _FastStrictLoader is not None and "*" not in text and "&" not in text
    try:
        loader = _FastStrictLoader(text) if fast else _StrictLoader(text)
        return loader.get_single_data()
    except YamlProblem:
        raise
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        if "nesting depth" in str(problem):  # libyaml's limit, as RecursionError below
            raise YamlProblem(
                None if mark is None else mark.line + 1, "YAML 嵌套过深", "YAML nested too deeply"
            ) from exc
        raise YamlProblem(
            None if mark is None else mark.line + 1,
            f"YAML 格式错误（{problem}）",
            f"invalid YAML ({problem})",
        ) from exc
    except RecursionError as exc:
        raise YamlProblem(None, "YAML 嵌套过深", "YAML nested too deeply") from exc
    except ValueError as exc:  # an impossible date such as 2021-02-30
        raise YamlProblem(
            None,
            f"无效的值（{exc}），例如不存在的日期",
            f"invalid value ({exc}), e.g. an impossible date",
        ) from exc
    finally:
        if loader is not None:
            loader.dispose()


for _loader in (_StrictLoader, _FastStrictLoader):
    if _loader is not None:
        _loader.add_constructor("tag:yaml.org,2002:timestamp", _loader.construct_yaml_timestamp)
