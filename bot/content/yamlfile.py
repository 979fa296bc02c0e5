"""Read staff-edited YAML safely, remembering the line of every key.

YAML 1.1 turns `yes`, `no`, `on` and `off` into booleans, so a Swahili or English
answer written as a plain word would silently become True or False. This reader
keeps only `true` and `false` as booleans, never builds Python objects, and
reports duplicate keys, which PyYAML would otherwise drop without a word.
"""

import re

import yaml


class StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """SafeLoader without the yes/no/on/off booleans; libyaml's parser where PyYAML has it, since
    reading every flow and text file is most of the time the app takes to start."""


StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class YamlError(Exception):
    """The file is not readable YAML; carries the line."""

    def __init__(self, message, line=None):
        super().__init__(message)
        self.line = line


def load(text):
    """Return (data, lines, duplicates) for a YAML document.

    `lines` maps a key path such as ("states", "menu") to its 1-based line;
    `duplicates` lists (path, line) of keys written twice in one mapping.
    """
    try:
        loader = StrictLoader(text)  # the reader refuses control characters right here
    except yaml.YAMLError as err:
        raise YamlError(f"{getattr(err, 'reason', err)}") from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}, []
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        raise YamlError(f"{err.problem or err}", line) from None
    except yaml.YAMLError as err:
        raise YamlError(str(err)) from None
    finally:
        loader.dispose()
    lines, duplicates = {}, []
    _walk(node, (), lines, duplicates)
    return data, lines, duplicates


def _walk(node, path, lines, duplicates):
    if isinstance(node, yaml.MappingNode):
        seen = set()
        for key_node, value_node in node.value:
            key = key_node.value
            here = path + (key,)
            if key in seen:
                duplicates.append((here, key_node.start_mark.line + 1))
            seen.add(key)
            lines.setdefault(here, key_node.start_mark.line + 1)
            _walk(value_node, here, lines, duplicates)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines.setdefault(path + (index,), item.start_mark.line + 1)
            _walk(item, path + (index,), lines, duplicates)


def line_of(lines, *path):
    """Return the line of the deepest known part of `path`."""
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return None
