"""vCPUs and memory (GB) of each accelerator machine type, used to size the model server's CPU and memory requests so
a pod fits the node it needs and leaves room for the system pods.

Source: CYC_MACHINE_TYPES (`gcloud compute machine-types list` exported 2026-07-01: CPUS and MEMORY_GB columns), the
same numbers as COMPUTE_ACCELERATOR_MACHINES' tables for every GPU machine type both list (modules/catalog/sources.py).
The TPU v6e and TPU7x rows are data for the TPU catalog (issue 13) to size its pools with.
"""

from __future__ import annotations

from modules.catalog.sources import COMPUTE_ACCELERATOR_MACHINES, CYC_MACHINE_TYPES, Source

SOURCES: tuple[Source, ...] = (CYC_MACHINE_TYPES, COMPUTE_ACCELERATOR_MACHINES)

MACHINE_VCPUS_MEMORY_GB: dict[str, tuple[int, int]] = {
    "g2-standard-4": (4, 16),
    "g2-standard-8": (8, 32),
    "g2-standard-12": (12, 48),
    "g2-standard-16": (16, 64),
    "g2-standard-24": (24, 96),
    "g2-standard-32": (32, 128),
    "g2-standard-48": (48, 192),
    "g2-standard-96": (96, 384),
    "a2-highgpu-1g": (12, 85),
    "a2-highgpu-2g": (24, 170),
    "a2-highgpu-4g": (48, 340),
    "a2-highgpu-8g": (96, 680),
    "a2-ultragpu-1g": (12, 170),
    "a2-ultragpu-2g": (24, 340),
    "a2-ultragpu-4g": (48, 680),
    "a2-ultragpu-8g": (96, 1360),
    "a3-highgpu-1g": (26, 234),
    "a3-highgpu-2g": (52, 468),
    "a3-highgpu-4g": (104, 936),
    "a3-highgpu-8g": (208, 1872),
    "a3-megagpu-8g": (208, 1872),
    "a3-ultragpu-8g": (224, 2952),
    "a4-highgpu-8g": (224, 3968),
    "g4-standard-48": (48, 180),
    "g4-standard-96": (96, 360),
    "g4-standard-192": (192, 720),
    "g4-standard-384": (384, 1440),
    "ct5lp-hightpu-1t": (24, 48),
    "ct5lp-hightpu-4t": (112, 192),
    "ct5lp-hightpu-8t": (224, 384),
    "ct5l-hightpu-1t": (24, 48),
    "ct5l-hightpu-4t": (112, 192),
    "ct5l-hightpu-8t": (224, 384),
    "ct6e-standard-1t": (44, 176),
    "ct6e-standard-4t": (180, 720),
    "ct6e-standard-8t": (360, 1440),
    "tpu7x-standard-1t": (56, 240),
    "tpu7x-standard-4t": (224, 960),
}
