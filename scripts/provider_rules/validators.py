"""The providers' validators, rewritten in Python from their Go source (each cites the function it follows).

A validator returns None for a good value, else one line saying why the provider refuses it. Values Terraform only
knows at apply time (`${...}` expressions) are never passed in: `terraform validate` skips unknown values too.
Go's `regexp.MatchString` finds a match anywhere in the string, like Python's `re.search`: patterns that must match
the whole value carry their own `^...$`, exactly as in the Go source.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Mapping
from typing import Any

from scripts.provider_rules.model import Validator


@functools.cache
def _go_regexp(pattern: str) -> re.Pattern[str]:
    """A Go (RE2) pattern for Python's `re`: the syntax the validators use is shared, but Go's `$` matches only at
    the end of the text where Python's also matches before a final newline, so `$` becomes `\\Z`."""
    if "\\$" in pattern:
        raise ValueError(f"escaped $ in {pattern!r}: translate it by hand")
    return re.compile(pattern.replace("$", r"\Z"))


def go_search(pattern: str, text: str) -> bool:
    """Go's `regexp.MustCompile(pattern).MatchString(text)`: a match anywhere unless the pattern anchors it."""
    return _go_regexp(pattern).search(text) is not None


def is_unknown(value: Any) -> bool:
    """A Terraform expression (a reference resolved at apply time): nothing to validate before then."""
    return isinstance(value, str) and "${" in value


def all_of(*validators: Validator) -> Validator:
    """Every validator's complaint, joined: Go validators append all their errors before returning."""

    def check(value: Any) -> str | None:
        found = [message for v in validators if (message := v(value)) is not None]
        return "; ".join(found) or None

    return check


def one_of(*allowed: str) -> Validator:
    """validation.StringInSlice(allowed, false) (plugin-sdk helper/validation/strings.go:135-152), and the google
    provider's verify.ValidateEnum, which is the same (google/verify/validation.go:121-123)."""

    def check(value: Any) -> str | None:
        return None if value in allowed else f"expected one of {list(allowed)}, got {value!r}"

    check.allowed = allowed  # type: ignore[attr-defined]  # read by verify.py to compare with the Go source
    return check


def int_at_least(minimum: int) -> Validator:
    """validation.IntAtLeast (plugin-sdk helper/validation/int.go:34-47)."""

    def check(value: Any) -> str | None:
        return None if value >= minimum else f"expected to be at least ({minimum}), got {value}"

    return check


def int_between(low: int, high: int) -> Validator:
    """validation.IntBetween (plugin-sdk helper/validation/int.go:15-28), IsPortNumber (network.go:147-159: 1-65535)
    and IsPortNumberOrZero (network.go:162-174: 0-65535)."""

    def check(value: Any) -> str | None:
        return None if low <= value <= high else f"expected to be in the range ({low} - {high}), got {value}"

    return check


def length_between(low: int, high: int) -> Validator:
    """validation.StringLenBetween (plugin-sdk helper/validation/strings.go:74-88); Go's len counts bytes."""

    def check(value: Any) -> str | None:
        size = len(str(value).encode())
        return None if low <= size <= high else f"expected length in the range ({low} - {high}), got {size}"

    return check


def matches(pattern: str, message: str | None = None) -> Validator:
    """verify.ValidateRegexp / validation.StringMatch with Go's unanchored MatchString."""
    _go_regexp(pattern)  # a bad pattern fails when the rules are loaded, not when a value is checked

    def check(value: Any) -> str | None:
        if go_search(pattern, str(value)):
            return None
        return message or f"{value!r} does not match {pattern!r}"

    return check


def rfc1035_name(low: int, high: int) -> Validator:
    """verify.ValidateRFC1035Name(min, max) (google/verify/validation.go:164-185): length in [min, max] and
    `^[a-z]([-a-z0-9]*[a-z0-9])?$` (RFC1035NameTemplate, validation.go:41)."""
    return all_of(
        length_between(low, high),
        matches(
            r"^[a-z]([-a-z0-9]*[a-z0-9])?$",
            "must start with a letter, end with a letter or digit, hold only lowercase letters, digits and '-'",
        ),
    )


