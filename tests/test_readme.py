"""README.md stays true: every config key and every CLI command is documented there."""

from __future__ import annotations

import re
import typing

import click
from pydantic import BaseModel

from modules.config import Environment
from modules.config.pools import PoolBase
from scripts.cli import main
from tests.conftest import REPO

README = (REPO / "README.md").read_text()


def models_in(annotation: object) -> list[type[BaseModel]]:
    found = []
    for arg in [annotation, *typing.get_args(annotation)]:
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            found.append(arg)
        found += [a for a in typing.get_args(arg) if isinstance(a, type) and issubclass(a, BaseModel)]
    return found


def readme_row(path: str, name: str, model: type[BaseModel]) -> str | None:
    """The reference row of a key: `path` itself, or the shared pool row `*pool* `.name``."""
    markers = [f"`{path}`"]
    if issubclass(model, PoolBase) and name in PoolBase.model_fields:
        markers.append(f"*pool* `.{name}`")
    return next((line for line in README.splitlines() for m in markers if line.startswith(f"| {m}")), None)


def undocumented(model: type[BaseModel], prefix: str = "", row: str | None = None) -> list[str]:
    """Keys with no row of their own; a nested model's keys may instead be spelled out in their parent's row."""
    missing = []
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        own = readme_row(path, name, model) or readme_row(f"{path}[]", name, model)
        nested = models_in(field.annotation)
        is_list = typing.get_origin(field.annotation) is list
        is_section = bool(nested) and not is_list and own is None and row is None
        if own is None and not is_section and not (row is not None and name in row):
            missing.append(path)
        for sub in nested:
            missing += undocumented(sub, f"{path}[]." if is_list else f"{path}.", own or row)
    return missing


def test_every_config_key_is_in_the_readme_reference() -> None:
    assert undocumented(Environment) == []


def test_every_cli_command_is_in_the_readme() -> None:
    for name in main.list_commands(click.Context(main)):
        assert f"`hfkit {name}" in README, name


def reference_row(key: str) -> str:
    return next(line for line in README.splitlines() if line.startswith(f"| {key} |"))


def test_the_serve_row_lists_every_exit_code_serve_uses() -> None:
    """`hfkit serve` exits with every FitError subclass's code (scripts/fit/errors.py: check_fit raises them all) and
    1 when `--deploy` fails; the row names each, and the deploy failure."""
    from scripts.fit import errors

    codes = {0, 1} | {
        cls.exit_code for cls in vars(errors).values() if isinstance(cls, type) and issubclass(cls, errors.FitError)
    }
    assert codes == {0, 1, 2, 3, 4, 5}
    row = next(line for line in README.splitlines() if line.startswith("| `hfkit serve MODEL"))
    exits = row[row.index("Exit 0") :]
    assert all(f", {code} " in exits or exits.startswith(f"Exit {code} ") for code in codes), exits
    assert "`--deploy` failed" in exits


def test_enable_apis_step_names_every_api_the_stacks_call() -> None:
    """Each API and the resource that needs it: container (cluster, pools), compute (VPC, subnet, router, NAT,
    firewall), secretmanager (HF token secret), storage (buckets), iam (service accounts), iamcredentials (Workload
    Identity impersonation: the GKE metadata server mints the Google account's token through the IAM Credentials API,
    google/kctf#194), monitoring (PodMonitoring / Managed Prometheus and the Custom Metrics Stackdriver Adapter,
    which reads Cloud Monitoring), cloudkms (CMEK grants)."""
    step = README[README.index("3. Enable the APIs once:") : README.index("4. Authenticate")]
    enabled = set(re.findall(r"([a-z]+)\.googleapis\.com", step.split("--project")[0]))
    assert enabled == {"container", "compute", "secretmanager", "storage", "iam", "iamcredentials", "monitoring",
                       "cloudkms"}  # fmt: skip
    sources = "".join(p.read_text() for p in (REPO / "modules").glob("*.py"))
    assert "monitoring.googleapis.com/v1" in sources and "iam.gke.io/gcp-service-account" in sources


def test_bucket_name_limits_are_the_enforced_ones() -> None:
    from modules.config.storage import MAX_DERIVING_BUCKET_NAME

    assert MAX_DERIVING_BUCKET_NAME == 51  # 63 - len("-access-logs")
    assert "3-51 lowercase letters" in reference_row("`weights_bucket.name`")
    assert "3-51 characters" in reference_row("`ci.state_bucket`")
    assert "at most 51 characters" in reference_row("`backend.bucket`")


def test_dws_autoscaling_bounds_are_documented_as_totals() -> None:
    """modules/node_pool.py writes total_min/max_node_count for flex-start and queued provisioning."""
    source = (REPO / "modules" / "node_pool.py").read_text()
    row = reference_row("*pool* `.autoscaling`")
    for key in ("total_min_node_count", "total_max_node_count"):
        assert f'"{key}"' in source and f"`{key}`" in row
    assert "totals across the pool's zones" in row
