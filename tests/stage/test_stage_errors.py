"""Every failure a user can fix ends with one exact line on stderr, a documented exit code, and no token leak."""

from __future__ import annotations

import json

import pytest

from tests.stage.conftest import Env, cli
from tests.stage.gcs_proxy import GcsProxy
from tests.stage.hub_server import HubServer
from tests.stage.secret_server import SecretServer

TOKEN = "hf_TopSecretTokenValue42"
FILES = {"config.json": b"{}", "model.safetensors": b"\x00" * 4096}


def assert_no_token(*outputs: str) -> None:
    for output in outputs:
        assert TOKEN not in output


def test_repo_not_found(env: Env, hub: HubServer) -> None:
    result = cli(env, "stage", "acme/does-not-exist", "--bucket", env.bucket)

    assert result.exit_code == 3
    assert result.stderr == (
        f"Error: repository 'acme/does-not-exist' not found on {hub.url} (check the repo id; a private repository "
        "also needs HF_TOKEN or --token-secret with read access)\n"
    )
    assert result.stdout == ""


def test_private_repo_without_access_reads_as_not_found(env: Env, hub: HubServer) -> None:
    hub.add_repo("acme/private", FILES, private=True)
    hub.grant(TOKEN)  # a valid token, but not one of the repo's readers

    result = cli(env, "stage", "acme/private", "--bucket", env.bucket, token=TOKEN)

    assert result.exit_code == 3
    assert result.stderr.startswith("Error: repository 'acme/private' not found on ")
    assert_no_token(result.stdout, result.stderr)
    hub.grant(TOKEN, "acme/private")
    assert cli(env, "stage", "acme/private", "--bucket", env.bucket, token=TOKEN).exit_code == 0


def test_revision_not_found(env: Env, hub: HubServer) -> None:
    hub.add_repo("acme/revs", FILES)

    result = cli(env, "stage", "acme/revs", "--revision", "v9.9", "--bucket", env.bucket, "--json")

    assert result.exit_code == 3
    message = "revision 'v9.9' not found in repository 'acme/revs' (use an existing branch, tag or 40-hex commit)"
    assert result.stderr == f"Error: {message}\n"
    assert json.loads(result.stdout) == {"status": "error", "error": message, "exit_code": 3}


def test_gated_repo_without_token_says_how_to_get_access(env: Env, hub: HubServer) -> None:
    hub.add_repo("acme/gated", FILES, gated=True)

    result = cli(env, "stage", "acme/gated", "--bucket", env.bucket)

    assert result.exit_code == 4
    assert result.stderr == (
        "Error: repository 'acme/gated' is gated and no Hugging Face token was given: accept the licence at "
        f"{hub.url}/acme/gated, then set HF_TOKEN or pass --token-secret\n"
    )
    assert env.blobs() == {}


def test_gated_repo_with_token_not_granted(env: Env, hub: HubServer) -> None:
    hub.add_repo("acme/gated-403", FILES, gated=True)
    hub.grant(TOKEN)

    result = cli(env, "stage", "acme/gated-403", "--bucket", env.bucket, token=TOKEN)

    assert result.exit_code == 4
    assert result.stderr == (
        "Error: the Hugging Face token has not been granted access to gated repository 'acme/gated-403' (HTTP 403): "
        f"accept the licence at {hub.url}/acme/gated-403 with the token's account, wait for approval, then re-run\n"
    )
    assert_no_token(result.stdout, result.stderr)
    assert env.blobs() == {}


def test_invalid_token(env: Env, hub: HubServer) -> None:
    hub.add_repo("acme/public", FILES)

    result = cli(env, "stage", "acme/public", "--bucket", env.bucket, "--json", token=TOKEN)  # unknown to the Hub

    assert result.exit_code == 4
    assert result.stderr == (
        f"Error: the Hugging Face token was rejected as invalid (HTTP 401) by {hub.url}: create a new one at "
        f"{hub.url}/settings/tokens and update HF_TOKEN or the secret\n"
    )
    assert_no_token(result.stdout, result.stderr)


def test_bucket_missing(env: Env, hub: HubServer) -> None:
    hub.add_repo("acme/nobucket", FILES)

    result = cli(env, "stage", "acme/nobucket", "--bucket", "no-such-bucket-42")

    assert result.exit_code == 3
    assert result.stderr == (
        "Error: bucket 'no-such-bucket-42' does not exist (create it, e.g. with the hfkit storage stack, "
        "or fix --bucket)\n"
    )


