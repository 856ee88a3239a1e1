"""Every Kubernetes object the serving stack declares, rendered to a plain manifest and validated: built-in kinds
against the Kubernetes OpenAPI schemas of the minors the GKE REGULAR channel runs (kubernetes-validate's strict
schemas: an unknown field fails), PodMonitoring against its CRD's schema; then `hfkit manifests`, and the drain the
preStop hook runs, against a real HTTP server on loopback."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import referencing
import yaml
from click.testing import CliRunner
from kubernetes_validate.utils import schema_contents

from modules.catalog.serving import GKE_REGULAR_KUBERNETES_MINORS
from modules.serving.drain import drain_command
from scripts.cli import main
from scripts.manifests.command import MARKER
from scripts.manifests.render import Manifest, Renderer, RenderError
from tests.conftest import CONFIGS, Synthesized
from tests.stage.hub_server import QuietHTTPServer

#: PodMonitoring (monitoring.googleapis.com/v1) as its CRD defines the fields the kit writes:
#: GoogleCloudPlatform/prometheus-engine v0.17.2 (2026-01-07, the newest release) charts/operator/crds/
#: monitoring.googleapis.com_podmonitorings.yaml, version v1: spec requires `selector` and `endpoints` (at most 10);
#: an endpoint requires `port` (int-or-string, not 0) and `interval` (a duration); `path` is a string, `scheme`
#: http|https; selector is a LabelSelector. The CRD is structural, so with strict field validation the API server
#: rejects unknown fields: `additionalProperties: false` stands for that. Only the fields the kit may write are listed.
DURATION = r"^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$"
POD_MONITORING_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "additionalProperties": False,
    "properties": {
        "apiVersion": {"const": "monitoring.googleapis.com/v1"},
        "kind": {"const": "PodMonitoring"},
        "metadata": {
            "type": "object",
            "required": ["name", "namespace"],
            "additionalProperties": False,
            "properties": {
                "name": {"type": "string"},
                "namespace": {"type": "string"},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        },
        "spec": {
            "type": "object",
            "required": ["endpoints", "selector"],
            "additionalProperties": False,
            "properties": {
                "selector": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {"matchLabels": {"type": "object", "additionalProperties": {"type": "string"}}},
                },
                "endpoints": {
                    "type": "array",
                    "maxItems": 10,
                    "items": {
                        "type": "object",
                        "required": ["interval", "port"],
                        "additionalProperties": False,
                        "properties": {
                            "port": {
                                "anyOf": [{"type": "integer", "not": {"const": 0}}, {"type": "string", "minLength": 1}]
                            },
                            "path": {"type": "string"},
                            "interval": {"type": "string", "pattern": DURATION},
                            "scheme": {"enum": ["http", "https"]},
                        },
                    },
                },
            },
        },
    },
}


@functools.cache
def _validator(minor: str, kind: str, api_version: str) -> jsonschema.Draft202012Validator:
    """kubernetes-validate's own strict schema for `kind` at `minor`, loaded once (its `validate()` re-reads the
    1.6 MB definitions file on every call)."""
    version = f"v{minor}.0-local-strict"
    group = (
        api_version.split("/")[0].split(".")[0] + "-" + api_version.split("/")[-1]
        if "/" in api_version
        else api_version
    )
    schema = schema_contents(f"kubernetes-json-schema/{version}/{kind.lower()}-{group}.json", minor)
    definitions = schema_contents(f"kubernetes-json-schema/{version}/_definitions.json", minor)
    registry = referencing.Resource.from_contents(definitions) @ (
        referencing.Resource.from_contents(schema) @ referencing.Registry()
    )
    return jsonschema.Draft202012Validator(schema, registry=registry)


def validate(body: dict[str, Any], minor: str) -> None:
    if body["kind"] == "PodMonitoring":
        jsonschema.validate(body, POD_MONITORING_SCHEMA)
    else:
        _validator(minor, body["kind"], body["apiVersion"]).validate(body)


def stacks_of(synth: Synthesized) -> dict[str, dict[str, Any]]:
    return {p.name: json.loads((p / "cdk.tf.json").read_text()) for p in synth.stacks_dir.iterdir()}


@pytest.fixture(scope="module")
def rendered(synthesized: dict[str, Synthesized]) -> list[Manifest]:
    return Renderer(stacks_of(synthesized["serving"])).manifests()


def test_the_cached_validator_is_kubernetes_validate_itself() -> None:
    """The cache above changes nothing but speed: on a good and a bad object it agrees with the library's own call."""
    good = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}}
    bad = {**good, "spec": {"finalizerz": []}}
    for minor in GKE_REGULAR_KUBERNETES_MINORS:
        validate(good, minor)
        kubernetes_validate.validate(good, f"{minor}.0", strict=True)
        with pytest.raises(jsonschema.ValidationError):
            validate(bad, minor)
        with pytest.raises(kubernetes_validate.ValidationError):
            kubernetes_validate.validate(bad, f"{minor}.0", strict=True)


