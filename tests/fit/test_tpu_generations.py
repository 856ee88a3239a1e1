"""What tpu-inference 0.27.0 (in the pinned `vllm/vllm-tpu:v0.27.0`) makes of each TPU generation of the catalog:
JAX devices per chip, HBM per device, the runtime allowance, whether the image supports it. Sources and figures in
modules/catalog/engines.py (`TPU_DEVICES_PER_CHIP`, `TPU_RUNTIME_BYTES`, `VLLM_TPU_IMAGE_GENERATIONS`)."""

from __future__ import annotations

import pytest

from modules.catalog.engines import (
    ENGINES,
    TPU_DEVICES_PER_CHIP,
    TPU_RUNTIME_BYTES,
    VLLM_IMAGE_TPU,
    VLLM_TPU_IMAGE_GENERATIONS,
    tpu_image_problem,
)
from modules.catalog.tpu import TPU_GENERATIONS
from modules.fit.memory import PoolShape, catalog_shapes, fit, tpu_shape
from modules.fit.profile import profile_model
from tests.fit.models import LLAMA_3_1_8B, decoder_headers

GiB = 1024**3
MiB = 1024**2


def test_every_catalog_generation_has_its_engine_facts() -> None:
    """A generation added to modules/catalog/tpu.py without these would be sized wrongly or not at all."""
    for name in TPU_GENERATIONS:
        assert name in TPU_DEVICES_PER_CHIP and name in TPU_RUNTIME_BYTES, name
    # Google's own spelling of each generation, as fit's reports name them
    assert {g.display for g in TPU_GENERATIONS.values()} == {"TPU v5e", "TPU v6e", "TPU7x"}
    # tpu-inference 0.27.0's README: "Recommended: v7x, v5e, v6e": the one pinned image serves all three
    assert set(VLLM_TPU_IMAGE_GENERATIONS) == set(TPU_GENERATIONS) == {"v5e", "v6e", "tpu7x"}
    assert ENGINES["vllm"].images["tpu"] == VLLM_IMAGE_TPU == "vllm/vllm-tpu:v0.27.0"


def test_devices_and_memory_per_generation() -> None:
    """tpu-info's TpuChip: V5E 16 GiB x 1 device, V6E 32 x 1, V7X 192 x 2; tpu-inference's `get_device_hbm_limit`:
    16, 32 and 96 GiB per device; its GKE example serves a 2x2x1 tpu7x node (google.com/tpu: 4) with TP 8."""
    expected = {
        "ct5lp-hightpu-8t": (8, 8, 16 * GiB),
        "ct6e-standard-1t": (1, 1, 32 * GiB),
        "ct6e-standard-4t": (4, 4, 32 * GiB),
        "ct6e-standard-8t": (8, 8, 32 * GiB),
        "tpu7x-standard-1t": (1, 2, 96 * GiB),
        "tpu7x-standard-4t": (4, 8, 96 * GiB),
    }
    for machine_type, (chips, devices, device_bytes) in expected.items():
        shape = tpu_shape(machine_type)
        assert (shape.chips, shape.devices, shape.device_bytes) == (chips, devices, device_bytes), machine_type
    assert {"v5e": 256 * MiB, "v6e": 809_500_672, "tpu7x": 3 * 809_500_672} == TPU_RUNTIME_BYTES


def test_catalog_shapes_cover_every_generation_once_per_chip_count() -> None:
    tpu = [s.machine_type for s in catalog_shapes() if s.kind == "tpu"]
    assert sorted(tpu) == sorted([
        "ct5lp-hightpu-1t", "ct5lp-hightpu-4t", "ct5lp-hightpu-8t",  # ct5l-hightpu-Nt: the same shapes
        "ct6e-standard-1t", "ct6e-standard-4t", "ct6e-standard-8t",
        "tpu7x-standard-1t", "tpu7x-standard-4t",
    ])  # fmt: skip


def test_a_generation_the_image_does_not_list_is_refused() -> None:
    """TPU v5p is "Experimental" in tpu-inference 0.27.0's README and not a catalog generation: a shape of it (built
    by hand, 95 GiB per chip) is refused before any sizing."""
    message = (
        "vllm/vllm-tpu:v0.27.0 (tpu-inference 0.27.0) does not list TPU v5p as a recommended generation; "
        "allowed: a pool of TPU v5e, v6e, tpu7x"
    )
    assert tpu_image_problem("v5p") == message
    assert all(tpu_image_problem(name) is None for name in TPU_GENERATIONS)
    v5p = PoolShape("tpu", "ct5p-hightpu-4t", "tpu-v5p-slice", 4, 95 * GiB, "2x2x1", False, "v5p", 4)
    result = fit(profile_model(LLAMA_3_1_8B, decoder_headers(LLAMA_3_1_8B)), v5p, ENGINES["vllm"])
    assert (result.fits, result.problem) == (False, message)


def test_config_refuses_a_deployment_on_a_generation_the_pinned_image_drops(monkeypatch: pytest.MonkeyPatch) -> None:
    """Were the vLLM TPU pin moved to an image without TPU7x, the config check would refuse a TPU7x deployment
    unless the entry names its own `image:` (simulated by narrowing the recorded support list)."""
    import yaml

    from modules.catalog import engines
    from modules.config import ConfigError, parse_environment
    from tests.conftest import REPO

    monkeypatch.setattr(engines, "VLLM_TPU_IMAGE_GENERATIONS", ("v5e", "v6e"))
    data = yaml.safe_load((REPO / "hfkit.yaml").read_text())
    data["cluster"]["min_master_version"] = "1.34.0-gke.2201000"
    data["tpu_pools"] = [{"name": "iron", "machine_type": "tpu7x-standard-4t", "zones": ["us-central1-c"]}]
    data["gpu_pools"] = []
    commit = "a" * 40
    entry = {
        "name": "llama",
        "model": "acme/llama",
        "commit": commit,
        "path": f"gs://{data['weights_bucket']['name']}/models/acme/llama/{commit}/",
        "pool": "iron",
        "tensor_parallel_size": 8,
        "max_model_len": 4096,
        "staged_bytes": 10**9,
    }
    data["deployments"] = [entry]
    with pytest.raises(ConfigError) as refused:
        parse_environment(data)
    assert refused.value.errors == [
        "deployments[0].pool: 'iron' runs TPU tpu7x: vllm/vllm-tpu:v0.27.0 (tpu-inference 0.27.0) does not list "
        "TPU tpu7x as a recommended generation; allowed: a pool of TPU v5e, v6e"
    ]
    data["deployments"] = [{**entry, "image": "acme/vllm-tpu:ironwood"}]
    assert parse_environment(data).deployments[0].image == "acme/vllm-tpu:ironwood"