#: verify.ValidateGCEName (google/verify/validation.go:103-106): a Compute Engine resource name.
gce_name = matches(
    r"^(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)$",
    "must be 1-63 characters: a lowercase letter, then lowercase letters, digits or '-', not ending with '-'",
)


def _go_parse_cidr(value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """Go's net.ParseCIDR: `address/prefix` with a decimal prefix (no netmask notation, no bare address); the host
    bits may be set. None when Go would return an error."""
    address, slash, prefix = value.partition("/")
    if not slash or not prefix.isdigit() or not prefix.isascii():
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if int(prefix) > ip.max_prefixlen:
        return None
    return ipaddress.ip_network(f"{address}/{prefix}", strict=False)


def parses_as_cidr(value: Any) -> str | None:
    """verify.ValidateIpCidrRange (google/verify/validation.go:187-193): only net.ParseCIDR must succeed."""
    return None if _go_parse_cidr(str(value)) is not None else f"{value!r} is not a valid IP CIDR range"


def cidr_network(low: int, high: int) -> Validator:
    """validation.IsCIDRNetwork(min, max) (plugin-sdk helper/validation/network.go:103-129): net.ParseCIDR succeeds,
    the value is the network's canonical form (host bits zero), and the prefix length is within [min, max]."""

    def check(value: Any) -> str | None:
        network = _go_parse_cidr(str(value))
        if network is None:
            return f"{value!r} is not a valid CIDR"
        problems = []
        if str(network) != value:
            problems.append(f"expected a network value, expected {network}, got {value}")
        if not low <= network.prefixlen <= high:
            problems.append(f"expected between {low} and {high} significant bits, got {network.prefixlen}")
        return "; ".join(problems) or None

    return check


def or_empty(validator: Validator) -> Validator:
    """verify.OrEmpty (google/verify/validation.go:204-212): the empty string passes."""
    return lambda value: None if value == "" else validator(value)


def rfc3339_time(value: Any) -> str | None:
    """verify.ValidateRFC3339Time (google/verify/validation.go:147-162): `HH:mm`, hour 00-23, minute 00-59."""
    text = str(value)
    if len(text) != 5 or text[2] != ":" or not (text[:2] + text[3:]).isdigit():
        return f"{value!r} must be in the format HH:mm (RFC3339)"
    if int(text[:2]) > 23 or int(text[3:]) > 59:
        return f"{value!r} does not contain a valid hour (00-23) and minute (00-59)"
    return None


def iam_member(value: Any) -> str | None:
    """validateIAMMember (google/tpgiamresource/resource_iam_member.go:42-60)."""
    text = str(value)
    if go_search("^deleted", text):
        return "Terraform does not support IAM members for deleted principals"
    if not go_search("(.+:.+|projectOwners|projectReaders|projectWriters|allUsers|allAuthenticatedUsers)", text):
        return f"invalid value {text!r} (IAM members must be type:identifier, allUsers or allAuthenticatedUsers)"
    return None


def workload_identity_pool_id(value: Any) -> str | None:
    """ValidateWorkloadIdentityPoolId / ValidateWorkloadIdentityPoolProviderId (google/services/iambeta/
    resource_iam_workload_identity_pool.go:38-64, resource_iam_workload_identity_pool_provider.go:39-65)."""
    text = str(value)
    problems = []
    if text.startswith("gcp-"):
        problems.append('can not start with "gcp-"')
    if not go_search(r"^[0-9a-z-]+$", text):
        problems.append("must contain only lowercase letters (a-z), numbers (0-9), or dashes (-)")
    if len(text) < 4:
        problems.append("cannot be smaller than 4 characters")
    if len(text) > 32:
        problems.append("cannot be greater than 32 characters")
    return "; ".join(problems) or None


def gcs_label_keys(value: Any) -> str | None:
    """labelKeyValidator (google/services/storage/resource_storage_bucket.go:689-703): keys `^[a-z0-9_-]{1,63}$`."""
    bad = [key for key in _mapping(value) if not go_search(r"^[a-z0-9_-]{1,63}$", key)]
    return f"invalid label keys {bad}" if bad else None


def cluster_name(value: Any) -> str | None:
    """The google_container_cluster `name` ValidateFunc (resource_container_cluster.go:277-297)."""
    text = str(value)
    problems = []
    if len(text) > 40:
        problems.append("cannot be longer than 40 characters")
    if not go_search("^[a-z0-9-]+$", text):
        problems.append("can only contain lowercase letters, numbers and hyphens")
    if not go_search("^[a-z]", text):
        problems.append("must start with a letter")
    if not go_search("[a-z0-9]$", text):
        problems.append("must end with a number or a letter")
    return "; ".join(problems) or None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


# --- Kubernetes (k8s.io/apimachinery v0.28.6 pkg/util/validation/validation.go, as the kubernetes provider calls it)

_QUALIFIED_NAME = r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$"  # validation.go:31-37
_DNS1123_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"  # :178, 205


def _dns1123_subdomain(text: str) -> list[str]:
    """IsDNS1123Subdomain (validation.go:215-224): at most 253 characters of RFC 1123 labels joined by dots."""
    problems = []
    if len(text) > 253:
        problems.append("must be no more than 253 characters")
    if not go_search(_DNS1123_SUBDOMAIN, text):
        problems.append(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
            "'.', and must start and end with an alphanumeric character"
        )
    return problems


def _qualified_name(text: str) -> list[str]:
    """IsQualifiedName (validation.go:43-72): an optional DNS-subdomain prefix and '/', then a name of at most 63
    alphanumerics, '-', '_' or '.', starting and ending alphanumeric."""
    parts = text.split("/")
    if len(parts) > 2:
        return ["a qualified name has at most one '/'"]
    problems = []
    if len(parts) == 2:
        prefix = parts[0]
        problems += (
            ["prefix part must be non-empty"]
            if not prefix
            else [f"prefix part {p}" for p in _dns1123_subdomain(prefix)]
        )
    name = parts[-1]
    if not name:
        problems.append("name part must be non-empty")
    elif len(name) > 63:
        problems.append("name part must be no more than 63 characters")
    if not go_search(_QUALIFIED_NAME, name):
        problems.append(
            "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
            "with an alphanumeric character"
        )
    return problems


def _label_value(text: str) -> list[str]:
    """IsValidLabelValue (validation.go:156-176): empty, or a qualified-name-shaped value of at most 63 characters."""
    problems = ["must be no more than 63 characters"] if len(text) > 63 else []
    if text and not go_search(_QUALIFIED_NAME, text):
        problems.append(
            "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
            "'.', and must start and end with an alphanumeric character"
        )
    return problems


def kube_name(value: Any) -> str | None:
    """validateName (kubernetes/validators.go:66-75) = NameIsDNSSubdomain = IsDNS1123Subdomain."""
    return "; ".join(_dns1123_subdomain(str(value))) or None


def path_segment_name(value: Any) -> str | None:
    """validateRBACNameFunc (kubernetes/schema_rbac.go:33-42) = IsValidPathSegmentName (k8s.io/apimachinery v0.28.6
    pkg/api/validation/path/name.go:24-46): not "." or "..", no "/" or "%" (RBAC names may hold ":")."""
    text = str(value)
    if text in (".", ".."):
        return f"may not be '{text}'"
    return "; ".join(f"may not contain '{c}'" for c in ("/", "%") if c in text) or None


def kube_labels(value: Any) -> str | None:
    """validateLabels (kubernetes/validators.go:89-105): keys are qualified names, values label values."""
    problems = []
    for key, item in _mapping(value).items():
        problems += [f"key {key!r}: {p}" for p in _qualified_name(key)]
        if not is_unknown(item):
            problems += [f"value {item!r}: {p}" for p in _label_value(str(item))]
    return "; ".join(problems) or None


def kube_annotations(value: Any) -> str | None:
    """validateAnnotations (kubernetes/validators.go:21-32): keys, lower-cased, are qualified names."""
    problems = [f"key {key!r}: {p}" for key in _mapping(value) for p in _qualified_name(key.lower())]
    return "; ".join(problems) or None


def _port_name(text: str) -> list[str]:
    """IsValidPortName (validation.go:334-352): an IANA service name."""
    problems = ["must be no more than 15 characters"] if len(text) > 15 else []
    if not go_search("^[-a-z0-9]+$", text):
        problems.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not go_search("[a-z]", text):
        problems.append("must contain at least one letter (a-z)")
    if "--" in text:
        problems.append("must not contain consecutive hyphens")
    if text[:1] == "-" or text[-1:] == "-":
        problems.append("must not begin or end with a hyphen")
    return problems


def port_number_or_name(value: Any) -> str | None:
    """validatePortNumOrName (kubernetes/validators.go:126-140): an int (or a string of digits) is a port number
    1-65535 (IsValidPortNum), any other string an IANA port name."""
    if isinstance(value, int) or (isinstance(value, str) and value.lstrip("-").isdigit()):
        number = int(value)
        return None if 1 <= number <= 65535 else f"must be between 1 and 65535, inclusive, got {number}"
    return "; ".join(_port_name(str(value))) or None


def positive_int(value: Any) -> str | None:
    """validatePositiveInteger (kubernetes/validators.go:182-188)."""
    return None if value > 0 else f"must be greater than 0, got {value}"


def non_negative_int(value: Any) -> str | None:
    """validateTerminationGracePeriodSeconds (kubernetes/validators.go:190-196)."""
    return None if value >= 0 else f"must be greater than or equal to 0, got {value}"


def _go_int(text: str, bits: int) -> bool:
    """strconv.ParseInt(text, 10, bits) succeeds: an optional sign, decimal digits, in range."""
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        return False
    return -(2 ** (bits - 1)) <= int(text) < 2 ** (bits - 1)


def nullable_int(value: Any) -> str | None:
    """validateTypeStringNullableInt (kubernetes/validators.go:208-226): "" or a 64-bit decimal integer."""
    text = str(value)
    return None if text == "" or _go_int(text, 64) else f"cannot parse {text!r} as int"


def nullable_int_or_percent(value: Any) -> str | None:
    """validateTypeStringNullableIntOrPercent (kubernetes/validators.go:268-292): "", an int32, or N% with N in
    0-100."""
    text = str(value)
    if text == "":
        return None
    if text.endswith("%"):
        number = text[:-1]
        if not _go_int(number, 32):
            return f"cannot parse {text!r} as percent"
        return None if 0 <= int(number) <= 100 else f"{text!r} is not between 0% and 100%"
    return None if _go_int(text, 32) else f"cannot parse {text!r} as int or percent"


def resource_quantity(value: Any) -> str | None:
    """validateResourceQuantity (kubernetes/validators.go:164-172) -> resource.ParseQuantity, whose first test is
    splitREString (apimachinery pkg/api/resource/quantity.go:147); suffixes beyond that test are not modelled."""
    if go_search(r"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$", str(value)):
        return None
    return f"quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$', got {value!r}"


# --- Google APIs (no provider validator; the API refuses these at apply)


def gcs_bucket_name(value: Any) -> str | None:
    """Cloud Storage bucket name requirements (https://cloud.google.com/storage/docs/naming-buckets, read
    2026-12-02): lowercase letters, digits, '-', '_' and '.'; starts and ends with a letter or digit; 3-63 characters
    (up to 222 with dots, each dot-separated part at most 63); not an IPv4 address; no "goog" prefix; no "google"."""
    text = str(value)
    problems = []
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]*[a-z0-9]", text):
        problems.append(
            "must hold only lowercase letters, digits, '-', '_' and '.', and start and end with a letter or digit"
        )
    if "." in text:
        if len(text) > 222 or any(len(part) > 63 for part in text.split(".")):
            problems.append("with dots: at most 222 characters, each dot-separated part at most 63")
    elif not 3 <= len(text) <= 63:
        problems.append(f"must be 3-63 characters, got {len(text)}")
    if re.fullmatch(r"[0-9]{1,3}(\.[0-9]{1,3}){3}", text):
        problems.append("must not be an IP address in dotted-decimal notation")
    if text.startswith("goog"):
        problems.append('must not begin with "goog"')
    if "google" in text:
        problems.append('must not contain "google"')
    return "; ".join(problems) or None


#: Secret Manager secret IDs (https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets/create,
#: googleapis google/cloud/secretmanager/v1/service.proto:369; read 2026-12-02): at most 255 letters, digits, '-', '_'.
secret_id = matches(r"^[A-Za-z0-9_-]{1,255}$", "must be 1-255 letters, digits, '-' or '_'")
