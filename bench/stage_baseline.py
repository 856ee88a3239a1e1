"""The two-hop baseline `hfkit stage` is measured against: what teams do today, in one process.

1. huggingface_hub `snapshot_download` of the repo into a local directory (hf_hub_download per file, 8 workers);
2. google-cloud-storage `transfer_manager.upload_many_from_filenames` of that directory (8 threads).

    python bench/stage_baseline.py REPO_ID BUCKET PREFIX LOCAL_DIR WORKERS

Prints one JSON line: seconds per phase and the bytes the download left on local disk.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path


def main() -> None:
    repo_id, bucket, prefix, local_dir, workers = (
        sys.argv[1],
        sys.argv[2],
        sys.argv[3],
        Path(sys.argv[4]),
        int(sys.argv[5]),
    )
    from google.cloud import storage
    from google.cloud.storage import transfer_manager
    from huggingface_hub import snapshot_download

    started = time.monotonic()
    snapshot_download(
        repo_id, local_dir=local_dir, max_workers=workers, endpoint=os.environ["HF_ENDPOINT"], token=False
    )
    downloaded = time.monotonic()
    on_disk = [p for p in local_dir.rglob("*") if p.is_file()]
    disk_bytes = sum(p.stat().st_size for p in on_disk)
    names = [str(p.relative_to(local_dir)) for p in on_disk if ".cache" not in p.relative_to(local_dir).parts]
    transfer_manager.upload_many_from_filenames(
        storage.Client().bucket(bucket),
        names,
        source_directory=str(local_dir),
        blob_name_prefix=prefix,
        max_workers=workers,
        worker_type=transfer_manager.THREAD,
        raise_exception=True,
    )
    uploaded = time.monotonic()
    doc = {"download_s": downloaded - started, "upload_s": uploaded - downloaded, "disk_bytes": disk_bytes}
    print(json.dumps({**doc, "files": len(names)}))


if __name__ == "__main__":
    main()
