"""Model deployments: a staged model pinned to one commit, served by one engine on one pool.

`hfkit serve` writes these entries after checking the manifest and the fit; hand edits get the same checks that do
not need GCS (pool, engine, shape, names, the pinned path). The serving stack turns each entry into Kubernetes
objects, so an entry is the reviewable unit of "what runs where".
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, model_validator

from modules.config.common import Model, ResourceName, _matching
from modules.config.errors import FieldError

ModelId = Annotated[
    str,
    _matching(r"[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*", "Hub repo id; allowed: ORG/NAME"),
]
Commit = Annotated[str, _matching(r"[0-9a-f]{40}", "commit; allowed: 40 lowercase hex digits")]
#: Namespace of each deployment's Kubernetes objects is its name; its service account is always this one.
SERVICE_ACCOUNT_NAME = "model-server"
_PATH = re.compile(r"gs://(?P<bucket>[^/]+)/(?P<prefix>.+/)")


class Replicas(Model):
    """Bounds of the HorizontalPodAutoscaler; each replica takes one whole node of the pool."""

    min: int = Field(default=1, ge=1)
    max: int = Field(default=1, ge=1)

    @model_validator(mode="after")
    def _check(self) -> Replicas:
        if self.min > self.max:
            raise FieldError("min", f"{self.min} is greater than max {self.max}; allowed: min <= max")
        return self


class Deployment(Model):
    name: ResourceName = Field(description="Deployment, namespace and served-model name.")
    model: ModelId
    commit: Commit
    path: str = Field(description="gs://BUCKET/PREFIX/ORG/NAME/COMMIT/ (the staged commit prefix).")
    pool: ResourceName
    engine: Literal["vllm", "tgi"] = "vllm"
    tensor_parallel_size: int = Field(ge=1)
    max_model_len: int = Field(ge=1)
    replicas: Replicas = Field(default_factory=Replicas)
    image: str | None = Field(default=None, description="Overrides the engine's pinned image (modules/catalog).")
    staged_bytes: int | None = Field(
        default=None,
        ge=1,
        description="Bytes of the staged commit (its manifest's total_size), written by `hfkit serve` when the weights "
        "load through GCS FUSE (vLLM on TPU, TGI): sizes the in-memory file cache.",
    )

    @model_validator(mode="after")
    def _check(self) -> Deployment:
        match = _PATH.fullmatch(self.path)
        suffix = f"/{self.model}/{self.commit}/"
        if match is None or not ("/" + match["prefix"]).endswith(suffix):
            raise FieldError(
                "path",
                f"{self.path!r} is not the staged folder of {self.model} at {self.commit}; "
                f"allowed: gs://BUCKET/PREFIX{suffix}",
            )
        return self

    @property
    def bucket(self) -> str:
        match = _PATH.fullmatch(self.path)
        assert match is not None
        return match["bucket"]

    @property
    def prefix(self) -> str:
        """The commit prefix inside the bucket, ending with `/`."""
        match = _PATH.fullmatch(self.path)
        assert match is not None
        return match["prefix"]

    @property
    def namespace(self) -> str:
        return self.name

    @property
    def kubernetes_service_account(self) -> str:
        return f"{self.namespace}/{SERVICE_ACCOUNT_NAME}"
