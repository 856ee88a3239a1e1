"""Where each cloud fact in the catalogs comes from, and when it was read.

A fact without a source cannot be re-checked when Google changes availability. Every source below was read offline
on `READ_ON` (through the search, read_file and fetch tools; `offline_copy=False` marks a page that could not be read
in full, and no catalog fact rests on such a page alone). Where a source is a copy (an export, a recorded page, a
web clip), the entry names the copy, its commit or date, and what it copies.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The day the offline copies below were read (issue 9 and its follow-up, "catalogs from sources").
READ_ON = "2026-12-02"
#: The day the TPU v6e and TPU7x sources (issue 13) were read.
TPU_GENERATIONS_READ_ON = "2026-12-03"
#: Every day a source below was read on.
READ_DATES: tuple[str, ...] = (READ_ON, TPU_GENERATIONS_READ_ON)


@dataclass(frozen=True)
class Source:
    """One reference: a URL (or repo/path@commit), what it says that the catalog relies on, and when it was read."""

    ref: str
    says: str
    read: str = READ_ON
    offline_copy: bool = True
    """False: the page could not be read in full offline on `read`; the entry restates the page as last read by the
    kit's authors and must be re-checked against the live page before it is relied on for a new deployment."""


# --- TPU v5e shapes (modules/catalog/tpu.py) -------------------------------------------------------------------------

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

# --- TPU v6e (Trillium) and TPU7x (Ironwood) (modules/catalog/tpu.py, issue 13) ----------------------------------

_I13 = TPU_GENERATIONS_READ_ON

