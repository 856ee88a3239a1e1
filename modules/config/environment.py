"""The environment: one YAML file describes one deployable hfkit environment.

`load_environment` is the only place that reads the file; everything downstream (stacks, CLI) receives the frozen,
validated `Environment`, so constructs never read files or environment variables.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from pydantic import Field, ValidationError, model_validator

from modules.catalog.engines import TPU_DEVICES_PER_CHIP, tpu_image_problem
from modules.catalog.locations import ALL_REGIONS, did_you_mean, is_region
from modules.catalog.machines import MACHINE_VCPUS_MEMORY_GB
from modules.catalog.serving import MULTI_HOST_REASON
from modules.catalog.tpu import chips_in
from modules.catalog.zones import REGIONS, ZONES, zones_offering
from modules.config.ci import Ci
from modules.config.cluster import Cluster, Network, gke_version_floor
from modules.config.common import Labels, Model, ProjectId, Region, ResourceName, Zone
from modules.config.deployments import Deployment
from modules.config.errors import ConfigError, FieldError, describe_validation_error
from modules.config.identities import Identities
from modules.config.pools import GpuPool, TpuPool
from modules.config.storage import (
    ACCESS_LOG_SUFFIX,
    COMPILE_CACHE_SUFFIX,
    MAX_BUCKET_NAME,
    Backend,
    HfTokenSecret,
    LocalBackend,
    WeightsBucket,
    check_key_location,
)
from modules.serving.memory import cache_fit_error, load_path
from modules.serving.rollout import pool_capacity

CONFIG_ENV_VAR = "HFKIT_CONFIG"
DEFAULT_CONFIG = Path(__file__).resolve().parents[2] / "hfkit.yaml"
#: Why the pin is asked for although new clusters already get a newer GKE (modules/catalog/sources.py:
#: GKE_CHANNEL_DEFAULTS, read 2026-12-03).
CHANNEL_NOTE = (
    "every channel's default for new clusters has been newer since 2026-05, but defaults move and the pin also "
    "upgrades an existing cluster that runs older"
)


class Environment(Model):
    """Everything one environment deploys. Only `project` and `weights_bucket.name` have no sensible default."""

    environment: ResourceName = Field(default="dev", description="Short name; prefixes state and labels.")
    project: ProjectId
    region: Region = "us-central1"
    zones: list[Zone] = Field(default_factory=lambda: ["us-central1-a"], min_length=1)
    allow_unlisted_region: bool = Field(
        default=False,
        description="Accept a region (and zones) missing from the kit's catalog (a warning is printed); pools there "
        "also need allow_unlisted_zone.",
    )
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
        self._check_region_and_zones()
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
        self._check_pool_zones()
        self._check_gke_version()
        self._check_buckets()
        self._check_identities()
        self._check_ci()
        self._check_deployments()
        return self

    def _check_region_and_zones(self) -> None:
        """The region and zones must exist (the catalog), and every zone must be in the region."""
        known = REGIONS.get(self.region)
        if known is None and not self.allow_unlisted_region:
            raise FieldError(
                "region",
                f"{self.region!r} is not a region the kit knows; allowed: {', '.join(REGIONS)} "
                f"(or allow_unlisted_region: true after checking the name){did_you_mean(self.region, ALL_REGIONS)}",
            )
        if known is None and not is_region(self.region):
            # The opt-out covers regions the kit has no availability data for, never a name Google does not have.
            raise FieldError(
                "region",
                f"{self.region!r} is not a Google Cloud region, so allow_unlisted_region cannot take it; allowed: one "
                f"of the {len(ALL_REGIONS)} regions of `gcloud compute regions list` (modules/catalog/locations.py)"
                f"{did_you_mean(self.region, ALL_REGIONS)}",
            )
        for index, zone in enumerate(self.zones):
            if not zone.startswith(f"{self.region}-"):
                raise FieldError(f"zones.{index}", f"{zone!r} is not in region {self.region}; allowed: {self.region}-*")
            if known is not None and zone not in known.zones and not self.allow_unlisted_region:
                raise FieldError(
                    f"zones.{index}",
                    f"{zone!r} is not a zone of {self.region} the kit knows; allowed: {', '.join(known.zones)} "
                    "(or allow_unlisted_region: true after checking the name)",
                )
        for kind, pools in (("tpu_pools", self.tpu_pools), ("gpu_pools", self.gpu_pools)):
            for index, pool in enumerate(pools):
                for zone in pool.zones or []:
                    if not zone.startswith(f"{self.region}-"):
                        raise FieldError(
                            f"{kind}.{index}.zones",
                            f"{zone!r} is not in region {self.region}; allowed: zones of {self.region}",
                        )

    def _check_pool_zones(self) -> None:
        """Every zone a pool runs in must offer its accelerator (the zone catalog), unless the pool opts out; slices
        and COMPACT placement need exactly one zone, also when the pool inherits the environment's."""
        for kind, pools in (("tpu_pools", self.tpu_pools), ("gpu_pools", self.gpu_pools)):
            for index, pool in enumerate(pools):
                inherited = pool.zones is None
                if inherited and (pool.compact or pool._implies_compact()) and len(self.zones) > 1:
                    raise FieldError(
                        f"{kind}.{index}.zones",
                        f"not set, so the pool would span the environment's zones {self.zones}, but multi-host slices "
                        "and COMPACT placement need one zone; allowed: zones: [ONE_ZONE]",
                    )
                if pool.allow_unlisted_zone:
                    continue
                accelerator = pool.zone_accelerator()
                offering = zones_offering(accelerator, self.region)
                for zone in self.pool_zones(pool):
                    known = ZONES.get(zone)
                    if known is not None and known.offers(accelerator):
                        continue
                    what = f"{zone!r} does not offer"
                    if inherited:
                        what = f"not set, so the pool would use zone {zone!r}, which does not offer"
                    what += f" {accelerator} ({pool.machine_type}) in the kit's zone catalog"
                    raise FieldError(
                        f"{kind}.{index}.zones",
                        f"{what}; allowed: {', '.join(offering) or f'no zone of {self.region}'} "
                        "(or allow_unlisted_zone: true after checking availability)",
                    )

    def _check_gke_version(self) -> None:
        """A TPU generation newer GKE versions brought (v6e, TPU7x) needs the control plane pinned at or above its
        minimum: a release channel's default version moves and the kit cannot know what it is on apply day, so
        `cluster.min_master_version` must say it (modules/catalog/tpu.py cites each minimum's source). Every
        channel's default for new clusters has been above both minimums since 2026-05 (GKE_CHANNEL_DEFAULTS), so the
        pin costs a new cluster nothing; on an existing cluster that runs older, it upgrades the control plane
        before the pool is created (the pool depends on the cluster)."""
        needs = [(index, pool) for index, pool in enumerate(self.tpu_pools) if pool.generation.min_gke_version]
        if not needs:
            return
        index, pool = max(needs, key=lambda item: gke_version_floor(item[1].generation.min_gke_version or ""))
        minimum = pool.generation.min_gke_version or ""
        pinned = self.cluster.min_master_version
        if pinned is not None and gke_version_floor(pinned) >= gke_version_floor(minimum):
            return
        got = "not set" if pinned is None else f"{pinned!r} may be older than {minimum}"
        raise FieldError(
            "cluster.min_master_version",
            f"{got}, but tpu_pools[{index}] ({pool.machine_type}, {pool.generation.display}) needs GKE {minimum} or "
            f"later; allowed: cluster.min_master_version: {minimum} (or a later version; {CHANNEL_NOTE})",
        )

    def _check_buckets(self) -> None:
        """Every bucket the environment creates has a distinct, valid name: the weights bucket, its access-log and
        compile-cache buckets, and (with `ci`) the state bucket and its access-log bucket. The derived names are the
        given name plus a suffix, so the given names are refused when the result would exceed GCS's 63 characters."""
        weights = self.weights_bucket
        if weights.location is None and weights.kms_key is not None:
            check_key_location(weights.kms_key, self.region, "weights_bucket.kms_key")
        names: dict[str, str] = {}
        planned = [("weights_bucket.name", weights.name, ("", ACCESS_LOG_SUFFIX, COMPILE_CACHE_SUFFIX))]
        state = self.state_bucket
        if state is not None:
            field = "ci.state_bucket" if self.ci is not None and self.ci.state_bucket else "backend.bucket"
            planned.append((field, state, ("", ACCESS_LOG_SUFFIX)))
        for field, name, suffixes in planned:
            longest = max(suffixes, key=len)
            if len(name + longest) > MAX_BUCKET_NAME:
                raise FieldError(
                    field,
                    f"{name!r} is too long to derive its bucket {name + longest!r}; "
                    f"allowed: at most {MAX_BUCKET_NAME - len(longest)} characters",
                )
            for suffix in suffixes:
                derived = name + suffix
                if derived in names:
                    raise FieldError(
                        field,
                        f"{name!r} makes bucket {derived!r}, which {names[derived]} already makes; "
                        "allowed: a distinct bucket name (state and weights never share a bucket)",
                    )
                names[derived] = field
        backend_bucket = getattr(self.backend, "bucket", None)
        if state is None and backend_bucket in names:
            raise FieldError(
                "backend.bucket",
                f"{backend_bucket!r} is a bucket {names[backend_bucket]} already makes; "
                "allowed: a distinct bucket name (state and weights never share a bucket)",
            )

    def _check_identities(self) -> None:
        """Every google_service_account the environment creates needs its own account ID (the node account, stager,
        serving, CI plan/apply, and with deployments the metrics adapter): two with one ID are one account in GCP
        (the second create fails with 409)."""
        taken: dict[str, str] = {}
        accounts = [
            ("cluster.name", self.cluster.node_account_id, "the node service account"),
            ("identities.stager.account_id", self.identities.stager.account_id, None),
            ("identities.serving.account_id", self.identities.serving.account_id, None),
        ]
        if self.ci is not None:
            accounts += [
                ("ci.plan_account_id", self.ci.plan_account_id, None),
                ("ci.apply_account_id", self.ci.apply_account_id, None),
            ]
        if self.deployments:  # the Custom Metrics Stackdriver Adapter's account exists only with deployments
            accounts.append(("identities.metrics_adapter.account_id", self.identities.metrics_adapter.account_id, None))
        for field, account_id, derived in accounts:
            if account_id in taken:
                what = f"derives {derived} {account_id!r}, which" if derived else f"{account_id!r}"
                raise FieldError(
                    field,
                    f"{what} is already used by {taken[account_id]}; allowed: a distinct service account ID",
                )
            taken[account_id] = field if derived is None else f"{derived} of {field}"

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
                    shapes = sorted({m.single_host_topology for m in pool.generation.machine_types}, key=chips_in)
                    raise FieldError(
                        f"{where}.pool",
                        f"{pool.name!r} is a multi-host TPU slice ({pool.resolved_topology}) and {MULTI_HOST_REASON}; "
                        f"allowed: a single-host TPU pool ({', '.join(shapes)}) or a GPU pool",
                    )
                problem = tpu_image_problem(pool.generation.name)
                if problem and not d.image:
                    raise FieldError(f"{where}.pool", f"{pool.name!r} runs TPU {pool.generation.name}: {problem}")
                per_chip = TPU_DEVICES_PER_CHIP[pool.generation.name]
                devices = pool.slice_chips * per_chip
                if d.tensor_parallel_size != devices:
                    size, why = f"{pool.slice_chips} chips", "every chip of the slice"
                    if per_chip > 1:
                        size, why = f"{size}, {devices} devices", f"every device, {per_chip} per chip"
                    raise FieldError(
                        f"{where}.tensor_parallel_size",
                        f"{d.tensor_parallel_size} does not match pool {pool.name!r} ({size}); allowed: {devices} "
                        f"(vLLM shards over {why})",
                    )
            elif d.tensor_parallel_size > pool.gpus_per_node:
                raise FieldError(
                    f"{where}.tensor_parallel_size",
                    f"{d.tensor_parallel_size} exceeds the {pool.gpus_per_node} GPU(s) per node of pool "
                    f"{pool.name!r}; allowed: 1 to {pool.gpus_per_node}",
                )
            self._check_weights_cache(where, d, pool)
        self._check_node_capacity(pools)

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

    def pool_zones(self, pool: TpuPool | GpuPool) -> list[str]:
        return pool.zones or self.zones

    @property
    def pools(self) -> list[TpuPool | GpuPool]:
        return [*self.tpu_pools, *self.gpu_pools]

    def warnings(self) -> list[str]:
        """Accepted but worth a second look (printed by `hfkit validate` and `hfkit synth`)."""
        notes = []
        if self.allow_unlisted_region and (
            self.region not in REGIONS or any(z not in REGIONS[self.region].zones for z in self.zones)
        ):
            notes.append(
                f"region: {self.region!r} (zones {self.zones}) is outside the kit's region catalog; accepted because "
                "allow_unlisted_region is true: check the names before deploying"
            )
        for kind, pools in (("tpu_pools", self.tpu_pools), ("gpu_pools", self.gpu_pools)):
            for index, pool in enumerate(pools):
                if not pool.allow_unlisted_zone:
                    continue
                for zone in self.pool_zones(pool):
                    known = ZONES.get(zone)
                    if known is None or not known.offers(pool.zone_accelerator()):
                        notes.append(
                            f"{kind}[{index}].zones: {zone!r} is not in the kit's list of zones offering "
                            f"{pool.zone_accelerator()}; accepted because allow_unlisted_zone is true: check "
                            "availability before deploying"
                        )
        if self.network.open_to_internet:
            notes.append(
                "network.master_authorized_networks: 0.0.0.0/0 opens the control plane endpoint to the whole "
                "internet (only Kubernetes authentication stands in the way), which defeats the private cluster; "
                "accepted because CI runners and operators without fixed egress IPs may need it: prefer their CIDRs"
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
