"""A minimal, fast GCS JSON-API sink for benchmarking `hfkit stage` (run as its own process).

fake-gcs-server ingests ~100 MiB/s, which would make any stager look the same. This sink implements only what
google-cloud-storage uses when staging: object list/get metadata, resumable upload (init, chunks, finalise, cancel),
multipart upload (the manifest) and media download (the manifest). It discards object bytes but computes their
crc32c, which the client verifies at finalise, and honours ifGenerationMatch=0. Small objects (< 1 MiB) are kept so
the manifest can be read back.

    python bench/stage_sink.py PORT
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, unquote, urlsplit

import google_crc32c

_OBJECTS = re.compile(r"^/storage/v1/b/(?P<bucket>[^/]+)/o(?:/(?P<name>.+))?$")
_UPLOAD = re.compile(r"^/upload/storage/v1/b/(?P<bucket>[^/]+)/o$")
_DOWNLOAD = re.compile(r"^/download/storage/v1/b/(?P<bucket>[^/]+)/o/(?P<name>.+)$")
_RANGE = re.compile(r"^bytes (?:(\d+)-(\d+)|\*)/(\d+|\*)$")
KEEP_BYTES = 1 << 20


@dataclass
class Session:
    bucket: str
    name: str
    meta: dict[str, object]
    precondition: str | None
    crc: int = 0
    size: int = 0
    keep: bytearray = field(default_factory=bytearray)


class Store:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.objects: dict[tuple[str, str], dict[str, object]] = {}
        self.data: dict[tuple[str, str], bytes] = {}
        self.sessions: dict[str, Session] = {}
        self.generations = itertools.count(int(time.time() * 1e6))
        self.ids = itertools.count(1)

    def finalise(self, session: Session, data: bytes | None) -> dict[str, object] | None:
        bucket, name, meta = session.bucket, session.name, session.meta
        with self.lock:
            current = str(self.objects.get((bucket, name), {}).get("generation", "0"))
            if session.precondition is not None and current != session.precondition:
                return None
            now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
            resource = {
                "kind": "storage#object",
                "bucket": bucket,
                "name": name,
                "id": f"{bucket}/{name}",
                "size": str(session.size),
                "generation": str(next(self.generations)),
                "metageneration": "1",
                "crc32c": base64.b64encode(session.crc.to_bytes(4, "big")).decode(),
                "timeCreated": now,
                "updated": now,
                "contentType": meta.get("contentType", "application/octet-stream"),
                "metadata": meta.get("metadata") or {},
            }
            self.objects[(bucket, name)] = resource
            if data is not None:
                self.data[(bucket, name)] = data
            return resource


STORE = Store()


class QuietServer(ThreadingHTTPServer):
    """A client hanging up on a kept-alive connection when its process exits is not an error worth a traceback."""

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # no 40 ms Nagle/delayed-ACK stall between header and body writes

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(
        self, status: int, doc: object | None = None, headers: dict[str, str] | None = None, raw: bytes | None = None
    ) -> None:
        body = raw if raw is not None else (json.dumps(doc).encode() if doc is not None else b"")
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if raw is None and doc is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _error(self, status: int, message: str) -> None:
        self._send(status, {"error": {"code": status, "message": message, "errors": [{"message": message}]}})

    def _body_into_crc(self, length: int, crc: int, keep: bytearray | None) -> int:
        remaining = length
        while remaining:
            data = self.rfile.read(min(remaining, 4 << 20))
            if not data:
                raise ConnectionError("client went away")
            crc = google_crc32c.extend(crc, data)
            if keep is not None and len(keep) < KEEP_BYTES:
                keep += data
            remaining -= len(data)
        return crc

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if m := _OBJECTS.match(url.path):
            bucket = unquote(m["bucket"])
            if m["name"]:
                obj = STORE.objects.get((bucket, unquote(m["name"])))
                return self._send(200, obj) if obj else self._error(404, "No such object")
            prefix = query.get("prefix", [""])[0]
            with STORE.lock:
                items = [o for (b, n), o in sorted(STORE.objects.items()) if b == bucket and n.startswith(prefix)]
            return self._send(200, {"kind": "storage#objects", "items": items})
        if m := _DOWNLOAD.match(url.path):
            key = (unquote(m["bucket"]), unquote(m["name"]))
            if key not in STORE.data:
                return self._error(404, "No such object")
            obj = STORE.objects[key]
            headers = {"X-Goog-Hash": f"crc32c={obj['crc32c']}", "X-Goog-Generation": str(obj["generation"])}
            return self._send(200, headers=headers, raw=STORE.data[key])
        self._error(404, "Not Found")

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        m = _UPLOAD.match(url.path)
        length = int(self.headers.get("Content-Length") or 0)
        if m is None:
            self.rfile.read(length)
            return self._error(404, "Not Found")
        bucket = unquote(m["bucket"])
        precondition = query.get("ifGenerationMatch", [None])[0]
        kind = query.get("uploadType", [""])[0]
        if kind == "resumable":
            meta = json.loads(self.rfile.read(length) or b"{}")
            name = query.get("name", [None])[0] or meta.get("name")
            upload_id = str(next(STORE.ids))
            with STORE.lock:
                STORE.sessions[upload_id] = Session(bucket, name, meta, precondition)
            location = (
                f"http://{self.headers['Host']}/upload/storage/v1/b/{quote(bucket)}/o"
                f"?uploadType=resumable&upload_id={upload_id}"
            )
            return self._send(200, {}, headers={"Location": location})
        if kind == "multipart":
            body = self.rfile.read(length)
            boundary = re.search(r'boundary="?([^";]+)"?', self.headers["Content-Type"])[1].encode()
            parts = [p for p in body.split(b"--" + boundary) if p.strip() not in (b"", b"--")]
            meta_part, data_part = (p.split(b"\r\n\r\n", 1)[1] for p in parts[:2])
            data = data_part[:-2] if data_part.endswith(b"\r\n") else data_part
            meta = json.loads(meta_part)
            name = query.get("name", [None])[0] or meta["name"]
            session = Session(bucket, name, meta, precondition, google_crc32c.value(data), len(data))
            obj = STORE.finalise(session, data)
            return self._send(200, obj) if obj else self._error(412, "Precondition Failed")
        self.rfile.read(length)
        self._error(400, f"unsupported uploadType {kind}")

    def do_PUT(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        length = int(self.headers.get("Content-Length") or 0)
        session = STORE.sessions.get(query.get("upload_id", [""])[0])
        if session is None:
            self.rfile.read(length)
            return self._error(404, "No such upload")
        keep = session.keep if session.size < KEEP_BYTES else None
        session.crc = self._body_into_crc(length, session.crc, keep)
        session.size += length
        received = {"Range": f"bytes=0-{session.size - 1}"} if session.size else {}
        m = _RANGE.match(self.headers.get("Content-Range", ""))
        if m is None or m[3] == "*" or int(m[3]) != session.size:
            return self._send(308, headers=received)
        obj = STORE.finalise(session, bytes(session.keep) if session.size < KEEP_BYTES else None)
        STORE.sessions.pop(query["upload_id"][0], None)
        return self._send(200, obj) if obj else self._error(412, "Precondition Failed")

    def do_DELETE(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        STORE.sessions.pop(query.get("upload_id", [""])[0], None)
        self._send(204)


def main() -> None:
    server = QuietServer(("127.0.0.1", int(sys.argv[1])), Handler)
    server.daemon_threads = True
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
