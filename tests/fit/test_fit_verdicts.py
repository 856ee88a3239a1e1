"""Verdicts on the pools that matter (TPU v5e 1x1/2x2/2x4, 1/2/4/8 x L4, 1 and 8 x H100, 8 x H200) for the
models of issue 10, each with the context `hfkit serve` would write (0 = does not fit).

Hand derivation, per device (the rule in modules/fit/memory.py, facts in modules/catalog/engines.py):
- weights: sharded bytes / TP + replicated bytes (1-D norms and biases, MoE routers, MLA q_a/kv_a projections) +
  k/v_proj bytes x max(KV heads, TP) / TP / KV heads; unquantized checkpoints at 2 B per parameter (the served
  dtype), quantized ones as stored. Per model, from its published shapes (tests/fit/models.py):
  llama-3.1-8b: sharded 15,523,119,104, replicated 532,480, k/v 536,870,912 (x 2 B already);
  mistral-7b-v0.3: 13,958,643,712 / 532,480 / 536,870,912; gemma-3-27b: 52,130,810,880 / 3,510,496 (4 norms x
  5,376 x 62 + 5,376 + q/k norms 62 x 256 + vision 1-D 400,752, x 2 B) / 2,730,491,904; deepseek-v3:
  673,150,611,808 held as stored, 1,138,633,568 of it replicated; the others likewise.
- activation: vLLM on GPU profiles `T` tokens (2,048; 8,192 on H100/H200) and samples `S` sequences (256;
  1,024): T x 2 x (4 x hidden + 3 x heads/TP x head dim + MLP width) + S x vocab x 16; TGI prefills its
  launcher's default, T = card FLOP/s x GPUs / model FLOPs per token (L4 121e12, H100 900e12, H200 989e12;
  Llama-3.1-8B: 15,032,385,536 FLOPs per token -> 8,049 tokens on one L4), capped by max_position_embeddings and
  the tokens that fit 0.9 x 0.95 of the memory, 8,000 for Gemma 3 (a vision_config: no optimum), without a sampler
  term; tpu-inference: none.
- graphs: vLLM 0.26.0's V1 model runner (MoE models outside its V2 list: Mixtral, Llama 4, DeepSeek-V3) charges CUDA
  graphs before sizing the KV cache: 512 (the largest capture) x the activation bytes per token + 24 MiB per graph,
  86 graphs on L4 (51 PIECEWISE, 35 FULL up to 256 sequences), 102 on H100/H200 (51 + 51); models without experts
  run V2, which charges none; TGI and TPU none.
- runtime: 256 MiB (vLLM), 512 MiB (TGI), + 2 GiB on GPUs when TP > 1; margin: 2% of the device.
- usable: 0.90 x device for vLLM (v5e chip 15,461,882,265; L4 21.6e9; H100 72e9; H200 126.9e9), 0.81 x device
  for TGI; KV budget = usable - weights - activation - graphs - runtime - margin.
- the context: the largest L (the model's own, else a multiple of 16) with KV(L) <= budget, where KV(L) = layers x
  blocks(L) x block x bytes per layer per token (KV/lyr below; TPU pads KV heads to TP, packs 2 bfloat16 per word
  and pads the head dim to 128, except a head dim of 64, whose K and V share the 128 lanes; it rounds to its page).
  Sliding layers keep min(window - 1 + 2 x T, L) tokens + 1 block where the engine keeps a window (vLLM on GPU, and
  on TPU for Gemma, which tpu-inference runs through vLLM's model code): Gemma 3 holds 10 full layers and 60
  (padded) sliding ones, each sliding one 17,424 tokens on H100 (1,023 + 2 x 8,192, + 1 block) and 5,120 + a page
  on L4 and TPU (1,023 + 2 x 2,048). DeepSeek: the 576-wide latent, 1,152 B, in 16-token blocks.
- TGI runs Gemma 3 (a `gemma3` vision-language checkpoint) without prefill chunking, so its router refuses a prompt
  limit (`--max-input-tokens` = context - 1) above its `max_batch_prefill_tokens`, 8,000 for gemma3: Gemma 3 on TGI
  serves at most 8,001 -> 8,000 tokens wherever it fits (the budgets are unchanged).
- refused: MLA on TPU (tpu-inference needs NEW_MODEL_DESIGN=1 and DP attention), AWQ on TPU (LlamaForCausalLM runs
  tpu-inference's JAX model, which loads fp8 and compressed-tensors checkpoints only), TGI on TPU.

    pool        verdict       weights  activation      graphs     runtime      margin     KV budget KV/lyr
    llama-3.1-8b (vllm):
    v5e-1x1    weights   16060522496           0           0   268435456   343597383   -1210673070
    v5e-2x2     131072    4015529984           0           0   268435456   343597383   10834319442   1024
    v5e-2x4     131072    2008031232           0           0   268435456   343597383   12841818194    512
    l4-x1        30304   16060522496   818937856           0   268435456   480000000    3972104192   4096
    l4-x2       131072    8030527488   705691648           0  2415919104   480000000    9967861760   2048
    l4-x4       131072    4015529984   649068544           0  2415919104   480000000   14039482368   1024
    l4-x8       131072    2008031232   620756992           0  2415919104   480000000   16075292672    512
    h100-x1     131072   16060522496  3275751424           0   268435456  1600000000   50795290624   4096
    h100-x8     131072    2008031232  2483027968           0  2415919104  1600000000   63493021696    512
    h200-x8     131072    2008031232  2483027968           0  2415919104  2820000000  117173021696    512
    llama-3.1-8b (tgi):
    v5e-1x1    GPU only
    v5e-2x2    GPU only
    v5e-2x4    GPU only
    l4-x1         9216   16060522496  1153904640           0   536870912   480000000    1208701952   4096
    l4-x2       104176    8030527488  1417654272           0  2684354560   480000000    6827463680   2048
    l4-x4       131072    4015529984  1945213952           0  2684354560   480000000   10314901504   1024
    l4-x8       131072    2008031232  3000245248           0  2684354560   480000000   11267368960    512
    h100-x1     131072   16060522496  8582963200           0   536870912  1600000000   38019643392   4096
    h100-x8     131072    2008031232  6106906624           0  2684354560  1600000000   52400707584    512
    h200-x8     131072    2008031232  6106906624           0  2684354560  2820000000  100590707584    512
    mistral-7b-v0.3 (vllm):
    v5e-1x1       2560   14496047104           0           0   268435456   343597383     353802322   4096
    v5e-2x2      32768    3624411136           0           0   268435456   343597383   11225438290   1024
    v5e-2x4      32768    1812471808           0           0   268435456   343597383   13037377618    512
    l4-x1        32768   14496047104   427819008           0   268435456   480000000    5927698432   4096
    l4-x2        32768    7248289792   314572800           0  2415919104   480000000   11141218304   2048
    l4-x4        32768    3624411136   257949696           0  2415919104   480000000   14821720064   1024
    l4-x8        32768    1812471808   229638144           0  2415919104   480000000   16661970944    512
    h100-x1      32768   14496047104  1711276032           0   268435456  1600000000   53924241408   4096
    h100-x8      32768    1812471808   918552576           0  2415919104  1600000000   65253056512    512
    h200-x8      32768    1812471808   918552576           0  2415919104  2820000000  118933056512    512
    gemma-3-27b (vllm):
    v5e-1x1    weights   54864813280           0           0   268435456   343597383  -40014963854
    v5e-2x2      24064   13718836192           0           0   268435456   343597383    1131013234   2048
    v5e-2x4     131072    6861173344           0           0   268435456   343597383    7988676082   1024
    l4-x1      weights   54864813280  1476657152           0   268435456   480000000  -35489905888
    l4-x2      weights   27434161888  1319370752           0  2415919104   480000000  -10049451744
    l4-x4       131072   13718836192  1240727552           0  2415919104   480000000    3744517152   2048
    l4-x8       131072    6861173344  1201405952           0  2415919104   480000000   10641501600   1024
    h100-x1      16304   54864813280  5906628608           0   268435456  1600000000    9360122656   8192
    h100-x8     131072    6861173344  4805623808           0  2415919104  1600000000   56317283744   1024
    h200-x8     131072    6861173344  4805623808           0  2415919104  2820000000  109997283744   1024
    gemma-3-27b (tgi):
    v5e-1x1    GPU only
    v5e-2x2    GPU only
    v5e-2x4    GPU only
    l4-x1      weights   54864813280  1572864000           0   536870912   480000000  -38014548192
    l4-x2      weights   27434161888   958464000           0  2684354560   480000000  -12116980448
    l4-x4         8000   13718836192   651264000           0  2684354560   480000000    1905545248   2048
    l4-x8         8000    6861173344   497664000           0  2684354560   480000000    8916808096   1024
    h100-x1       8000   54864813280  1572864000           0   536870912  1600000000    6225451808   8192
    h100-x8       8000    6861173344   497664000           0  2684354560  1600000000   53156808096   1024
    h200-x8       8000    6861173344   497664000           0  2684354560  2820000000  101346808096   1024
    deepseek-v3 (vllm):
    v5e-1x1    MLA TPU
    v5e-2x2    MLA TPU
    v5e-2x4    MLA TPU
    l4-x1      weights  673150611808  1385168896  2378170368   268435456   480000000 -656062386528
    l4-x2      weights  337144622688  1133510656  2315255808  2415919104   480000000 -321889308256
    l4-x4      weights  169141628128  1007681536  2283798528  2415919104   480000000 -153729027296
    l4-x8      weights   85140130848   944766976  2268069888  2415919104   480000000  -69648886816
    h100-x1    weights  673150611808  5540675584  2780823552   268435456  1600000000 -611340546400
    h100-x8    weights   85140130848  3779067904  2670723072  2415919104  1600000000  -23605840928
    h200-x8     163840   85140130848  3779067904  2670723072  2415919104  2820000000   30074159072   1152
    tinyllama-f32 (vllm):
    v5e-1x1       2048    2200096768           0           0   268435456   343597383   12649752658   1024
    v5e-2x2       2048     550162432           0           0   268435456   343597383   14299686994    512
    v5e-2x4       2048     280940544           0           0   268435456   343597383   14568908882    512
    l4-x1         2048    2200096768   258998272           0   268435456   480000000   18392469504   1024
    l4-x2         2048    1100140544   211812352           0  2415919104   480000000   17392128000    512
    l4-x4         2048     550162432   188219392           0  2415919104   480000000   17965699072    256
    l4-x8         2048     280940544   176422912           0  2415919104   480000000   18246717440    256
    h100-x1       2048    2200096768  1035993088           0   268435456  1600000000   66895474688   1024
    h100-x8       2048     280940544   705691648           0  2415919104  1600000000   66997448704    256
    h200-x8       2048     280940544   705691648           0  2415919104  2820000000  120677448704    256
    llama-3.1-8b-awq (vllm):
    v5e-1x1    AWQ TPU
    v5e-2x2    AWQ TPU
    v5e-2x4    AWQ TPU
    l4-x1       109136    5727854592   818937856           0   268435456   480000000   14304772096   4096
    l4-x2       131072    2864193536   705691648           0  2415919104   480000000   15134195712   2048
    l4-x4       131072    1432363008   649068544           0  2415919104   480000000   16622649344   1024
    l4-x8       131072     716447744   620756992           0  2415919104   480000000   17366876160    512
    h100-x1     131072    5727854592  3275751424           0   268435456  1600000000   61127958528   4096
    h100-x8     131072     716447744  2483027968           0  2415919104  1600000000   64784605184    512
    h200-x8     131072     716447744  2483027968           0  2415919104  2820000000  118464605184    512
    llama-3.1-70b (vllm):
    v5e-1x1    weights  141107412992           0           0   268435456   343597383 -126257563566
    v5e-2x2    weights   35278831616           0           0   268435456   343597383  -20428982190
    v5e-2x4    weights   17640734720           0           0   268435456   343597383   -2790885294
    l4-x1      weights  141107412992  1112539136           0   268435456   480000000 -121368387584
    l4-x2      weights   70555025408   886046720           0  2415919104   480000000  -52736991232
    l4-x4      weights   35278831616   772800512           0  2415919104   480000000  -17347551232
    l4-x8         8464   17640734720   716177408           0  2415919104   480000000     347168768    512
    h100-x1    weights  141107412992  4450156544           0   268435456  1600000000  -75426004992
    h100-x8     131072   17640734720  2864709632           0  2415919104  1600000000   47478636544    512
    h200-x8     131072   17640734720  2864709632           0  2415919104  2820000000  101158636544    512
    mixtral-8x7b (vllm):
    v5e-1x1    weights   93405585408           0           0   268435456   343597383  -78555735982
    v5e-2x2    weights   23353368576           0           0   268435456   343597383   -8503519150
    v5e-2x4      32768   11677999104           0           0   268435456   343597383    3171850322    512
    l4-x1      weights   93405585408   634388480  2290089984   268435456   480000000  -75478499328
    l4-x2      weights   46704107520   433061888  2239758336  2415919104   480000000  -30672846848
    l4-x4      weights   23353368576   332398592  2214592512  2415919104   480000000   -7196278784
    l4-x8        32768   11677999104   282066944  2202009600  2415919104   480000000    4542005248    512
    h100-x1    weights   93405585408  2537553920  2692743168   268435456  1600000000  -28504317952
    h100-x8      32768   11677999104  1128267776  2604662784  2415919104  1600000000   52573151232    512
    h200-x8      32768   11677999104  1128267776  2604662784  2415919104  2820000000  106253151232    512
    llama-4-scout (vllm):
    v5e-1x1    weights  215539722240           0           0   268435456   343597383 -200689872814
    v5e-2x2    weights   53891573760           0           0   268435456   343597383  -39041724334
    v5e-2x4    weights   26950215680           0           0   268435456   343597383  -12100366254
    l4-x1      weights  215539722240  1175715840  2251292672   268435456   480000000 -198115166208
    l4-x2      weights  107774289920  1043595264  2218262528  2415919104   480000000  -92332066816
    l4-x4      weights   53891573760   977534976  2201747456  2415919104   480000000  -38366775296
    l4-x8      weights   26950215680   952893440  2195587072  2415919104   480000000  -11394615296
    h100-x1    weights  215539722240  4702863360  2653945856   268435456  1600000000 -152764966912
    h100-x8    1408848   26950215680  3811573760  2598240256  2415919104  1600000000   34624051200    512
    h200-x8    3593088   26950215680  3811573760  2598240256  2415919104  2820000000   88304051200    512
"""