def test_permission_denied_on_bucket(env: Env, hub: HubServer, gcs_proxy: GcsProxy) -> None:
    hub.add_repo("acme/denied", FILES)
    gcs_proxy.deny(env.bucket)

    result = cli(env, "stage", "acme/denied", "--bucket", env.bucket)

    assert result.exit_code == 4
    assert result.stderr == (
        f"Error: permission denied on bucket '{env.bucket}' (HTTP 403 when listing objects): grant the identity "
        "running hfkit roles/storage.objectUser on the bucket\n"
    )


def test_bucket_name_is_validated(env: Env, hub: HubServer) -> None:
    result = cli(env, "stage", "acme/x", "--bucket", "gs://weights")

    assert result.exit_code == 2
    assert result.stderr == (
        "Error: --bucket 'gs://weights' is not a GCS bucket name (lowercase letters, digits, - _ .; no gs://)\n"
    )


def test_token_from_secret_manager_wins_over_hf_token(env: Env, hub: HubServer, secret_server: SecretServer) -> None:
    hub.add_repo("acme/gated-ok", FILES, gated=True)
    hub.grant(TOKEN, "acme/gated-ok")
    secret_server.secrets["projects/p1/secrets/hf-token"] = f"{TOKEN}\n".encode()

    result = cli(
        env, "stage", "acme/gated-ok", "--bucket", env.bucket, "--token-secret", "projects/p1/secrets/hf-token",
        token="hf_wrong_env_token",
    )  # fmt: skip

    assert result.exit_code == 0, result.stderr
    assert {s.authorization for s in hub.requests("resolve")} == {f"Bearer {TOKEN}"}
    assert_no_token(result.stdout, result.stderr)


def test_secret_not_found(env: Env, hub: HubServer) -> None:
    result = cli(env, "stage", "acme/x", "--bucket", env.bucket, "--token-secret", "projects/p1/secrets/missing")

    assert result.exit_code == 3
    assert result.stderr == (
        "Error: secret 'projects/p1/secrets/missing' not found or has no enabled version (create it and add a "
        "version holding the token, or fix --token-secret)\n"
    )
    assert hub.requests() == []


def test_secret_permission_denied(env: Env, hub: HubServer, secret_server: SecretServer) -> None:
    secret_server.secrets["projects/p1/secrets/locked"] = TOKEN.encode()
    secret_server.denied.add("projects/p1/secrets/locked")

    result = cli(env, "stage", "acme/x", "--bucket", env.bucket, "--token-secret", "projects/p1/secrets/locked")

    assert result.exit_code == 4
    assert result.stderr == (
        "Error: permission denied reading secret 'projects/p1/secrets/locked': grant the identity running hfkit "
        "roles/secretmanager.secretAccessor on that secret\n"
    )
    assert_no_token(result.stdout, result.stderr)


def test_secret_name_is_validated(env: Env) -> None:
    result = cli(env, "stage", "acme/x", "--bucket", env.bucket, "--token-secret", "hf-token")

    assert result.exit_code == 2
    assert result.stderr == (
        "Error: --token-secret 'hf-token' is not a secret name: use projects/PROJECT/secrets/SECRET\n"
    )


@pytest.mark.parametrize("fault", ["lfs-503", "resolve-403"])
def test_token_never_appears_in_logs_or_errors(
    env: Env, hub: HubServer, fault: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Warnings (retries) and errors name the repo and file, never the credential, at any log level."""
    hub.add_repo("acme/leak", FILES, gated=True)
    hub.grant(TOKEN, "acme/leak")
    if fault == "lfs-503":
        hub.faults.burst("lfs", [503], path="model.safetensors")
    else:
        hub.faults.burst("resolve", [403], path="model.safetensors")

    with caplog.at_level("DEBUG"):
        result = cli(env, "stage", "acme/leak", "--bucket", env.bucket, "--json", token=TOKEN)

    assert result.exit_code == (0 if fault == "lfs-503" else 1)
    assert_no_token(result.stdout, result.stderr, caplog.text)
    if fault == "lfs-503":
        assert "retrying" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--part-size", "4"], "Error: Invalid value for '--part-size': 4 is not in the range 5<=x<=512.\n"),
        (["--max-streams", "0"], "Error: Invalid value for '--max-streams': 0 is not in the range 1<=x<=64.\n"),
        (
            ["--streams-per-file", "65"],
            "Error: Invalid value for '--streams-per-file': 65 is not in the range 1<=x<=64.\n",
        ),
    ],
)
def test_tuning_flags_are_validated(env: Env, args: list[str], message: str) -> None:
    """GCS takes multipart parts of 5 MiB or more (but the last; multipart-uploads page), so smaller parts are refused
    before anything runs."""
    result = cli(env, "stage", "acme/any", "--bucket", env.bucket, *args)

    assert result.exit_code == 2
    assert result.stderr.endswith(message)
    assert result.stdout == ""