def test_every_serving_object_renders_and_validates(
    rendered: list[Manifest], synthesized: dict[str, Synthesized]
) -> None:
    resources = stacks_of(synthesized["serving"])["serving"]["resource"]
    assert len(rendered) == sum(len(by_id) for by_id in resources.values())
    kinds = {m.body["kind"] for m in rendered}
    assert kinds == {
        "Namespace", "ServiceAccount", "Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget",
        "PodMonitoring", "ClusterRole", "ClusterRoleBinding", "RoleBinding", "APIService",
    }  # fmt: skip
    for manifest in rendered:
        assert "${" not in json.dumps(manifest.body), manifest.filename
        for minor in GKE_REGULAR_KUBERNETES_MINORS:
            validate(manifest.body, minor)


def test_rendering_follows_the_provider_mapping(rendered: list[Manifest]) -> None:
    """What the provider's expanders do: plural lists, intstr parsing, references resolved to their values (the
    serving account's email is `account_id@project.iam.gserviceaccount.com`), and no replica count where the
    autoscaler owns it (Terraform ignores it after creation)."""
    found = {(m.folder, m.body["kind"], m.body["metadata"]["name"]): m.body for m in rendered}
    deployment = found[("llama-3-1-70b", "Deployment", "llama-3-1-70b")]
    assert "replicas" not in deployment["spec"]
    assert deployment["metadata"]["namespace"] == "llama-3-1-70b"
    assert deployment["spec"]["strategy"]["rollingUpdate"] == {"maxSurge": 1, "maxUnavailable": 0}
    pod = deployment["spec"]["template"]["spec"]
    assert pod["enableServiceLinks"] is False and pod["terminationGracePeriodSeconds"] == 600
    (container,) = pod["containers"]
    assert container["readinessProbe"]["httpGet"] == {"path": "/health", "port": 8000}
    assert container["lifecycle"]["preStop"]["exec"]["command"][:2] == ["python3", "-c"]
    assert {v["name"] for v in pod["volumes"]} == {"weights", "shm", "tmp", "gke-gcsfuse-cache"}
    account = found[("gemma-2-27b", "ServiceAccount", "model-server")]
    assert account["metadata"]["annotations"] == {
        "iam.gke.io/gcp-service-account": "hfkit-serving@hfkit-example-project.iam.gserviceaccount.com"
    }
    cache = next(
        v
        for v in found[("gemma-2-27b", "Deployment", "gemma-2-27b")]["spec"]["template"]["spec"]["volumes"]
        if v["name"] == "compile-cache"
    )
    assert cache["csi"]["volumeAttributes"]["bucketName"] == "hfkit-serve-weights-xla-cache"
    service = found[("metrics-adapter", "Service", "custom-metrics-stackdriver-adapter")]
    assert service["spec"]["ports"] == [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]
    api = found[("metrics-adapter", "APIService", "v1beta1.custom.metrics.k8s.io")]
    assert api["spec"]["insecureSkipTLSVerify"] is True
    adapter = found[("metrics-adapter", "ServiceAccount", "custom-metrics-stackdriver-adapter")]
    assert adapter["metadata"]["annotations"]["iam.gke.io/gcp-service-account"] == (
        "hfkit-metrics-adapter@hfkit-example-project.iam.gserviceaccount.com"
    )


def test_strict_validation_catches_a_wrong_field(rendered: list[Manifest]) -> None:
    """The gate can fail: a field the API does not know (a provider name left unmapped) and a PodMonitoring endpoint
    without its required interval are both refused."""
    deployment = next(m.body for m in rendered if m.body["kind"] == "Deployment")
    wrong = json.loads(json.dumps(deployment))
    wrong["spec"]["template"]["spec"]["container"] = wrong["spec"]["template"]["spec"].pop("containers")
    with pytest.raises(jsonschema.ValidationError, match="container"):
        validate(wrong, GKE_REGULAR_KUBERNETES_MINORS[0])
    monitor = json.loads(json.dumps(next(m.body for m in rendered if m.body["kind"] == "PodMonitoring")))
    del monitor["spec"]["endpoints"][0]["interval"]
    with pytest.raises(jsonschema.ValidationError, match="interval"):
        validate(monitor, GKE_REGULAR_KUBERNETES_MINORS[0])