TPU_V6E_DOC = Source(
    "https://docs.cloud.google.com/tpu/docs/v6e.md.txt (docs-corpus copy; its specification table read, the "
    "configuration tables past it cut off in the copy)",
    "918 bf16 TFLOPs and 32 GB HBM per chip ('HBM capacity per chip | 32 GB'), 8 chips per host, 256-chip Pod, 2D "
    "torus",
    read=_I13,
)
TPU7X_DOC = Source(
    "https://docs.cloud.google.com/tpu/docs/tpu7x (docs-corpus copies, incl. tpu7x.md.txt; the system-architecture "
    "table read, the configuration tables past it cut off in the copies)",
    "table 'HBM capacity per chip (GiB)': v5p 95, v6e 32, TPU7x 192; 'Peak compute per chip (BF16) (TFLOPs)': v6e "
    "918, TPU7x 2307 (FP8 4614); two TensorCores per TPU7x chip, which 'lets you access two TPU devices instead of "
    "the single logical core' (Dual-chiplet architecture); 9,216 chips per Pod. Its column header says GiB "
    "where the v6e page says GB for the same 32: the kit reads both as GiB (HBM stacks come in binary sizes) and "
    "records the TPU7x table's unit",
    read=_I13,
)
GKE_TPU_IRONWOOD = Source(
    "https://docs.cloud.google.com/kubernetes-engine/docs/concepts/tpu-ironwood (docs-corpus copies: .md.txt and "
    "de, es, fr, it, ja, he translations, all agreeing)",
    "TPU7x runs on GKE Standard clusters at 1.34.0-gke.2201000 and later (Autopilot 1.34.1-gke.3084001); multi-host "
    "TPU7x slice node pools are placed by a workload policy (a resource policy, type High throughput) applied with "
    "--placement-policy, which 'replaces the --tpu-topology flag used by other TPU versions'; each TPU7x VM has 4 "
    "chips and 2 NUMA nodes",
    read=_I13,
)
XPK_TPU_GENERATIONS = Source(
    "github.com/AI-Hypercomputer/xpk src/xpk/core/system_characteristics.py and src/xpk/core/nodepool.py @367c838 "
    "(entries v6e and tpu7x; generate_tpu_topologies; ensure_resource_policy_exists)",
    "v6e: ct6e-standard-1t 1x1, ct6e-standard-4t 2x2 and multi-host 2x4, 4x4, 4x8, 8x8, 8x16, 16x16 (4 chips per "
    "VM), label tpu-v6e-slice, no ct6e-standard-8t entry. tpu7x: tpu7x-standard-1t 1x1x1, tpu7x-standard-4t 2x2x1, "
    "2x2x2, 2x2x4, 2x4x4 and every AxBxC with A<=B<=C multiples of 4 up to 256 and (A/4)(B/4)(C/4) <= 144 cubes, "
    "label tpu7x, requires_workload_policy for slices of more than one VM. Node pools: multi-host slices without a "
    "workload policy get --placement-type=COMPACT --tpu-topology=AxB; with one, neither flag ('--placement-type="
    "COMPACT enables group placement policy which is mutually exclusive with workload policy, --tpu-topology should "
    "also not be passed'); the policy is `gcloud beta compute resource-policies create workload-policy NAME "
    "--region=<the zone's region> --type=HIGH_THROUGHPUT --accelerator-topology=<topology>`",
    read=_I13,
)
CLUSTER_TOOLKIT_TPU = Source(
    "github.com/GoogleCloudPlatform/cluster-toolkit @104708037 (2026-06-25): examples/gke-tpu-v6e, "
    "examples/gke-tpu-7x, "
    "examples/gke-consumption-options/dws-flex-start{,-queued-provisioning}/gke-tpu-{v6e,7x}, "
    "tools/cloud-build/daily-tests/tests/gke-tpu-{v6e,7x}.yml, modules/compute/resource-policy, "
    "modules/compute/gke-node-pool/main.tf",
    "v6e and TPU7x node pools boot from disk_type hyperdisk-balanced; v6e multi-host: placement_policy {type = "
    "COMPACT, tpu_topology = 4x4} on ct6e-standard-4t; TPU7x: a google_compute_resource_policy with workload_policy "
    "{type = HIGH_THROUGHPUT, accelerator_topology = <topology>} whose name the node pool's placement_policy takes as "
    "policy_name with type = COMPACT (and, there, tpu_topology too: modules/compute/resource-policy/outputs.tf sets "
    "it to the accelerator topology since c8641355a, 2025-11-05); both generations have reservation, spot (the "
    "daily tests run enable_spot: true), flex-start and flex-start with queued provisioning examples. Its TPU7x "
    "daily test runs a single-host 2x2x1 pool only; the multi-host TPU7x shape (2x2x2) is in the flex-start "
    "examples, not in a daily test (re-read 2026-12-03)",
    read=_I13,
)
GKE_AUTOSCALER_TPU_FAMILIES = Source(
    "the GKE cluster-autoscaler machine-family file of GKE_AUTOSCALER_MACHINES (read_file id 56690376758), families "
    "ct6e, tpu7x",
    "ct6e (ct6e-standard-1t/4t/8t, label tpu-v6e-slice) and tpu7x (tpu7x-standard-1t/4t, label tpu7x): "
    "supportedBootDiskTypes hyperdisk-balanced only, defaultDiskType hyperdisk-balanced (v5e's ct5lp family is not in "
    "the part read; the kit keeps pd-balanced, pd-ssd for it)",
    read=_I13,
)
TPU_CONSUMPTION_OPTIONS = Source(
    "https://docs.cloud.google.com/tpu/docs/consumption-options (docs-corpus zh-cn copy; the rows for future "
    "reservations, calendar mode, on-demand and flex-start read)",
    "on-demand and future reservations: 'all TPU versions'; calendar-mode reservations list TPU7x (us-central1-c) "
    "and v6e; flex-start (Preview) is a consumption option for TPUs",
    read=_I13,
)
GKE_TPU_CAPACITY = Source(
    "https://docs.cloud.google.com/tpu/docs/tpus-in-gke (docs-corpus ja copy) and "
    "https://docs.cloud.google.com/kubernetes-engine/docs/concepts/dws (docs-corpus it and he copies)",
    "'GKE also supports Spot VMs and reserved Cloud TPUs' (every TPU version the page covers); flex-start "
    "'provisions flex-start VMs for the GPU, TPU and H4D machine series'. The DWS page recommends flex-start VMs for "
    "TPU workloads 'that run in single-host TPU slice node pools' (a recommendation, not a limit: xpk and Cluster "
    "Toolkit's dws-flex-start TPU7x example create multi-host flex-start pools) and flex-start with queued "
    "provisioning for workloads that need several nodes at once. With CLUSTER_TOOLKIT_NODE_POOL (queued provisioning "
    "with COMPACT 'unless using TPUs') and XPK_NODEPOOL this is the kit's source for v5e's capacity models",
    read=_I13,
)
GKE_V6E_MIN_VERSION = Source(
    "docs.ray.io cluster/kubernetes/user-guides/gcp-gke-tpu-cluster (docs corpus) and an indexed v6e GKE runbook "
    "(read_file id 61396137700), both quoting GKE's TPU availability table, which the docs corpus holds only cut off",
    "'TPU v6e is supported in GKE versions 1.31.2-gke.1115000 or later'; the runbook calls 1.31.2-gke.1115000 'the "
    "stricter minimum in the current v6e availability table', so the kit takes it",
    read=_I13,
)
GKE_CHANNEL_DEFAULTS = Source(
    "GKE release-note feeds (docs corpus): feeds/gke-stable-channel-release-notes.xml, entry May 27, 2026 "
    "(2026-R21); feeds/gke-regular-channel-release-notes.xml, entry September 17, 2026 (2026-R39); and an undated "
    "copy of kubernetes-engine/docs/release-notes ('Current versions' table, minor versions up to 1.37)",
    "'1.34.6-gke.1307000 is now the default version for cluster creation in the Stable channel' (2026-05-27); "
    "'1.35.8-gke.1036000 is now the default version for cluster creation in the Regular channel' (2026-09-17); the "
    "table's defaults for cluster creation: Rapid 1.36.4-gke.1082000, Regular 1.35.7-gke.1222000, Stable "
    "1.35.6-gke.1250000, Extended 1.35.7-gke.1222000. So every channel's default for new clusters has been above "
    "v6e's and TPU7x's minimums since 2026-05; the kit still asks for the pin: a channel's default moves, and an "
    "existing cluster keeps an older version until upgraded (the provider upgrades the control plane when "
    "min_master_version is above the running version: resource_container_cluster.go:4073-4095 at v6.50.0)",
    read=_I13,
)
PROVIDER_RESOURCE_POLICY = Source(
    "github.com/hashicorp/terraform-provider-google v6.50.0 "
    "google/services/compute/resource_compute_resource_policy.go and "
    "google/services/container/resource_container_node_pool.go (+ its _test.go, customPlacementPolicy)",
    "workload_policy {type (required, HIGH_AVAILABILITY | HIGH_THROUGHPUT, ForceNew), accelerator_topology "
    "(optional, 'can be set only when the workload policy type is HIGH_THROUGHPUT', conflicts with "
    "max_topology_distance)}; name 1-63 chars matching [a-z]([-a-z0-9]*[a-z0-9])?; region optional. Node pool "
    "placement_policy {type required, policy_name optional ('must be in the same project and region as the node "
    "pool'), tpu_topology optional}; the provider's own test pairs policy_name with type = COMPACT "
    "(testAccContainerNodePool_customPlacementPolicy, resource_container_node_pool_test.go:2536-2570, with a "
    "group_placement_policy COLLOCATED policy: no provider test puts a workload policy in a node pool). "
    "placement_policy.type is Required (resource_container_node_pool.go:201-205), so the kit cannot leave the type "
    "unset as gcloud does for xpk's bare --placement-policy",
    read=_I13,
)

