"""Read terraform-plugin-sdk schema literals out of Go source, well enough to check the rules written from it.

Not a Go parser: it tokenizes (strings, raw strings, runes, comments), groups brackets, and reads every
`"name": { Type: ..., Required: ..., ... }` entry with the line its key is on and the text of each property. Schema
built by function calls or with computed flags (`ForceNew: !isUpdatable`) comes back as text, not as a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: The schema.Schema properties worth reading.
PROPERTIES = frozenset(
    {"Type", "Required", "Optional", "Computed", "ForceNew", "MaxItems", "MinItems", "ValidateFunc", "Elem"}
)


@dataclass
class Group:
    """A bracketed run of tokens: `{...}`, `(...)` or `[...]`."""

    open: str
    line: int
    items: list[Token | Group] = field(default_factory=list)


@dataclass(frozen=True)
class Token:
    kind: str  # "str", "raw", "rune", "id" or "punct"
    text: str
    line: int


@dataclass(frozen=True)
class Entry:
    """One schema entry: its key's line and the text of each property (`{"ForceNew": "true", ...}`)."""

    name: str
    line: int
    properties: dict[str, str]


def tokenize(source: str) -> list[Token]:
    tokens, i, line, size = [], 0, 1, len(source)
    while i < size:
        c = source[i]
        if c == "\n":
            line += 1
            i += 1
        elif c in " \t\r":
            i += 1
        elif source.startswith("//", i):
            end = source.find("\n", i)
            i = size if end < 0 else end
        elif source.startswith("/*", i):
            end = source.index("*/", i)
            line += source.count("\n", i, end)
            i = end + 2
        elif c in "\"'":
            j = i + 1
            while source[j] != c:
                j += 2 if source[j] == "\\" else 1
            tokens.append(Token("str" if c == '"' else "rune", source[i : j + 1], line))
            i = j + 1
        elif c == "`":
            j = source.index("`", i + 1)
            tokens.append(Token("raw", source[i : j + 1], line))
            line += source.count("\n", i, j)
            i = j + 1
        elif c.isalnum() or c == "_":
            j = i
            while j < size and (source[j].isalnum() or source[j] == "_"):
                j += 1
            tokens.append(Token("id", source[i:j], line))
            i = j
        else:
            tokens.append(Token("punct", c, line))
            i += 1
    return tokens


def group(tokens: list[Token]) -> Group:
    root = Group("", 0)
    stack = [root]
    for token in tokens:
        if token.kind == "punct" and token.text in "{([":
            child = Group(token.text, token.line)
            stack[-1].items.append(child)
            stack.append(child)
        elif token.kind == "punct" and token.text in "})]":
            stack.pop()
        else:
            stack[-1].items.append(token)
    return root


def text(items: list[Token | Group]) -> str:
    """Source-like text of a token run (spacing normalized)."""
    out = []
    for item in items:
        if isinstance(item, Group):
            close = {"{": "}", "(": ")", "[": "]"}[item.open]
            out.append(item.open + text(item.items) + close)
        else:
            out.append(item.text)
    return " ".join(out)


def _elements(block: Group) -> list[tuple[list[Token | Group], list[Token | Group]]]:
    """The comma-separated `key: value` elements of a `{...}` group (key empty when there is no colon)."""
    elements: list[list[Token | Group]] = [[]]
    for item in block.items:
        if isinstance(item, Token) and item.kind == "punct" and item.text == ",":
            elements.append([])
        else:
            elements[-1].append(item)
    found = []
    for element in elements:
        colon = next(
            (i for i, x in enumerate(element) if isinstance(x, Token) and x.kind == "punct" and x.text == ":"), None
        )
        if element:
            found.append(([], element) if colon is None else (element[:colon], element[colon + 1 :]))
    return found


def entries(source: str) -> list[Entry]:
    """Every `"name": {...schema properties...}` entry in the file, at any depth."""
    found: list[Entry] = []

    def visit(node: Group) -> None:
        if node.open == "{":
            for key, value in _elements(node):
                body = next((x for x in value if isinstance(x, Group) and x.open == "{"), None)
                if len(key) == 1 and isinstance(key[0], Token) and key[0].kind == "str" and body is not None:
                    props = {
                        k[0].text: text(v)
                        for k, v in _elements(body)
                        if len(k) == 1 and isinstance(k[0], Token) and k[0].text in PROPERTIES
                    }
                    if "Type" in props:
                        found.append(Entry(key[0].text.strip('"'), key[0].line, props))
        for item in node.items:
            if isinstance(item, Group):
                visit(item)

    visit(group(tokenize(source)))
    return found
