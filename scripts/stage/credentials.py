"""Where the Hugging Face token comes from: `--token-secret` (Secret Manager, latest version), else HF_TOKEN, else none.

The token is a credential: it is returned to the caller and never logged or echoed; error messages name the secret,
never its value. huggingface_hub's own lookups (the ~/.cache token file) are deliberately not used, so what a run
sends is exactly what the command line and environment say.

`HFKIT_SECRET_MANAGER_ENDPOINT` (e.g. `http://127.0.0.1:8085`) points the Secret Manager client at a local endpoint
that speaks its REST API, with anonymous credentials, the way STORAGE_EMULATOR_HOST does for GCS.
"""

from __future__ import annotations

import os
import re

from scripts.stage.errors import AccessError, NotFoundError, StageError, UsageError

SECRET_RE = re.compile(r"^projects/[^/]+/secrets/[^/]+$")
ENDPOINT_ENV = "HFKIT_SECRET_MANAGER_ENDPOINT"


def resolve_token(token_secret: str | None) -> str | None:
    if token_secret:
        return read_secret(token_secret)
    return os.environ.get("HF_TOKEN", "").strip() or None


def read_secret(name: str) -> str:
    """The latest enabled version of secret `projects/P/secrets/S`, as text."""
    if not SECRET_RE.match(name):
        raise UsageError(f"--token-secret '{name}' is not a secret name: use projects/PROJECT/secrets/SECRET")
    from google.api_core import exceptions as api_exceptions
    from google.auth.exceptions import DefaultCredentialsError
    from google.cloud import secretmanager

    endpoint = os.environ.get(ENDPOINT_ENV)
    try:
        if endpoint:
            from google.api_core.client_options import ClientOptions
            from google.auth.credentials import AnonymousCredentials

            client = secretmanager.SecretManagerServiceClient(
                credentials=AnonymousCredentials(),
                transport="rest",
                client_options=ClientOptions(api_endpoint=endpoint),
            )
        else:
            client = secretmanager.SecretManagerServiceClient()
        response = client.access_secret_version(name=f"{name}/versions/latest", timeout=30)
    except DefaultCredentialsError:
        raise StageError(
            f"no Google Cloud credentials found to read secret '{name}': run `gcloud auth application-default "
            "login` or use Workload Identity"
        ) from None
    except api_exceptions.NotFound:
        raise NotFoundError(
            f"secret '{name}' not found or has no enabled version (create it and add a version holding the token, "
            "or fix --token-secret)"
        ) from None
    except (api_exceptions.PermissionDenied, api_exceptions.Forbidden):
        raise AccessError(
            f"permission denied reading secret '{name}': grant the identity running hfkit "
            "roles/secretmanager.secretAccessor on that secret"
        ) from None
    except api_exceptions.GoogleAPICallError as exc:
        raise StageError(f"reading secret '{name}' failed: {type(exc).__name__} (HTTP {exc.code})") from None
    payload = response.payload
    if payload.data_crc32c:
        import google_crc32c

        if google_crc32c.value(payload.data) != payload.data_crc32c:
            raise StageError(f"secret '{name}' arrived corrupted (crc32c mismatch); re-run")
    token = payload.data.decode("utf-8").strip()
    if not token:
        raise UsageError(f"secret '{name}' is empty: add a version holding the Hugging Face token")
    return token