def test_unknown_resources_and_references_are_errors_not_guesses() -> None:
    stacks: dict[str, Any] = {"serving": {"resource": {"kubernetes_secret_v1": {"x_secret_1": {"metadata": {}}}}}}
    with pytest.raises(RenderError, match="kubernetes_secret_v1: no Kubernetes kind known"):
        Renderer(stacks).manifests()
    with pytest.raises(RenderError, match="only a whole-string reference"):
        Renderer({"serving": {}}).resolve("prefix-${a.b.c}")


def test_manifests_command_writes_one_folder_per_deployment(tmp_path: Path) -> None:
    outdir = tmp_path / "gitops"
    result = CliRunner().invoke(
        main, ["manifests", "-c", str(CONFIGS["serving"]), "--outdir", str(outdir)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in outdir.iterdir()) == [
        MARKER, "gemma-2-27b", "llama-3-1-70b", "llama-3-1-8b", "metrics-adapter",
    ]  # fmt: skip
    files = sorted(p.name for p in (outdir / "llama-3-1-8b").iterdir())
    assert files[0] == "00-namespace-llama-3-1-8b.yaml" and "06-deployment-llama-3-1-8b.yaml" in files
    body = yaml.safe_load((outdir / "llama-3-1-8b" / "06-deployment-llama-3-1-8b.yaml").read_text())
    assert body["kind"] == "Deployment" and body["spec"]["template"]["spec"]["containers"][0]["image"].startswith(
        "vllm/vllm-openai:"
    )
    # Re-running replaces the folder whole: a stale file is gone.
    (outdir / "llama-3-1-8b" / "stale.yaml").write_text("kind: Secret\n")
    assert (
        CliRunner().invoke(main, ["manifests", "-c", str(CONFIGS["serving"]), "--outdir", str(outdir)]).exit_code == 0
    )
    assert not (outdir / "llama-3-1-8b" / "stale.yaml").exists()


def test_manifests_command_refusals(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me\n")
    result = CliRunner().invoke(main, ["manifests", "-c", str(CONFIGS["serving"]), "--outdir", str(mine)])
    assert (result.exit_code, result.stderr.strip().splitlines()[-1]) == (
        2,
        f"Error: --outdir {str(mine)!r} is not empty and was not written by hfkit manifests (no {MARKER}); "
        "allowed: a new or empty folder, or one hfkit manifests wrote",
    )
    assert (mine / "notes.txt").read_text() == "keep me\n"
    result = CliRunner().invoke(main, ["manifests", "-c", str(CONFIGS["example"]), "--outdir", str(tmp_path / "x")])
    assert (result.exit_code, result.stderr.strip().splitlines()[-1]) == (
        2,
        "Error: the environment has no deployments, so there is nothing to render; allowed: add one with hfkit serve",
    )
    assert not (tmp_path / "x").exists()


class _Metrics(BaseHTTPRequestHandler):
    """An engine's /metrics: `running` requests in flight until `idle_at` (monotonic), then none."""

    idle_at = 0.0

    def do_GET(self) -> None:
        busy = 2 if time.monotonic() < self.idle_at else 0
        body = (
            "# HELP vllm:num_requests_running Number of requests in model execution batches.\n"
            f'vllm:num_requests_running{{model_name="m"}} {busy}.0\n'
            'vllm:num_requests_waiting{model_name="m"} 0.0\n'
            "vllm:num_requests_running_total 99.0\n"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _run_drain(port: int, deadline: int) -> float:
    command = drain_command(
        ("vllm:num_requests_running", "vllm:num_requests_waiting"), port, "/metrics", deadline, 0, 0.1
    )
    started = time.monotonic()
    subprocess.run([sys.executable, *command[1:]], check=True, timeout=30)
    return time.monotonic() - started


def test_drain_waits_for_in_flight_requests_then_returns() -> None:
    """The preStop program (run with this interpreter as the image's python3) against a real server on loopback: it
    returns once running + waiting reaches 0 (not before), ignores other series with the same prefix, gives up at its
    deadline while requests still run, and returns at once when the engine is gone."""
    server = QuietHTTPServer.in_background(_Metrics, "engine-metrics")
    port = server.server_address[1]
    try:
        _Metrics.idle_at = time.monotonic() + 0.8
        assert 0.7 <= _run_drain(port, deadline=20) < 10
        _Metrics.idle_at = time.monotonic() + 60
        assert 0.9 <= _run_drain(port, deadline=1) < 10
    finally:
        server.stop()
    assert _run_drain(port, deadline=20) < 5