# --- Regions, zones and what each zone offers (modules/catalog/zones.py) ---------------------------------------------

CYC_ZONES = Source(
    "github.com/Cyclenerd/google-cloud-pricing-cost-calculator tools/zones.csv @dac31281 (file last changed ee02dbb, "
    "2023-03-30: stale, used only together with SKYPILOT_GCP_VMS): an export of `gcloud compute zones list`",
    "zones of the catalog regions: us-central1-a/b/c/f, us-east1-b/c/d, us-east4-a/b/c, us-east5-a/b/c, "
    "us-south1-a/b/c, us-west1-a/b/c, us-west4-a/b/c, europe-west4-a/b/c, all UP",
)
CYC_REGIONS = Source(
    "github.com/Cyclenerd/google-cloud-pricing-cost-calculator tools/regions.csv @dac31281 (file last changed "
    "4707d14, 2026-01-09): an export of `gcloud compute regions list` (tools/regions.sh: NAME;STATUS;TURNDOWN_DATE)",
    "the 43 Compute Engine regions, all UP, none with a turndown date: africa-south1, asia-east1/2, "
    "asia-northeast1/2/3, asia-south1/2, asia-southeast1/2/3, australia-southeast1/2, europe-central2, "
    "europe-north1/2, europe-southwest1, europe-west1/2/3/4/6/8/9/10/12, me-central1/2, me-west1, "
    "northamerica-northeast1/2, northamerica-south1, southamerica-east1, southamerica-west1, us-central1, "
    "us-east1/4/5, us-south1, us-west1/2/3/4. The parts read of other Google region tables (App Lifecycle "
    "Manager's docs.cloud.google.com/saas-runtime/docs/locations, Cloud Storage's locations page, ko copy) name no "
    "region outside it",
)
GCS_LOCATIONS = Source(
    "https://cloud.google.com/storage/docs/locations (docs and pages corpus copies, en/ko/zh-TW, the newest 'Last "
    "updated 2025-07-31'; every copy read is cut off before the predefined dual-region table, which "
    "GCS_DUAL_REGIONS supplies)",
    "a bucket location is a region, a dual-region (predefined, or configurable: a pair of regions given as custom "
    "placement, which the kit does not offer) or a multi-region (US, EU, ASIA); zonal locations exist only for "
    "Rapid buckets (not offered by the kit)",
)
GCS_DUAL_REGIONS = Source(
    "github.com/superdango/cloud-carbon-exporter internal/carbon, the GCP intensity map (read_file id 26093564951; "
    "its comments cite storage/docs/locations#predefined and #location-mr)",
    "the predefined dual-regions asia1, eur4, eur5, eur7, eur8, nam4 and the multi-regions asia, eu, us (GCS takes "
    "any case; the API returns them upper-case). The region pairs it gives are not used by the kit",
)
CYC_ACCELERATOR_REGIONS = Source(
    "github.com/Cyclenerd/google-cloud-pricing-cost-calculator tools/acceleratortyperegion.csv @dac31281 (file last "
    "changed 1c13e28, 2026-08-10): `gcloud compute accelerator-types list` per zone with the zone suffix cut off "
    "(tools/acceleratortypes.sh); the per-zone file it derives from (tools/acceleratortypezone.csv) was last "
    "committed in 2023 and is stale",
    "the regions that list each accelerator type in August 2026: the newest availability data read, region-level "
    "only; every zone-level fact in the catalog is cross-checked against it (ACCELERATOR_REGIONS in zones.py)",
)
SKYPILOT_GCP_VMS = Source(
    "github.com/skypilot-org/skypilot-catalog catalogs/v8/gcp/vms.csv @006059e0 (read with read_file; the index "
    "records no commit date: it has A4 rows but no G4 and no TPU7x rows, and no B200 in europe-west1, which the "
    "2026 region export lists, so it predates GPU_ZONES_PAGE)",
    "one row per machine type (or Cloud TPU type) and zone, from the Compute Engine machine-type and the Cloud TPU "
    "accelerator listings: the zone-level source for regions the GPU page recording lacks (us-east5, us-south1, "
    "us-west4), for Europe v5e (europe-west4-a/b) and for the zones of each region (e2-standard-4 rows)",
)
GPU_ZONES_PAGE = Source(
    "https://docs.cloud.google.com/compute/docs/gpus/gpu-regions-zones as recorded in github.com/sean-reid/cloud-atlas "
    "tests/fixtures/gcp-gpu-zones.html @bec943e8 (released in cloud-atlas v0.2.0 on 2026-10-10, CHANGELOG.md; parsed "
    "by pipeline/adapters/gcp-gpu-zones.ts); the recording keeps only some regions' rows (none for us-east5, "
    "us-south1, us-west4)",
    "GPU machine series per zone (A4, A3 Ultra/Mega/High, A2 Ultra/Standard, G4, G4 fractional, G2): the newest "
    "zone-level GPU source read; where it has a zone's row it wins over SKYPILOT_GCP_VMS. For the GPU series both "
    "list they differ only on G2 in us-east1-d and us-west1-c and A3 Mega in us-east4-c (only SkyPilot lists them) "
    "and A4 in us-east1-d (only the page lists it)",
)
G4_ZONES_AUDIT = Source(
    "a dated gcloud audit (2026-06-23) in an indexed public repository, read_file id 56072092929 "
    "(`gcloud compute machine-types list --filter='name~^g4-standard'`)",
    "us-central1-b offers g4-standard-6 to g4-standard-384 and nvidia-rtx-pro-6000; us-central1-f offers "
    "g4-standard-48 to g4-standard-384: agrees with GPU_ZONES_PAGE (fractional G4 only in us-central1-b)",
)
TPU_REGIONS_ZONES = Source(
    "https://docs.cloud.google.com/tpu/docs/types-zones and /tpu/docs/regions-zones.md.txt (docs-corpus copies, "
    "undated; the newest, as they list TPU7x) and https://cloud.google.com/tpu/docs/regions (older copy, for the "
    "Europe v6e row); the Europe v5e rows are cut off in every copy read",
    "North America: TPU7x us-central1-c (and AI zone us-central1-ai1a); v6e us-central1-b, us-east1-d, us-east5-a, "
    "us-east5-b (and AI zones us-central1-ai1, us-south1-ai1b); v5e us-central1-a, us-south1-a, us-west1-c, "
    "us-west4-a. Europe: v6e europe-west4-a. An older German copy adds single-tenant zones (v5e us-east5-a/b/c; v6e "
    "us-east5-c, us-east4-a/b, us-west1-c), which the kit leaves out",
)
VLLM_CI_V7X = Source(
    "github.com/vllm-project/ci-infra terraform/gcp_old/tpu-inference/cloud-tpu-inference-test-v7x/providers.tf "
    "@3e4cfe4 (2026-08-21)",
    "vLLM's TPU7x CI runs in us-central1-c (corroborates TPU_REGIONS_ZONES)",
)

