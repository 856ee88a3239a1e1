"""The fit report says "+ collectives" only where the kit charges them: on GPUs with tensor parallelism > 1.

modules/catalog/engines.py: vLLM and TGI on GPU charge `tensor_parallel_bytes` = 2 GiB per device when TP > 1 (NCCL
and custom all-reduce buffers); tpu-inference charges 0. So the runtime row is 256 MiB on a v5e 2x2 slice (TP 4) and
256 MiB + 2 GiB = 2.25 GiB on 8 x L4 (TP 8).
"""

from __future__ import annotations

from modules.catalog.engines import ENGINES
from modules.fit.memory import fit, gpu_shape, tpu_shape
from modules.fit.profile import profile_model
from scripts.fit.report import fit_lines
from tests.fit.models import LLAMA_3_1_8B, decoder_headers


def runtime_row(machine_type: str, tpu: bool) -> str:
    shape = tpu_shape(machine_type) if tpu else gpu_shape(machine_type)
    result = fit(profile_model(LLAMA_3_1_8B, decoder_headers(LLAMA_3_1_8B)), shape, ENGINES["vllm"], 4096, 1)
    (row,) = [line for line in fit_lines(result, "pool", None) if line.lstrip().startswith("runtime")]
    return " ".join(row.split())


def test_collectives_only_on_gpus() -> None:
    assert runtime_row("ct5lp-hightpu-4t", tpu=True) == "runtime 0.25 GiB outside the engine's accounting"
    assert runtime_row("g2-standard-96", tpu=False) == (
        "runtime 2.25 GiB outside the engine's accounting + collectives"
    )
