"""A CRD's OpenAPI v3 structural schema checked the way the API server checks a custom object, for the tests.

`tests/schemas/podmonitoring-v1.json` is PodMonitoring's schema as its CRD declares it (provenance in its
`$comment`). The API server (apiextensions-apiserver, structural schemas) applies it as follows, and so does this
module:
- every OpenAPI keyword the schema uses (type, properties, required, items, additionalProperties, enum, pattern,
  minLength/maxLength, minItems/maxItems, anyOf) means what it means in JSON Schema;
- an object that declares `properties` and neither `additionalProperties` nor `x-kubernetes-preserve-unknown-fields`
  holds no other field: the API server prunes unknown fields, and with strict field validation (kubectl's default,
  `--validate=strict`, and server-side apply) it refuses them, so an unknown field is an error here;
- `x-kubernetes-list-type: set` requires unique items; `format: duration` must parse as a Go duration (the API
  server's parser also takes d/w units: checking Go's narrower grammar errs strict); other formats (int64,
  date-time) add nothing for a manifest;
- `metadata` is the standard ObjectMeta: checked against kubernetes-validate's strict ObjectMeta definition, name
  required (a create needs a name or generateName, and the kit writes names);
- `x-kubernetes-validations` (CEL) rules are evaluated by the Python equivalents in `CEL_RULES`, one per rule text;
  a rule without one is an error, so a CRD update that adds a rule cannot pass unchecked.
Any other keyword is refused, for the same reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema

SCHEMAS = Path(__file__).parent / "schemas"
OBJECT_META = "https://kubernetes.io/api/_definitions.json#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"

#: OpenAPI keywords copied as they are into JSON Schema.
_SAME = frozenset({
    "type", "required", "enum", "pattern", "minLength", "maxLength", "minItems", "maxItems", "minimum", "maximum",
})  # fmt: skip
#: Keywords that constrain nothing a manifest can violate (documentation, defaulting, merge strategy).
_INERT = frozenset({"description", "default", "x-kubernetes-map-type", "x-kubernetes-int-or-string"})
#: Read after the keywords (it decides whether unknown fields are kept).
_PRESERVE = "x-kubernetes-preserve-unknown-fields"

_GO_DURATION = re.compile(r"^[-+]?(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$")
_GO_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def go_duration_seconds(text: str) -> float:
    """Go's `time.ParseDuration` (the grammar CEL's duration type reads), in seconds."""
    if not _GO_DURATION.match(text):
        raise ValueError(f"{text!r} is not a Go duration")
    sign = -1.0 if text.startswith("-") else 1.0
    parts = re.findall(r"([0-9]*\.?[0-9]*)(ns|us|µs|μs|ms|s|m|h)", text.lstrip("+-"))
    return sign * sum(float(number) * _GO_UNIT_SECONDS[unit] for number, unit in parts)


FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("duration", raises=ValueError)
def _is_duration(value: object) -> bool:
    return not isinstance(value, str) or go_duration_seconds(value) is not None


def _get(value: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return value


def _no_secret_namespace(*path: str) -> Callable[[Any], bool]:
    """`self.spec.endpoints.all(e, !has(e.<path>) || ... || !has(e.<path>.secret.__namespace__))`: a PodMonitoring
    may only reference secrets in its own namespace."""

    def check(root: Any) -> bool:
        return all(_get(e, *path, "secret", "namespace") is None for e in _get(root, "spec", "endpoints") or [])

    return check


_PROTECTED_LABELS = frozenset({
    "project_id", "location", "cluster", "namespace", "job", "instance", "top_level_controller",
    "top_level_controller_type", "__address__",
})  # fmt: skip


def _is_url_without_userinfo(value: str) -> bool:
    """`isURL(self) && !self.matches('@')`: an absolute URL (scheme and host), no `@` anywhere."""
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc) and "@" not in value


def _timeout_within_interval(endpoint: Mapping[str, Any]) -> bool:
    if "timeout" not in endpoint:
        return True
    return go_duration_seconds(endpoint["timeout"]) <= go_duration_seconds(endpoint["interval"])


#: Every CEL rule of the schema, by its exact text, as a Python predicate on the value at the rule's node.
CEL_RULES: dict[str, Callable[[Any], bool]] = {
    "self.spec.endpoints.all(e, !has(e.authorization) || !has(e.authorization.credentials) || "
    "!has(e.authorization.credentials.secret) || !has(e.authorization.credentials.secret.__namespace__))": (
        _no_secret_namespace("authorization", "credentials")
    ),
    "self.spec.endpoints.all(e, !has(e.basicAuth) || !has(e.basicAuth.password) || "
    "!has(e.basicAuth.password.secret) || !has(e.basicAuth.password.secret.__namespace__))": (
        _no_secret_namespace("basicAuth", "password")
    ),
    "self.spec.endpoints.all(e, !has(e.tls) || !has(e.tls.ca) || !has(e.tls.ca.secret) || "
    "!has(e.tls.ca.secret.__namespace__))": _no_secret_namespace("tls", "ca"),
    "self.spec.endpoints.all(e, !has(e.tls) || !has(e.tls.cert) || !has(e.tls.cert.secret) || "
    "!has(e.tls.cert.secret.__namespace__))": _no_secret_namespace("tls", "cert"),
    "self.spec.endpoints.all(e, !has(e.tls) || !has(e.tls.key) || !has(e.tls.key.secret) || "
    "!has(e.tls.key.secret.__namespace__))": _no_secret_namespace("tls", "key"),
    "self.spec.endpoints.all(e, !has(e.oauth2) || !has(e.oauth2.clientSecret) || "
    "!has(e.oauth2.clientSecret.secret) || !has(e.oauth2.clientSecret.secret.__namespace__))": (
        _no_secret_namespace("oauth2", "clientSecret")
    ),
    "!has(self.timeout) || self.timeout <= self.interval": _timeout_within_interval,
    "((has(self.authorization) ? 1 : 0) + (has(self.basicAuth) ? 1 : 0) + (has(self.oauth2) ? 1 : 0)) <= 1": (
        lambda e: sum(key in e for key in ("authorization", "basicAuth", "oauth2")) <= 1
    ),
    "self != 'Basic'": lambda value: value != "Basic",
    "!has(self.action) ||  self.action != 'labeldrop' || has(self.regex)": (
        lambda r: r.get("action") != "labeldrop" or "regex" in r
    ),
    "self != 'project_id' && self != 'location' && self != 'cluster' && self != 'namespace' && self != 'job' && "
    "self != 'instance' && self != 'top_level_controller' && self != 'top_level_controller_type' && "
    "self != '__address__'": lambda value: value not in _PROTECTED_LABELS,
    "isURL(self) && !self.matches('@')": _is_url_without_userinfo,
    "has(self.cert) == has(self.key)": lambda tls: ("cert" in tls) == ("key" in tls),
    "self != 0": lambda value: value != 0,
}


def load_crd_schema(name: str) -> dict[str, Any]:
    """The stored OpenAPI v3 schema `tests/schemas/<name>.json`."""
    return json.loads((SCHEMAS / f"{name}.json").read_text())["openAPIV3Schema"]


def to_json_schema(node: Mapping[str, Any], where: str = "") -> dict[str, Any]:
    """The JSON Schema (2020-12) the API server's structural validation amounts to, CEL rules aside (module doc)."""
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _SAME:
            out[key] = value
        elif key == "format":
            if value == "duration":
                out["format"] = "duration"
        elif key == "properties":
            out["properties"] = {name: to_json_schema(child, f"{where}.{name}") for name, child in value.items()}
        elif key == "items":
            out["items"] = to_json_schema(value, f"{where}[]")
        elif key == "additionalProperties":
            out["additionalProperties"] = value if isinstance(value, bool) else to_json_schema(value, f"{where}{{}}")
        elif key == "anyOf":
            out["anyOf"] = [to_json_schema(choice, where) for choice in value]
        elif key == "x-kubernetes-list-type":
            if value == "set":
                out["uniqueItems"] = True
        elif key == "x-kubernetes-validations":
            unknown = [rule["rule"] for rule in value if rule["rule"] not in CEL_RULES]
            if unknown:
                raise ValueError(f"{where or '.'}: CEL rule {unknown[0]!r} has no Python equivalent in CEL_RULES")
        elif key not in _INERT and key != _PRESERVE:
            raise ValueError(f"{where or '.'}: schema keyword {key!r} is not handled")
    preserves = node.get(_PRESERVE)
    if "properties" in node and "additionalProperties" not in node and not preserves:
        out["additionalProperties"] = False
    if where == "":
        out["properties"]["metadata"] = {"$ref": OBJECT_META, "required": ["name"]}
    return out


def cel_violations(node: Mapping[str, Any], value: Any, where: str = "") -> Iterator[str]:
    """`where: rule` for every CEL rule the value breaks, at every node of the schema the value reaches."""
    for rule in node.get("x-kubernetes-validations", ()):
        if not CEL_RULES[rule["rule"]](value):
            yield f"{where or '.'}: {rule.get('message') or rule['rule']}"
    if isinstance(value, Mapping):
        for name, child in (node.get("properties") or {}).items():
            if name in value:
                yield from cel_violations(child, value[name], f"{where}.{name}")
        extra = node.get("additionalProperties")
        if isinstance(extra, Mapping):
            for name, item in value.items():
                if name not in (node.get("properties") or {}):
                    yield from cel_violations(extra, item, f"{where}.{name}")
    elif isinstance(value, list) and "items" in node:
        for index, item in enumerate(value):
            yield from cel_violations(node["items"], item, f"{where}[{index}]")
