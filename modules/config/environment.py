"""The environment: one YAML file describes one deployable hfkit environment.

`load_environment` is the only place that reads the file; everything downstream (stacks, CLI) receives the frozen,
validated `Environment`, so constructs never read files or environment variables.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from pydantic import Field, ValidationError, model_validator

from modules.catalog.machines import MACHINE_VCPUS_MEMORY_GB
from modules.catalog.tpu import TPU_V5E_ZONES
from modules.config.ci import Ci
from modules.config.cluster import Cluster, Network
from modules.config.common import Labels, Model, ProjectId, Region, ResourceName, Zone
from modules.config.deployments import Deployment
from modules.config.errors import ConfigError, FieldError, describe_validation_error
from modules.config.identities import Identities
from modules.config.pools import GpuPool, TpuPool
from modules.config.storage import Backend, HfTokenSecret, LocalBackend, WeightsBucket
from modules.serving.memory import cache_fit_error, load_path
from modules.serving.rollout import pool_capacity

CONFIG_ENV_VAR = "HFKIT_CONFIG"
DEFAULT_CONFIG = Path(__file__).resolve().parents[2] / "hfkit.yaml"


class Environment(Model):
    """Everything one environment deploys. Only `project` and `weights_bucket.name` have no sensible default."""

    environment: ResourceName = Field(default="dev", description="Short name; prefixes state and labels.")
    project: ProjectId
    region: Region = "us-central1"
    zones: list[Zone] = Field(default_factory=lambda: ["us-central1-a"], min_length=1)
    labels: Labels = Field(default_factory=dict)
    backend: Backend = Field(default_factory=LocalBackend)
    network: Network = Field(default_factory=Network)
    cluster: Cluster = Field(default_factory=Cluster)
    tpu_pools: list[TpuPool] = Field(default_factory=list)
    gpu_pools: list[GpuPool] = Field(default_factory=list)
    weights_bucket: WeightsBucket
    hf_token_secret: HfTokenSecret = Field(default_factory=HfTokenSecret)
    identities: Identities = Field(default_factory=Identities)
    ci: Ci | None = Field(default=None, description="GitHub Actions delivery; adds the `bootstrap` stack.")
    deployments: list[Deployment] = Field(
        default_factory=list, description="Staged models served on pools (`hfkit serve`); adds the `serving` stack."
    )

    @model_validator(mode="after")
    def _cross_field(self) -> Environment:
        for index, zone in enumerate(self.zones):
            if not zone.startswith(f"{self.region}-"):
                raise FieldError(f"zones.{index}", f"{zone!r} is not in region {self.region}; allowed: {self.region}-*")
        for kind, pools in (("tpu_pools", self.tpu_pools), ("gpu_pools", self.gpu_pools)):
            for index, pool in enumerate(pools):
                for zone in pool.zones or []:
                    if not zone.startswith(f"{self.region}-"):
                        raise FieldError(
                            f"{kind}.{index}.zones",
                            f"{zone!r} is not in region {self.region}; allowed: zones of {self.region}",
                        )
        seen: dict[str, str] = {}
        for kind, pools in (("tpu_pools", self.tpu_pools), ("gpu_pools", self.gpu_pools)):
            for index, pool in enumerate(pools):
                where = f"{kind}[{index}]"
                if pool.name in seen:
                    raise FieldError(
                        f"{kind}.{index}.name",
                        f"{pool.name!r} is already used by {seen[pool.name]}; allowed: a name unique across all pools",
                    )
                seen[pool.name] = where
        log_bucket = self.weights_bucket.access_log_bucket_name
        if len(log_bucket) > 63:
            raise FieldError(
                "weights_bucket.name",
                f"{self.weights_bucket.name!r} is too long to derive its access-log bucket {log_bucket!r}; "
                "allowed: at most 51 characters",
            )
        self._check_default_zones_for_tpu()
        self._check_ci()
        self._check_deployments()
        return self

    def _check_deployments(self) -> None:
        pools = {pool.name: pool for pool in self.pools}
        names: dict[str, int] = {}
        for index, d in enumerate(self.deployments):
            where = f"deployments.{index}"
            if d.name in names:
                raise FieldError(
                    f"{where}.name",
                    f"{d.name!r} is already used by deployments[{names[d.name]}]; "
                    "allowed: a name unique across deployments",
                )
            names[d.name] = index
            if d.bucket != self.weights_bucket.name:
                raise FieldError(
                    f"{where}.path",
                    f"{d.path!r} is not in the weights bucket; allowed: gs://{self.weights_bucket.name}/...",
                )
            pool = pools.get(d.pool)
            if pool is None:
                raise FieldError(
                    f"{where}.pool",
                    f"{d.pool!r} is not a pool of this environment; allowed: {', '.join(pools) or 'none defined'}",
                )
            if isinstance(pool, TpuPool):
                if d.engine != "vllm":
                    raise FieldError(
                        f"{where}.engine",
                        f"{d.engine!r} does not run on TPU pool {pool.name!r}; allowed: vllm (TGI needs a GPU pool)",
                    )
                if pool.multi_host:
                    raise FieldError(
                        f"{where}.pool",
                        f"{pool.name!r} is a multi-host TPU slice ({pool.resolved_topology}) and vLLM on TPU on GKE "
                        "is single-host; allowed: a single-host TPU pool (1x1, 2x2, 2x4) or a GPU pool",
                    )
                if d.tensor_parallel_size != pool.slice_chips:
                    raise FieldError(
                        f"{where}.tensor_parallel_size",
                        f"{d.tensor_parallel_size} does not match pool {pool.name!r} ({pool.slice_chips} chips); "
                        f"allowed: {pool.slice_chips} (vLLM shards over every chip of the slice)",
                    )
            elif d.tensor_parallel_size > pool.gpus_per_node:
                raise FieldError(
                    f"{where}.tensor_parallel_size",
                    f"{d.tensor_parallel_size} exceeds the {pool.gpus_per_node} GPU(s) per node of pool "
                    f"{pool.name!r}; allowed: 1 to {pool.gpus_per_node}",
                )
            self._check_weights_cache(where, d, pool)
        self._check_node_capacity(pools)
        if self.deployments:
            adapter = self.identities.metrics_adapter.account_id
            for other in ("stager", "serving"):
                if getattr(self.identities, other).account_id == adapter:
                    raise FieldError(
                        "identities.metrics_adapter.account_id",
                        f"{adapter!r} is already used by identities.{other}.account_id; "
                        "allowed: a distinct service account ID",
                    )

    def _check_weights_cache(self, where: str, d: Deployment, pool: TpuPool | GpuPool) -> None:
        """Weights read through GCS FUSE are cached in memory: the staged size must be known and fit the node."""
        accelerator = "tpu" if isinstance(pool, TpuPool) else "gpu"
        if load_path(d.engine, accelerator) != "fuse-memory-cache":
            return
        if d.staged_bytes is None:
            raise FieldError(
                f"{where}.staged_bytes",
                f"not set, but engine {d.engine} on {accelerator.upper()} pool {pool.name!r} caches the weights in "
                "memory and needs their size; allowed: the staged manifest's total_size (`hfkit serve` writes it)",
            )
        if pool.machine_type not in MACHINE_VCPUS_MEMORY_GB:
            raise FieldError(
                f"{where}.pool",
                f"{pool.name!r} runs {pool.machine_type}, whose memory the kit does not know, so the in-memory "
                "weights cache cannot be sized; allowed: a machine type listed in modules/catalog/machines.py",
            )
        problem = cache_fit_error(d.engine, pool.machine_type, pool.name, d.staged_bytes)
        if problem:
            raise FieldError(f"{where}.staged_bytes", problem)

    def _check_node_capacity(self, pools: dict[str, TpuPool | GpuPool]) -> None:
        """A replica takes a whole node: the replicas.max of the deployments sharing a pool must fit its nodes."""
        taken: dict[str, int] = {}
        for index, d in enumerate(self.deployments):
            pool = pools[d.pool]
            capacity = pool_capacity(pool, len(self.pool_zones(pool)))
            others = taken.get(d.pool, 0)
            if others + d.replicas.max > capacity.nodes:
                room = capacity.nodes - others
                allowed = f"at most {room}" if room > 0 else "none left: raise the pool's node bound"
                raise FieldError(
                    f"deployments.{index}.replicas.max",
                    f"{d.replicas.max} does not fit pool {d.pool!r}: it has at most {capacity.nodes} node(s) "
                    f"({capacity.why}) and other deployments' replicas.max take {others}; allowed: {allowed} "
                    "(each replica takes a whole node)",
                )
            taken[d.pool] = others + d.replicas.max

    @property
    def serving_service_accounts(self) -> list[str]:
        """NAMESPACE/NAME bound to the serving identity: the configured ones plus one per deployment."""
        accounts = list(self.identities.serving.kubernetes_service_accounts)
        for d in self.deployments:
            if d.kubernetes_service_account not in accounts:
                accounts.append(d.kubernetes_service_account)
        return accounts

    def pool(self, name: str) -> TpuPool | GpuPool:
        return next(p for p in self.pools if p.name == name)

    @property
    def has_tpu_deployments(self) -> bool:
        """TPU model servers keep their XLA compile cache in a bucket of its own (storage stack)."""
        return any(isinstance(self.pool(d.pool), TpuPool) for d in self.deployments)

    @property
    def state_bucket(self) -> str | None:
        """The bucket the bootstrap stack creates for Terraform state (`ci.state_bucket`, else `backend.bucket`)."""
        if self.ci is None:
            return None
        return self.ci.state_bucket or getattr(self.backend, "bucket", None)

    def _check_ci(self) -> None:
        ci = self.ci
        if ci is None:
            return
        backend_bucket = getattr(self.backend, "bucket", None)
        if ci.state_bucket is None and backend_bucket is None:
            raise FieldError(
                "ci.state_bucket",
                f"not set and backend.type is {self.backend.type!r}; "
                "allowed: a bucket name, or backend: {type: gcs, bucket: NAME}",
            )
        if ci.state_bucket is not None and backend_bucket is not None and ci.state_bucket != backend_bucket:
            raise FieldError(
                "ci.state_bucket",
                f"{ci.state_bucket!r} differs from backend.bucket {backend_bucket!r}; "
                f"allowed: {backend_bucket!r} (the bucket the other stacks keep state in) or leave it out",
            )
        taken = {
            self.identities.stager.account_id: "identities.stager.account_id",
            self.identities.serving.account_id: "identities.serving.account_id",
        }
        for field in ("plan_account_id", "apply_account_id"):
            account_id = getattr(ci, field)
            if account_id in taken:
                raise FieldError(
                    f"ci.{field}",
                    f"{account_id!r} is already used by {taken[account_id]}; allowed: a distinct service account ID",
                )
            taken[account_id] = f"ci.{field}"

    def _check_default_zones_for_tpu(self) -> None:
        """TPU pools without their own zones run in the environment's: those must offer v5e and, for slices or
        COMPACT placement, be exactly one."""
        for index, pool in enumerate(self.tpu_pools):
            if pool.zones is not None:
                continue
            if (pool.multi_host or pool.compact) and len(self.zones) > 1:
                raise FieldError(
                    f"tpu_pools.{index}.zones",
                    f"not set, so the pool would span the environment's zones {self.zones}, but multi-host slices and "
                    "COMPACT placement need one zone; allowed: zones: [ONE_ZONE]",
                )
            if not pool.allow_unlisted_zone:
                for zone in self.zones:
                    if zone not in TPU_V5E_ZONES:
                        raise FieldError(
                            f"tpu_pools.{index}.zones",
                            f"not set, so the pool would use zone {zone!r}, which is not known to offer TPU v5e; "
                            f"allowed: {', '.join(sorted(TPU_V5E_ZONES))} (or allow_unlisted_zone: true)",
                        )

    def pool_zones(self, pool: TpuPool | GpuPool) -> list[str]:
        return pool.zones or self.zones

    @property
    def pools(self) -> list[TpuPool | GpuPool]:
        return [*self.tpu_pools, *self.gpu_pools]

    def warnings(self) -> list[str]:
        """Accepted but worth a second look (printed by `hfkit validate` and `hfkit synth`)."""
        notes = []
        for index, pool in enumerate(self.tpu_pools):
            if not pool.allow_unlisted_zone:
                continue
            for zone in self.pool_zones(pool):
                if zone not in TPU_V5E_ZONES:
                    notes.append(
                        f"tpu_pools[{index}].zones: {zone!r} is not in the kit's list of TPU v5e zones; "
                        "accepted because allow_unlisted_zone is true: check availability before deploying"
                    )
        if not self.network.master_authorized_networks:
            notes.append(
                "network.master_authorized_networks: empty, so the control plane is reachable only from inside the VPC"
            )
        return notes


def config_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The file to load: the argument, else $HFKIT_CONFIG, else the example hfkit.yaml at the repo root."""
    if path is not None:
        return Path(path)
    return Path(os.environ.get(CONFIG_ENV_VAR) or DEFAULT_CONFIG)


def parse_environment(data: object, source: str = "<config>") -> Environment:
    """Validate already-parsed YAML; raise `ConfigError` listing every problem."""
    if not isinstance(data, dict):
        raise ConfigError(source, [f"config: expected a mapping at the top level, got {type(data).__name__}"])
    try:
        return Environment.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(source, describe_validation_error(exc)) from None


def load_environment(path: str | os.PathLike[str] | None = None) -> Environment:
    """Read and validate one environment file."""
    file = config_path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(str(file), [f"{CONFIG_ENV_VAR}: cannot read {str(file)!r}: {exc.strerror}"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(str(file), [f"config: {str(file)!r} is not valid YAML: {exc}".replace("\n", " ")]) from None
    return parse_environment(data, str(file))
