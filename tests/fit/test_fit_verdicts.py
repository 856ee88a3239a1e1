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
- runtime: 256 MiB (vLLM), 512 MiB (TGI), + 2 GiB on GPUs when TP > 1; margin: 2% of the device.
- usable: 0.90 x device for vLLM (v5e chip 15,461,882,265; L4 21.6e9; H100 72e9; H200 126.9e9), 0.81 x device
  for TGI; KV budget = usable - weights - activation - runtime - margin.
- the context: the largest L (the model's own, else a multiple of 16) with KV(L) <= budget, where KV(L) = layers x
  blocks(L) x block x bytes per layer per token (KV/lyr below; TPU pads heads to TP and head dim to 128, rounds to
  its page; Gemma 3 on GPU with vLLM keeps 9,232 tokens in each of 60 (padded) sliding layers; DeepSeek: the
  576-wide latent, 1,152 B, in 64-token blocks).

    pool        verdict       weights  activation     runtime      margin     KV budget KV/lyr
    llama-3.1-8b (vllm):
    v5e-1x1     weights   16060522496           0   268435456   343597383   -1210673070
    v5e-2x2      131072    4015529984           0   268435456   343597383   10834319442   1024
    v5e-2x4      131072    2008031232           0   268435456   343597383   12841818194    512
    l4-x1         30304   16060522496   818937856   268435456   480000000    3972104192   4096
    l4-x2        131072    8030527488   705691648  2415919104   480000000    9967861760   2048
    l4-x4        131072    4015529984   649068544  2415919104   480000000   14039482368   1024
    l4-x8        131072    2008031232   620756992  2415919104   480000000   16075292672    512
    h100-x1      131072   16060522496  3275751424   268435456  1600000000   50795290624   4096
    h100-x8      131072    2008031232  2483027968  2415919104  1600000000   63493021696    512
    h200-x8      131072    2008031232  2483027968  2415919104  2820000000  117173021696    512
    llama-3.1-8b (tgi):
    v5e-1x1    GPU only
    v5e-2x2    GPU only
    v5e-2x4    GPU only
    l4-x1          9216   16060522496  1153904640   536870912   480000000    1208701952   4096
    l4-x2        104176    8030527488  1417654272  2684354560   480000000    6827463680   2048
    l4-x4        131072    4015529984  1945213952  2684354560   480000000   10314901504   1024
    l4-x8        131072    2008031232  3000245248  2684354560   480000000   11267368960    512
    h100-x1      131072   16060522496  8582963200   536870912  1600000000   38019643392   4096
    h100-x8      131072    2008031232  6106906624  2684354560  1600000000   52400707584    512
    h200-x8      131072    2008031232  6106906624  2684354560  2820000000  100590707584    512
    mistral-7b-v0.3 (vllm):
    v5e-1x1        2560   14496047104           0   268435456   343597383     353802322   4096
    v5e-2x2       32768    3624411136           0   268435456   343597383   11225438290   1024
    v5e-2x4       32768    1812471808           0   268435456   343597383   13037377618    512
    l4-x1         32768   14496047104   427819008   268435456   480000000    5927698432   4096
    l4-x2         32768    7248289792   314572800  2415919104   480000000   11141218304   2048
    l4-x4         32768    3624411136   257949696  2415919104   480000000   14821720064   1024
    l4-x8         32768    1812471808   229638144  2415919104   480000000   16661970944    512
    h100-x1       32768   14496047104  1711276032   268435456  1600000000   53924241408   4096
    h100-x8       32768    1812471808   918552576  2415919104  1600000000   65253056512    512
    h200-x8       32768    1812471808   918552576  2415919104  2820000000  118933056512    512
    gemma-3-27b (vllm):
    v5e-1x1     weights   54864813280           0   268435456   343597383  -40014963854
    v5e-2x2        8896   13718836192           0   268435456   343597383    1131013234   2048
    v5e-2x4      125696    6861173344           0   268435456   343597383    7988676082   1024
    l4-x1       weights   54864813280  1476657152   268435456   480000000  -35489905888
    l4-x2       weights   27434161888  1319370752  2415919104   480000000  -10049451744
    l4-x4        131072   13718836192  1240727552  2415919104   480000000    3744517152   2048
    l4-x8        131072    6861173344  1201405952  2415919104   480000000   10641501600   1024
    h100-x1       58864   54864813280  5906628608   268435456  1600000000    9360122656   8192
    h100-x8      131072    6861173344  4805623808  2415919104  1600000000   56317283744   1024
    h200-x8      131072    6861173344  4805623808  2415919104  2820000000  109997283744   1024
    gemma-3-27b (tgi):
    v5e-1x1    GPU only
    v5e-2x2    GPU only
    v5e-2x4    GPU only
    l4-x1       weights   54864813280  1572864000   536870912   480000000  -38014548192
    l4-x2       weights   27434161888   958464000  2684354560   480000000  -12116980448
    l4-x4         14992   13718836192   651264000  2684354560   480000000    1905545248   2048
    l4-x8        131072    6861173344   497664000  2684354560   480000000    8916808096   1024
    h100-x1       12256   54864813280  1572864000   536870912  1600000000    6225451808   8192
    h100-x8      131072    6861173344   497664000  2684354560  1600000000   53156808096   1024
    h200-x8      131072    6861173344   497664000  2684354560  2820000000  101346808096   1024
    deepseek-v3 (vllm):
    v5e-1x1     MLA TPU
    v5e-2x2     MLA TPU
    v5e-2x4     MLA TPU
    l4-x1       weights  673150611808  1385168896   268435456   480000000 -653684216160
    l4-x2       weights  337144622688  1133510656  2415919104   480000000 -319574052448
    l4-x4       weights  169141628128  1007681536  2415919104   480000000 -151445228768
    l4-x8       weights   85140130848   944766976  2415919104   480000000  -67380816928
    h100-x1     weights  673150611808  5540675584   268435456  1600000000 -608559722848
    h100-x8     weights   85140130848  3779067904  2415919104  1600000000  -20935117856
    h200-x8      163840   85140130848  3779067904  2415919104  2820000000   32744882144   1152
    tinyllama-f32 (vllm):
    v5e-1x1        2048    2200096768           0   268435456   343597383   12649752658   2048
    v5e-2x2        2048     550162432           0   268435456   343597383   14299686994    512
    v5e-2x4        2048     280940544           0   268435456   343597383   14568908882    512
    l4-x1          2048    2200096768   258998272   268435456   480000000   18392469504   1024
    l4-x2          2048    1100140544   211812352  2415919104   480000000   17392128000    512
    l4-x4          2048     550162432   188219392  2415919104   480000000   17965699072    256
    l4-x8          2048     280940544   176422912  2415919104   480000000   18246717440    256
    h100-x1        2048    2200096768  1035993088   268435456  1600000000   66895474688   1024
    h100-x8        2048     280940544   705691648  2415919104  1600000000   66997448704    256
    h200-x8        2048     280940544   705691648  2415919104  2820000000  120677448704    256
    llama-3.1-8b-awq (vllm):
    v5e-1x1       69376    5727854592           0   268435456   343597383    9121994834   4096
    v5e-2x2      131072    1432363008           0   268435456   343597383   13417486418   1024
    v5e-2x4      131072     716447744           0   268435456   343597383   14133401682    512
    l4-x1        109136    5727854592   818937856   268435456   480000000   14304772096   4096
    l4-x2        131072    2864193536   705691648  2415919104   480000000   15134195712   2048
    l4-x4        131072    1432363008   649068544  2415919104   480000000   16622649344   1024
    l4-x8        131072     716447744   620756992  2415919104   480000000   17366876160    512
    h100-x1      131072    5727854592  3275751424   268435456  1600000000   61127958528   4096
    h100-x8      131072     716447744  2483027968  2415919104  1600000000   64784605184    512
    h200-x8      131072     716447744  2483027968  2415919104  2820000000  118464605184    512
    llama-3.1-70b (vllm):
    v5e-1x1     weights  141107412992           0   268435456   343597383 -126257563566
    v5e-2x2     weights   35278831616           0   268435456   343597383  -20428982190
    v5e-2x4     weights   17640734720           0   268435456   343597383   -2790885294
    l4-x1       weights  141107412992  1112539136   268435456   480000000 -121368387584
    l4-x2       weights   70555025408   886046720  2415919104   480000000  -52736991232
    l4-x4       weights   35278831616   772800512  2415919104   480000000  -17347551232
    l4-x8          8464   17640734720   716177408  2415919104   480000000     347168768    512
    h100-x1     weights  141107412992  4450156544   268435456  1600000000  -75426004992
    h100-x8      131072   17640734720  2864709632  2415919104  1600000000   47478636544    512
    h200-x8      131072   17640734720  2864709632  2415919104  2820000000  101158636544    512
    mixtral-8x7b (vllm):
    v5e-1x1     weights   93405585408           0   268435456   343597383  -78555735982
    v5e-2x2     weights   23353368576           0   268435456   343597383   -8503519150
    v5e-2x4       32768   11677999104           0   268435456   343597383    3171850322    512
    l4-x1       weights   93405585408   634388480   268435456   480000000  -73188409344
    l4-x2       weights   46704107520   433061888  2415919104   480000000  -28433088512
    l4-x4       weights   23353368576   332398592  2415919104   480000000   -4981686272
    l4-x8         32768   11677999104   282066944  2415919104   480000000    6744014848    512
    h100-x1     weights   93405585408  2537553920   268435456  1600000000  -25811574784
    h100-x8       32768   11677999104  1128267776  2415919104  1600000000   55177814016    512
    h200-x8       32768   11677999104  1128267776  2415919104  2820000000  108857814016    512
    llama-4-scout (vllm):
    v5e-1x1     weights  215539722240           0   268435456   343597383 -200689872814
    v5e-2x2     weights   53891573760           0   268435456   343597383  -39041724334
    v5e-2x4     weights   26950215680           0   268435456   343597383  -12100366254
    l4-x1       weights  215539722240  1175715840   268435456   480000000 -195863873536
    l4-x2       weights  107774289920  1043595264  2415919104   480000000  -90113804288
    l4-x4       weights   53891573760   977534976  2415919104   480000000  -36165027840
    l4-x8       weights   26950215680   952893440  2415919104   480000000   -9199028224
    h100-x1     weights  215539722240  4702863360   268435456  1600000000 -150111021056
    h100-x8     1514576   26950215680  3811573760  2415919104  1600000000   37222291456    512
    h200-x8     3698816   26950215680  3811573760  2415919104  2820000000   90902291456    512
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
    ("gemma-3-27b", "vllm", "v5e-2x2", 8896, 1131013234),
    ("gemma-3-27b", "vllm", "v5e-2x4", 125696, 7988676082),
    ("gemma-3-27b", "vllm", "l4-x1", 0, -35489905888),
    ("gemma-3-27b", "vllm", "l4-x2", 0, -10049451744),
    ("gemma-3-27b", "vllm", "l4-x4", 131072, 3744517152),
    ("gemma-3-27b", "vllm", "l4-x8", 131072, 10641501600),
    ("gemma-3-27b", "vllm", "h100-x1", 58864, 9360122656),
    ("gemma-3-27b", "vllm", "h100-x8", 131072, 56317283744),
    ("gemma-3-27b", "vllm", "h200-x8", 131072, 109997283744),
    ("gemma-3-27b", "tgi", "v5e-1x1", 0, None),
    ("gemma-3-27b", "tgi", "v5e-2x2", 0, None),
    ("gemma-3-27b", "tgi", "v5e-2x4", 0, None),
    ("gemma-3-27b", "tgi", "l4-x1", 0, -38014548192),
    ("gemma-3-27b", "tgi", "l4-x2", 0, -12116980448),
    ("gemma-3-27b", "tgi", "l4-x4", 14992, 1905545248),
    ("gemma-3-27b", "tgi", "l4-x8", 131072, 8916808096),
    ("gemma-3-27b", "tgi", "h100-x1", 12256, 6225451808),
    ("gemma-3-27b", "tgi", "h100-x8", 131072, 53156808096),
    ("gemma-3-27b", "tgi", "h200-x8", 131072, 101346808096),
    ("deepseek-v3", "vllm", "v5e-1x1", 0, None),
    ("deepseek-v3", "vllm", "v5e-2x2", 0, None),
    ("deepseek-v3", "vllm", "v5e-2x4", 0, None),
    ("deepseek-v3", "vllm", "l4-x1", 0, -653684216160),
    ("deepseek-v3", "vllm", "l4-x2", 0, -319574052448),
    ("deepseek-v3", "vllm", "l4-x4", 0, -151445228768),
    ("deepseek-v3", "vllm", "l4-x8", 0, -67380816928),
    ("deepseek-v3", "vllm", "h100-x1", 0, -608559722848),
    ("deepseek-v3", "vllm", "h100-x8", 0, -20935117856),
    ("deepseek-v3", "vllm", "h200-x8", 163840, 32744882144),
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
    ("llama-3.1-8b-awq", "vllm", "v5e-1x1", 69376, 9121994834),
    ("llama-3.1-8b-awq", "vllm", "v5e-2x2", 131072, 13417486418),
    ("llama-3.1-8b-awq", "vllm", "v5e-2x4", 131072, 14133401682),
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
    ("mixtral-8x7b", "vllm", "l4-x1", 0, -73188409344),
    ("mixtral-8x7b", "vllm", "l4-x2", 0, -28433088512),
    ("mixtral-8x7b", "vllm", "l4-x4", 0, -4981686272),
    ("mixtral-8x7b", "vllm", "l4-x8", 32768, 6744014848),
    ("mixtral-8x7b", "vllm", "h100-x1", 0, -25811574784),
    ("mixtral-8x7b", "vllm", "h100-x8", 32768, 55177814016),
    ("mixtral-8x7b", "vllm", "h200-x8", 32768, 108857814016),
    ("llama-4-scout", "vllm", "v5e-1x1", 0, -200689872814),
    ("llama-4-scout", "vllm", "v5e-2x2", 0, -39041724334),
    ("llama-4-scout", "vllm", "v5e-2x4", 0, -12100366254),
    ("llama-4-scout", "vllm", "l4-x1", 0, -195863873536),
    ("llama-4-scout", "vllm", "l4-x2", 0, -90113804288),
    ("llama-4-scout", "vllm", "l4-x4", 0, -36165027840),
    ("llama-4-scout", "vllm", "l4-x8", 0, -9199028224),
    ("llama-4-scout", "vllm", "h100-x1", 0, -150111021056),
    ("llama-4-scout", "vllm", "h100-x8", 1514576, 37222291456),
    ("llama-4-scout", "vllm", "h200-x8", 3698816, 90902291456),
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
