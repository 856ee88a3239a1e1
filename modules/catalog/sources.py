"""Where each cloud fact in the catalogs comes from, and when it was read.

A fact without a source cannot be re-checked when Google changes availability; a fact whose source could not be
re-read offline says so (`offline_copy=False`), so a reviewer knows which entries to check first.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The day the offline copies below were read for issue 9 ("Cloud truth").
READ_ON = "2026-12-02"


@dataclass(frozen=True)
class Source:
    """One reference: a URL (or repo/path@commit), what it says that the catalog relies on, and when it was read."""

    ref: str
    says: str
    read: str = READ_ON
    offline_copy: bool = True
    """False: the page could not be read in full offline on `read`; the entry restates the page as last read by the
    kit's authors and must be re-checked against the live page before it is relied on for a new deployment."""


TPU_REGIONS_ZONES = Source(
    "https://cloud.google.com/tpu/docs/regions-zones (and the older types-zones copy)",
    "v5e (v5litepod) zones: us-central1-a, us-south1-a, us-west1-c, us-west4-a; the older copy also lists "
    "us-east5-a/b/c (single-tenant); europe-west4-b is the Europe v5e zone the kit has used since its first version",
)
TPU_V5E_DOC = Source(
    "https://docs.cloud.google.com/tpu/docs/v5e",
    "16 GiB HBM and 197 bf16 TFLOP/s per chip; VM types ct5lp-hightpu-1t/4t/8t with 1/4/8 chips; slice shapes 1x1, "
    "2x2, 2x4, 4x4, 4x8, 8x8, 8x16, 16x16",
)
XPK_V5E = Source(
    "github.com/AI-Hypercomputer/xpk src/xpk/core/system_characteristics.py @367c838 (v5litepod entry, "
    "compute_chips_per_vm / compute_vms_per_slice)",
    "v5litepod on ct5lp-hightpu-4t supports 2x4, 4x4, 4x8, 8x8, 8x16, 16x16; every topology above one chip uses 4 "
    "chips per VM, so 2x4 is a two-VM slice",
)
GKE_TPU_PLAN = Source(
    "https://cloud.google.com/kubernetes-engine/docs/concepts/plan-tpus",
    "GKE machine types per TPU version and zone: ct5lp-* (tpu-v5-lite-podslice) and ct5l-* (tpu-v5-lite-device, "
    "single-host); ct5l is offered in fewer zones (us-central1-a, europe-west4-b)",
    offline_copy=False,
)
GPU_REGIONS_ZONES = Source(
    "https://cloud.google.com/compute/docs/gpus/gpu-regions-zones",
    "GPU models per zone",
    offline_copy=False,
)
REGIONS_ZONES = Source(
    "https://cloud.google.com/compute/docs/regions-zones",
    "zones of each region (regions have three or more zones)",
    offline_copy=False,
)
ACCELERATED_PLATFORMS_CLASSES = Source(
    "github.com/GoogleCloudPlatform/accelerated-platforms "
    "platforms/gke/base/core/custom_compute_class/templates/manifests/gpu/*/ @9320f3b",
    "a3-highgpu-1g/2g/4g/8g carry 1/2/4/8 x nvidia-h100-80gb; g4-standard-48/96/192/384 carry 1/2/4/8 x "
    "nvidia-rtx-pro-6000 (96 GB, directory rtx-pro-6000-96gb); g4-standard-48 has 180 GiB of memory "
    "(docs/.../vllm-native-kv-cache-offloading-single-tier.md)",
)
XPK_A4 = Source(
    "github.com/AI-Hypercomputer/xpk src/xpk/core/system_characteristics.py @367c838 ('b200-8') and "
    "src/xpk/core/blueprint/blueprint_generator.py (A4 pool: disk_type hyperdisk-balanced)",
    "a4-highgpu-8g carries 8 x nvidia-b200; xpk's A4 node pool boots from hyperdisk-balanced",
)
GKE_SAMPLES_DRA = Source(
    "github.com/GoogleCloudPlatform/kubernetes-engine-samples autoscaling/custom-compute-classes/dra/README.md "
    "@2b50365 line 37",
    "a3-highgpu-1g: 26 vCPUs, 234 GB, 1 x H100 80 GB",
)
COMPUTE_GPU_MACHINES = Source(
    "https://cloud.google.com/compute/docs/accelerator-optimized-machines and /compute/docs/gpus",
    "per-series machine shapes, GPU memory (B200 180 GB HBM3e) and supported disk types: G2 pd-balanced/pd-ssd; "
    "A2 pd-standard/pd-balanced/pd-ssd; A3 High and A3 Mega pd-balanced/pd-ssd/hyperdisk-balanced; A3 Ultra, A4 "
    "and G4 Hyperdisk only (hyperdisk-balanced is the only Hyperdisk type a boot disk can be)",
    offline_copy=False,
)
VERTEX_DISK_SPEC = Source(
    "https://docs.cloud.google.com/vertex-ai/docs/reference/rest/v1/DiskSpec",
    "for A3 Ultra machines the boot disk default is hyperdisk-balanced (pd-ssd for the others)",
)
XPK_NODEPOOL = Source(
    "github.com/AI-Hypercomputer/xpk src/xpk/core/capacity.py, src/xpk/core/nodepool.py, src/xpk/utils/kueue.py "
    "@367c838",
    "flex-start node pools: --flex-start --enable-autoscaling --num-nodes=0 --location-policy=ANY "
    "--reservation-affinity=none --no-enable-autorepair --max-nodes=N (autoscaling from zero, no static size); "
    "multi-host TPU slices get --placement-type=COMPACT --tpu-topology=AxB also under flex-start; xpk adds "
    "--enable-queued-provisioning for single-slice GPU pools only (its choice: GKE documents queued provisioning for "
    "TPU slices too, which the kit accepts)",
)
GKE_QUEUED_PROVISIONING = Source(
    "https://cloud.google.com/kubernetes-engine/docs/how-to/provisioningrequest (GPUs and TPUs)",
    "queued provisioning node pools: autoscaling from 0, NO_RESERVATION, auto-repair off; TPU slice node pools "
    "(multi-host, with their topology) are provisioned atomically through a ProvisioningRequest",
    offline_copy=False,
)