from __future__ import annotations

from functools import cache

import pytest

from modules.catalog.engines import ENGINES
from modules.fit.memory import PoolShape, fit, gpu_shape, tpu_shape
from modules.fit.profile import ModelProfile, profile_model
from tests.fit import models as m

POOLS: dict[str, PoolShape] = {
    "v5e-1x1": tpu_shape("ct5lp-hightpu-1t"),
    "v5e-2x2": tpu_shape("ct5lp-hightpu-4t"),
    "v5e-2x4": tpu_shape("ct5lp-hightpu-8t"),
    "l4-x1": gpu_shape("g2-standard-8"),
    "l4-x2": gpu_shape("g2-standard-24"),
    "l4-x4": gpu_shape("g2-standard-48"),
    "l4-x8": gpu_shape("g2-standard-96"),
    "h100-x1": PoolShape("gpu", "a3-highgpu-1g", "nvidia-h100-80gb", 1, 80 * 10**9),
    "h100-x8": gpu_shape("a3-highgpu-8g"),
    "h200-x8": gpu_shape("a3-ultragpu-8g"),
}
CHECKPOINTS = {
    "llama-3.1-8b": lambda: (m.LLAMA_3_1_8B, m.llama_tensors(m.LLAMA_3_1_8B)),
    "llama-3.1-70b": lambda: (m.LLAMA_3_1_70B, m.llama_tensors(m.LLAMA_3_1_70B)),
    "mistral-7b-v0.3": lambda: (m.MISTRAL_7B_V03, m.llama_tensors(m.MISTRAL_7B_V03)),
    "mixtral-8x7b": lambda: (m.MIXTRAL_8X7B, m.llama_tensors(m.MIXTRAL_8X7B)),
    "gemma-3-27b": lambda: (m.GEMMA_3_27B, m.gemma3_tensors(m.GEMMA_3_27B)),
    "tinyllama-f32": lambda: (m.TINYLLAMA_V1_1, m.llama_tensors(m.TINYLLAMA_V1_1, dtype="F32")),
    "llama-3.1-8b-awq": lambda: (m.LLAMA_3_1_8B_AWQ, m.awq_llama_tensors(m.LLAMA_3_1_8B_AWQ)),
    "llama-4-scout": lambda: (m.LLAMA_4_SCOUT, m.llama4_text_tensors(m.LLAMA_4_SCOUT)),
}
#: (model, engine, pool, context hfkit serve writes or 0, KV budget per device or None when never computed)
VERDICTS = [
    ("llama-3.1-8b", "vllm", "v5e-1x1", 0, -1210673070),
    ("llama-3.1-8b", "vllm", "v5e-2x2", 131072, 10834319442),
    ("llama-3.1-8b", "vllm", "v5e-2x4", 131072, 12841818194),
    ("llama-3.1-8b", "vllm", "l4-x1", 30304, 3972104192),
    ("llama-3.1-8b", "vllm", "l4-x2", 131072, 9967861760),
    ("llama-3.1-8b", "vllm", "l4-x4", 131072, 14039482368),
    ("llama-3.1-8b", "vllm", "l4-x8", 131072, 16075292672),
    ("llama-3.1-8b", "vllm", "h100-x1", 131072, 50795290624),
    ("llama-3.1-8b", "vllm", "h100-x8", 131072, 63493021696),
    ("llama-3.1-8b", "vllm", "h200-x8", 131072, 117173021696),
    ("llama-3.1-8b", "tgi", "v5e-1x1", 0, None),
    ("llama-3.1-8b", "tgi", "v5e-2x2", 0, None),
    ("llama-3.1-8b", "tgi", "v5e-2x4", 0, None),
    ("llama-3.1-8b", "tgi", "l4-x1", 9216, 1208701952),
    ("llama-3.1-8b", "tgi", "l4-x2", 104176, 6827463680),
    ("llama-3.1-8b", "tgi", "l4-x4", 131072, 10314901504),
    ("llama-3.1-8b", "tgi", "l4-x8", 131072, 11267368960),
    ("llama-3.1-8b", "tgi", "h100-x1", 131072, 38019643392),
    ("llama-3.1-8b", "tgi", "h100-x8", 131072, 52400707584),
    ("llama-3.1-8b", "tgi", "h200-x8", 131072, 100590707584),
    ("mistral-7b-v0.3", "vllm", "v5e-1x1", 2560, 353802322),
    ("mistral-7b-v0.3", "vllm", "v5e-2x2", 32768, 11225438290),
    ("mistral-7b-v0.3", "vllm", "v5e-2x4", 32768, 13037377618),
    ("mistral-7b-v0.3", "vllm", "l4-x1", 32768, 5927698432),
    ("mistral-7b-v0.3", "vllm", "l4-x2", 32768, 11141218304),
    ("mistral-7b-v0.3", "vllm", "l4-x4", 32768, 14821720064),
    ("mistral-7b-v0.3", "vllm", "l4-x8", 32768, 16661970944),
    ("mistral-7b-v0.3", "vllm", "h100-x1", 32768, 53924241408),
    ("mistral-7b-v0.3", "vllm", "h100-x8", 32768, 65253056512),
    ("mistral-7b-v0.3", "vllm", "h200-x8", 32768, 118933056512),
    ("gemma-3-27b", "vllm", "v5e-1x1", 0, -40014963854),
    ("gemma-3-27b", "vllm", "v5e-2x2", 24064, 1131013234),
    ("gemma-3-27b", "vllm", "v5e-2x4", 131072, 7988676082),
    ("gemma-3-27b", "vllm", "l4-x1", 0, -35489905888),
    ("gemma-3-27b", "vllm", "l4-x2", 0, -10049451744),
    ("gemma-3-27b", "vllm", "l4-x4", 131072, 3744517152),
    ("gemma-3-27b", "vllm", "l4-x8", 131072, 10641501600),
    ("gemma-3-27b", "vllm", "h100-x1", 16304, 9360122656),
    ("gemma-3-27b", "vllm", "h100-x8", 131072, 56317283744),
    ("gemma-3-27b", "vllm", "h200-x8", 131072, 109997283744),
    ("gemma-3-27b", "tgi", "v5e-1x1", 0, None),
    ("gemma-3-27b", "tgi", "v5e-2x2", 0, None),
    ("gemma-3-27b", "tgi", "v5e-2x4", 0, None),
    ("gemma-3-27b", "tgi", "l4-x1", 0, -38014548192),
    ("gemma-3-27b", "tgi", "l4-x2", 0, -12116980448),
    ("gemma-3-27b", "tgi", "l4-x4", 8000, 1905545248),
    ("gemma-3-27b", "tgi", "l4-x8", 8000, 8916808096),
    ("gemma-3-27b", "tgi", "h100-x1", 8000, 6225451808),
    ("gemma-3-27b", "tgi", "h100-x8", 8000, 53156808096),
    ("gemma-3-27b", "tgi", "h200-x8", 8000, 101346808096),
    ("deepseek-v3", "vllm", "v5e-1x1", 0, None),
    ("deepseek-v3", "vllm", "v5e-2x2", 0, None),
    ("deepseek-v3", "vllm", "v5e-2x4", 0, None),
    ("deepseek-v3", "vllm", "l4-x1", 0, -656062386528),
    ("deepseek-v3", "vllm", "l4-x2", 0, -321889308256),
    ("deepseek-v3", "vllm", "l4-x4", 0, -153729027296),
    ("deepseek-v3", "vllm", "l4-x8", 0, -69648886816),
    ("deepseek-v3", "vllm", "h100-x1", 0, -611340546400),
    ("deepseek-v3", "vllm", "h100-x8", 0, -23605840928),
    ("deepseek-v3", "vllm", "h200-x8", 163840, 30074159072),
    ("tinyllama-f32", "vllm", "v5e-1x1", 2048, 12649752658),
    ("tinyllama-f32", "vllm", "v5e-2x2", 2048, 14299686994),
    ("tinyllama-f32", "vllm", "v5e-2x4", 2048, 14568908882),
    ("tinyllama-f32", "vllm", "l4-x1", 2048, 18392469504),
    ("tinyllama-f32", "vllm", "l4-x2", 2048, 17392128000),
    ("tinyllama-f32", "vllm", "l4-x4", 2048, 17965699072),
    ("tinyllama-f32", "vllm", "l4-x8", 2048, 18246717440),
    ("tinyllama-f32", "vllm", "h100-x1", 2048, 66895474688),
    ("tinyllama-f32", "vllm", "h100-x8", 2048, 66997448704),
    ("tinyllama-f32", "vllm", "h200-x8", 2048, 120677448704),
    ("llama-3.1-8b-awq", "vllm", "v5e-1x1", 0, None),
    ("llama-3.1-8b-awq", "vllm", "v5e-2x2", 0, None),
    ("llama-3.1-8b-awq", "vllm", "v5e-2x4", 0, None),
    ("llama-3.1-8b-awq", "vllm", "l4-x1", 109136, 14304772096),
    ("llama-3.1-8b-awq", "vllm", "l4-x2", 131072, 15134195712),
    ("llama-3.1-8b-awq", "vllm", "l4-x4", 131072, 16622649344),
    ("llama-3.1-8b-awq", "vllm", "l4-x8", 131072, 17366876160),
    ("llama-3.1-8b-awq", "vllm", "h100-x1", 131072, 61127958528),
    ("llama-3.1-8b-awq", "vllm", "h100-x8", 131072, 64784605184),
    ("llama-3.1-8b-awq", "vllm", "h200-x8", 131072, 118464605184),
    ("llama-3.1-70b", "vllm", "v5e-1x1", 0, -126257563566),
    ("llama-3.1-70b", "vllm", "v5e-2x2", 0, -20428982190),
    ("llama-3.1-70b", "vllm", "v5e-2x4", 0, -2790885294),
    ("llama-3.1-70b", "vllm", "l4-x1", 0, -121368387584),
    ("llama-3.1-70b", "vllm", "l4-x2", 0, -52736991232),
    ("llama-3.1-70b", "vllm", "l4-x4", 0, -17347551232),
    ("llama-3.1-70b", "vllm", "l4-x8", 8464, 347168768),
    ("llama-3.1-70b", "vllm", "h100-x1", 0, -75426004992),
    ("llama-3.1-70b", "vllm", "h100-x8", 131072, 47478636544),
    ("llama-3.1-70b", "vllm", "h200-x8", 131072, 101158636544),
    ("mixtral-8x7b", "vllm", "v5e-1x1", 0, -78555735982),
    ("mixtral-8x7b", "vllm", "v5e-2x2", 0, -8503519150),
    ("mixtral-8x7b", "vllm", "v5e-2x4", 32768, 3171850322),
    ("mixtral-8x7b", "vllm", "l4-x1", 0, -75478499328),
    ("mixtral-8x7b", "vllm", "l4-x2", 0, -30672846848),
    ("mixtral-8x7b", "vllm", "l4-x4", 0, -7196278784),
    ("mixtral-8x7b", "vllm", "l4-x8", 32768, 4542005248),
    ("mixtral-8x7b", "vllm", "h100-x1", 0, -28504317952),
    ("mixtral-8x7b", "vllm", "h100-x8", 32768, 52573151232),
    ("mixtral-8x7b", "vllm", "h200-x8", 32768, 106253151232),
    ("llama-4-scout", "vllm", "v5e-1x1", 0, -200689872814),
    ("llama-4-scout", "vllm", "v5e-2x2", 0, -39041724334),
    ("llama-4-scout", "vllm", "v5e-2x4", 0, -12100366254),
    ("llama-4-scout", "vllm", "l4-x1", 0, -198115166208),
    ("llama-4-scout", "vllm", "l4-x2", 0, -92332066816),
    ("llama-4-scout", "vllm", "l4-x4", 0, -38366775296),
    ("llama-4-scout", "vllm", "l4-x8", 0, -11394615296),
    ("llama-4-scout", "vllm", "h100-x1", 0, -152764966912),
    ("llama-4-scout", "vllm", "h100-x8", 1408848, 34624051200),
    ("llama-4-scout", "vllm", "h200-x8", 3593088, 88304051200),
]


@cache
def profile(name: str) -> ModelProfile:
    if name == "deepseek-v3":
        return m.deepseek_v3_profile()
    config, tensors = CHECKPOINTS[name]()
    return profile_model(config, m.headers(tensors, shards=4))


@pytest.mark.parametrize(("model", "engine", "pool", "context", "budget"), VERDICTS)
def test_verdict(model: str, engine: str, pool: str, context: int, budget: int | None) -> None:
    result = fit(profile(model), POOLS[pool], ENGINES[engine])
    assert (result.fits, result.max_model_len if result.fits else 0) == (context > 0, context)
    if budget is not None:
        assert result.kv_budget_bytes == budget