# --- GPU machines: shapes, GPU memory, boot disks, consumption options (gpu.py, machines.py) -------------------------

COMPUTE_ACCELERATOR_MACHINES = Source(
    "https://docs.cloud.google.com/compute/docs/accelerator-optimized-machines ('Last updated 2026-04-13 UTC'), a "
    "web clip in an indexed public repository, read_file id 59672125728",
    "machine tables (vCPUs, memory, GPUs, GPU memory: B200 180 GB, H200 141 GB, H100 80 GB, A100 40/80 GB, RTX PRO "
    "6000 96 GB GDDR7, L4 24 GB); boot disks: hyperdisk-balanced is 'the only disk type that is supported for the "
    "boot disk' of A4, A3 Ultra and G4 (no Persistent Disk at all); A3 High/Mega take pd-balanced, pd-ssd and "
    "Hyperdisk; A2 pd-balanced, pd-ssd, pd-standard; G2 pd-balanced, pd-ssd ('pd-standard isn't supported'). "
    "A4 and A3 Ultra: 'you must reserve capacity ..., use Spot VMs, use Flex-start VMs, or create a resize request "
    "in a MIG'; a3-highgpu-1g/2g/4g: 'you must create instances by using Spot VMs or Flex-start VMs' (a standalone "
    "flex-start VM or a MIG resize request). G4 fractional shapes g4-standard-6/12/24 carry 1/8, 1/4, 1/2 of a GPU "
    "as vGPUs (Preview). (The page's consumption-option table lost its check marks in the clip; only its notes are "
    "used.)",
)
CYC_MACHINE_TYPES = Source(
    "github.com/Cyclenerd/google-cloud-pricing-cost-calculator tools/machinetypes.csv @dac31281 (file last changed "
    "8c32d22, 2026-07-01): an export of `gcloud compute machine-types list` (NAME;CPUS;SHARED_CPU;MEMORY_GB)",
    "vCPUs and memory of every accelerator machine type the kit sizes, incl. a3-highgpu-1g/2g/4g 26/52/104 and "
    "234/468/936, a4-highgpu-8g 224 and 3968, g4-standard-48..384, ct6e-standard-1t/4t/8t 44/180/360 and "
    "176/720/1440, tpu7x-standard-1t/4t 56/224 and 240/960 (the same numbers as COMPUTE_ACCELERATOR_MACHINES' "
    "tables where both list a type)",
)
GKE_AUTOSCALER_MACHINES = Source(
    "GKE's cluster-autoscaler machine families (Go package machinetypes of module k8s.io/gke-autoscaling, "
    "'Copyright 2026 Google LLC'), a file in an indexed public repository the index does not name, read_file id "
    "56690376758",
    "supportedBootDiskTypes: A2 pd-standard, pd-balanced, pd-ssd; A3 pd-balanced, pd-ssd, hyperdisk-balanced with "
    "a3-ultragpu-8g overridden to hyperdisk-balanced only; A4 and G4 hyperdisk-balanced; G2 pd-balanced, pd-ssd. "
    "g4-standard-6/12/24 are registered with 1 x nvidia-rtx-pro-6000, like g4-standard-48 ('Fractional vGPU shapes "
    "have the same accelerator name & count as the non-frac ones'), and as explicit-request only",
)
GPUHUNT_GCP = Source(
    "github.com/dstackai/gpuhunt src/gpuhunt/providers/gcp.py @35841515 (2026-08-19) lines 213-227 (the filter "
    "came with 64f01a2, 2025-09-29)",
    "drops the on-demand offers of a4-*, a3-ultragpu-* and a3-highgpu-* with fewer than 8 GPUs as 'not actually "
    "available on demand', citing the accelerator-optimized page's consumption-option table",
)
AI_HYPERCOMPUTER_CONSUMPTION = Source(
    "https://cloud.google.com/ai-hypercomputer/docs/consumption-models (pages-corpus copy)",
    "comparison of consumption options: future reservations for A4X, A4, A3 Ultra; calendar-mode reservations for "
    "A4, A3 Ultra; flex-start and spot for any GPU machine except A4X",
)
ACCELERATED_PLATFORMS_CLASSES = Source(
    "github.com/GoogleCloudPlatform/accelerated-platforms "
    "platforms/gke/base/core/custom_compute_class/templates/manifests/gpu/*/ @9320f3b",
    "a3-highgpu-1g/2g/4g/8g carry 1/2/4/8 x nvidia-h100-80gb; g4-standard-48/96/192/384 carry 1/2/4/8 x "
    "nvidia-rtx-pro-6000 (96 GB, directory rtx-pro-6000-96gb)",
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
VERTEX_DISK_SPEC = Source(
    "https://docs.cloud.google.com/vertex-ai/docs/reference/rest/v1/DiskSpec",
    "for A3 Ultra machines the boot disk default is hyperdisk-balanced (pd-ssd for the others)",
)
GKE_GPUS_G4 = Source(
    "https://docs.cloud.google.com/kubernetes-engine/docs/how-to/gpus, as quoted in an indexed research dump "
    "(read_file id 60170828331)",
    "GKE node pools of G4 machine types with less than one GPU (g4-standard-6/12/24: one-eighth, one-quarter, "
    "one-half of a GPU) are Preview and need GKE 1.34.5-gke.1153000 (1.34) or 1.35.2-gke.1485000 (1.35+), whole-GPU "
    "G4 needs 1.34.0-gke.1662000; workloads on them need the page's extra preparation for less than one GPU",
)

# --- Capacity models (modules/config/pools.py) -----------------------------------------------------------------------

XPK_NODEPOOL = Source(
    "github.com/AI-Hypercomputer/xpk src/xpk/core/capacity.py, src/xpk/core/nodepool.py, src/xpk/utils/kueue.py "
    "@367c838",
    "flex-start node pools: --flex-start --enable-autoscaling --num-nodes=0 --location-policy=ANY "
    "--reservation-affinity=none --no-enable-autorepair --max-nodes=N (autoscaling from zero, no static size); "
    "multi-host TPU slices get --placement-type=COMPACT --tpu-topology=AxB also under flex-start; xpk adds "
    "--enable-queued-provisioning for single-slice GPU pools only (its choice; CLUSTER_TOOLKIT_NODE_POOL queues TPU "
    "slices too)",
)
GKE_FLEX_START_QUEUED = Source(
    "https://docs.cloud.google.com/kubernetes-engine/docs/how-to/provisioningrequest ('Run a large-scale workload "
    "with flex-start with queued provisioning'; docs-corpus .md.txt copy and its zh-cn, ja, ko copies)",
    "'To use flex-start with queued provisioning, you must add the --flex-start and --enable-queued-provisioning "
    "flags when you create the node pool'; the example pool also has --enable-autoscaling --num-nodes=0 "
    "--total-max-nodes --location-policy=ANY --reservation-affinity=none --no-enable-autorepair. The two are one "
    "documented mode, not mutually exclusive",
)
CLUSTER_TOOLKIT_NODE_POOL = Source(
    "github.com/GoogleCloudPlatform/cluster-toolkit modules/compute/gke-node-pool/main.tf @10470803 (2026-06-25) "
    "lines 391-402, 415-433, 452-459; examples/gke-consumption-options/dws-flex-start-queued-provisioning/"
    "gke-a3-ultragpu.yaml",
    "preconditions: queued provisioning needs NO_RESERVATION, total min nodes 0 and no COMPACT placement 'unless "
    "using TPUs'; flex-start needs auto-repair off, no static node count, NO_RESERVATION and no spot; 'Both "
    "enable_queued_provisioning and spot consumption option cannot be set to true at the same time'; 'Compact "
    "placement with DWS Flex start is only supported for A3 Ultra, A4, and H4D machine types' (TPUs exempt). Its "
    "A3 Ultra example enables flex-start and queued provisioning together",
)
