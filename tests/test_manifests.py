"""Every Kubernetes object the serving stack declares, rendered to a plain manifest and validated: built-in kinds
against the Kubernetes OpenAPI schemas of the minors the GKE REGULAR channel runs (kubernetes-validate's strict
schemas: an unknown field fails), PodMonitoring against its CRD's whole schema (tests/crd_schema.py); then `hfkit
manifests`, and the drain the preStop hook runs, against a real HTTP server on loopback."""

from __future__ import annotations

import functools
import json
import re
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
from tests.crd_schema import FORMATS, cel_violations, go_duration_seconds, load_crd_schema, to_json_schema
from tests.stage.hub_server import QuietHTTPServer

#: The CRD schema of PodMonitoring, monitoring.googleapis.com/v1 (tests/schemas/podmonitoring-v1.json: prometheus-engine
#: v0.17.2, the newest release, read 2026-12-03), as the API server applies it (tests/crd_schema.py).
POD_MONITORING_CRD = load_crd_schema("podmonitoring-v1")


@functools.cache
def _definitions(minor: str) -> referencing.Registry:
    """kubernetes-validate's strict definitions of `minor` (ObjectMeta and the rest), as a reference registry."""
    definitions = schema_contents(f"kubernetes-json-schema/v{minor}.0-local-strict/_definitions.json", minor)
    return referencing.Resource.from_contents(definitions) @ referencing.Registry()


@functools.cache
def _pod_monitoring_validator(minor: str) -> jsonschema.Draft202012Validator:
    schema = {
        "allOf": [to_json_schema(POD_MONITORING_CRD)],
        "properties": {"apiVersion": {"const": "monitoring.googleapis.com/v1"}, "kind": {"const": "PodMonitoring"}},
        "required": ["apiVersion", "kind", "metadata", "spec"],
    }
    return jsonschema.Draft202012Validator(schema, registry=_definitions(minor), format_checker=FORMATS)


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
    registry = referencing.Resource.from_contents(schema) @ _definitions(minor)
    return jsonschema.Draft202012Validator(schema, registry=registry)


def validate(body: dict[str, Any], minor: str) -> None:
    if body["kind"] == "PodMonitoring":
        _pod_monitoring_validator(minor).validate(body)
        broken = list(cel_violations(POD_MONITORING_CRD, body))
        if broken:
            raise jsonschema.ValidationError(f"CEL rule broken at {broken[0]}")
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


def _broken(body: dict[str, Any], change: str) -> dict[str, Any]:
    """`body` with one edit the PodMonitoring CRD refuses (each names the CRD rule it breaks)."""
    body = json.loads(json.dumps(body))
    spec, endpoint = body["spec"], body["spec"]["endpoints"][0]
    if change == "no endpoints":  # minItems: 1
        spec["endpoints"] = []
    elif change == "11 endpoints":  # maxItems: 10
        spec["endpoints"] = [endpoint] * 11
    elif change == "no selector":  # spec.required
        del spec["selector"]
    elif change == "no port":  # endpoints[].required
        del endpoint["port"]
    elif change == "port 0":  # CEL: self != 0
        endpoint["port"] = 0
    elif change == "empty port name":  # minLength: 1
        endpoint["port"] = ""
    elif change == "interval 15":  # format: duration
        endpoint["interval"] = "15"
    elif change == "timeout above interval":  # CEL: !has(self.timeout) || self.timeout <= self.interval
        endpoint["timeout"] = "1m"
    elif change == "scheme ftp":  # enum
        endpoint["scheme"] = "ftp"
    elif change == "unknown endpoint field":  # structural: no such property
        endpoint["intervall"] = "15s"
    elif change == "unknown metadata field":  # ObjectMeta (strict)
        body["metadata"]["label"] = {}
    elif change == "two auth methods":  # CEL: at most one of authorization, basicAuth, oauth2
        endpoint["authorization"] = {"type": "Bearer"}
        endpoint["basicAuth"] = {"username": "u"}
    elif change == "secret in another namespace":  # CEL on the root: secrets only from the object's namespace
        endpoint["tls"] = {"ca": {"secret": {"name": "ca", "key": "ca.crt", "namespace": "other"}}}
    elif change == "protected target label":  # CEL: targetLabels.fromPod[].to is not a protected label
        spec["targetLabels"] = {"fromPod": [{"from": "app", "to": "cluster"}]}
    elif change == "duplicate metadata label":  # x-kubernetes-list-type: set
        spec["targetLabels"] = {"metadata": ["pod", "pod"]}
    return body


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("no endpoints", "[] should be non-empty"),
        ("11 endpoints", "is too long"),
        ("no selector", "'selector' is a required property"),
        ("no port", "'port' is a required property"),
        ("port 0", "CEL rule broken at .spec.endpoints[0].port: Port is required"),
        ("empty port name", "'' should be non-empty"),
        ("interval 15", "'15' is not a 'duration'"),
        ("timeout above interval", "CEL rule broken at .spec.endpoints[0]: !has(self.timeout) || self.timeout <="),
        ("scheme ftp", "'ftp' is not one of ['http', 'https']"),
        ("unknown endpoint field", "('intervall' was unexpected)"),
        ("unknown metadata field", "('label' was unexpected)"),
        ("two auth methods", "CEL rule broken at .spec.endpoints[0]: ((has(self.authorization) ? 1 : 0)"),
        ("secret in another namespace", "CEL rule broken at .: Namespace not allowed on PodMonitoring secret"),
        ("protected target label", "CEL rule broken at .spec.targetLabels.fromPod[0].to: self != 'project_id'"),
        ("duplicate metadata label", "['pod', 'pod'] has non-unique elements"),
    ],
)
def test_the_pod_monitoring_crd_schema_refuses(rendered: list[Manifest], change: str, message: str) -> None:
    """PodMonitoring is checked against its whole CRD schema (required fields, minItems/maxItems, enums, formats,
    unknown fields, CEL rules): the kit's object passes, and each edit the API server would refuse fails with the
    rule it breaks."""
    monitor = next(m.body for m in rendered if m.body["kind"] == "PodMonitoring")
    validate(monitor, GKE_REGULAR_KUBERNETES_MINORS[0])
    with pytest.raises(jsonschema.ValidationError) as caught:
        validate(_broken(monitor, change), GKE_REGULAR_KUBERNETES_MINORS[0])
    assert message in caught.value.message


def test_the_crd_schema_translation_is_complete() -> None:
    """Every keyword and CEL rule of the stored CRD schema is handled (an unknown one raises), and the Go duration
    reader agrees with Go on the forms the kit and the CRD use."""
    assert to_json_schema(POD_MONITORING_CRD)["properties"]["spec"]["required"] == ["endpoints", "selector"]
    with pytest.raises(ValueError, match=re.escape("CEL rule 'self.size() > 1' has no Python equivalent")):
        to_json_schema({"type": "string", "x-kubernetes-validations": [{"rule": "self.size() > 1"}]})
    with pytest.raises(ValueError, match="schema keyword 'oneOf' is not handled"):
        to_json_schema({"oneOf": []})
    assert [go_duration_seconds(t) for t in ("15s", "1m30s", "1.5h", "250ms", "0")] == [15, 90, 5400, 0.25, 0]
    with pytest.raises(ValueError):
        go_duration_seconds("15")


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
