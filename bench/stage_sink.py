"""A minimal, fast GCS sink for benchmarking `hfkit stage` and the baseline (run as its own process).

fake-gcs-server ingests ~100 MiB/s, which would make any stager look the same. This sink implements only what the
contenders use: object list/get metadata, JSON resumable upload (init, chunks, finalise, cancel), JSON one-request
("multipart") upload, XML API multipart upload (initiate, parts, complete, abort) and media download (the manifest).
It discards object bytes but computes their crc32c (for a multipart upload, per part, composed in part order when it
completes), which the clients compare, and honours ifGenerationMatch. Small objects (< 1 MiB) are kept so the
manifest can be read back.

    python bench/stage_sink.py PORT [--link PER_CONN_MIB,TOTAL_MIB,LATENCY_MS]

With --link, request bodies are read at the link's pace (per connection and in total) and every response waits the
link's latency before its first byte (bench/shaping.py); the receive buffer is kept small so a client cannot park
megabytes in the kernel ahead of the pacing.
"""

from __future__ import annotations

import argparse
import base64
import itertools
import json
import re
import socket
import sys
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

import google_crc32c

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.shaping import SLICE, Link, TokenBucket
from scripts.stage.crc32c import combine

_OBJECTS = re.compile(r"^/storage/v1/b/(?P<bucket>[^/]+)/o(?:/(?P<name>.+))?$")
_UPLOAD = re.compile(r"^/upload/storage/v1/b/(?P<bucket>[^/]+)/o$")
_DOWNLOAD = re.compile(r"^/download/storage/v1/b/(?P<bucket>[^/]+)/o/(?P<name>.+)$")
_XML = re.compile(r"^/(?!storage/|upload/|download/)(?P<bucket>[^/?]+)/(?P<name>[^?]+)$")
_S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/"
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


@dataclass
class MultipartUpload:
    bucket: str
    name: str
    meta: dict[str, object]
    parts: dict[int, tuple[int, int]] = field(default_factory=dict)  # number -> (crc32c, size)


class Store:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.objects: dict[tuple[str, str], dict[str, object]] = {}
        self.data: dict[tuple[str, str], bytes] = {}
        self.sessions: dict[str, Session] = {}
        self.uploads: dict[str, MultipartUpload] = {}
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
LINK: Link | None = None
RECEIVE_BUFFER = 512 * 1024  # ~ the bandwidth-delay product of 25 MiB/s x 20 ms


class QuietServer(ThreadingHTTPServer):
    """A client hanging up on a kept-alive connection when its process exits is not an error worth a traceback."""

    def server_bind(self) -> None:
        if LINK is not None:  # accepted sockets inherit it; set before listen so the window is small from the start
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
        super().server_bind()

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
        if LINK is not None:
            LINK.wait_first_byte()
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

    def _read(self, n: int) -> bytes:
        """Up to `n` body bytes, at the link's pace."""
        if LINK is None:
            return self.rfile.read(n)
        if not hasattr(self, "_bucket"):
            self._bucket: TokenBucket = LINK.connection()
        n = min(n, SLICE)
        LINK.pace(self._bucket, n)
        return self.rfile.read(n)

    def _read_all(self, length: int) -> bytes:
        chunks, remaining = [], length
        while remaining:
            data = self._read(remaining)
            if not data:
                raise ConnectionError("client went away")
            chunks.append(data)
            remaining -= len(data)
        return b"".join(chunks)

    def _multipart_body(self, length: int, boundary: bytes) -> tuple[dict[str, object], int, int, bytes | None]:
        """A one-request upload body (metadata part, then media part), streamed: the media's crc32c is computed as
        it arrives, so a large object costs no buffering; small media are kept (the manifest). The closing
        delimiter may or may not end with CRLF (google-cloud-storage sends none), so the last bytes are held back
        until the body ends."""
        head = b""
        while head.count(b"\r\n\r\n") < 2 and len(head) < length:
            chunk = self._read(min(64 * 1024, length - len(head)))
            if not chunk:
                raise ConnectionError("client went away")
            head += chunk
        first = head.index(b"\r\n\r\n") + 4
        meta_end = head.index(b"\r\n--" + boundary, first)
        meta = json.loads(head[first:meta_end])
        closing = b"\r\n--" + boundary + b"--"
        hold_size = len(closing) + 2
        crc, size, kept, held = 0, 0, bytearray(), b""

        def media(data: bytes) -> None:
            nonlocal crc, size
            crc = google_crc32c.extend(crc, data)
            size += len(data)
            if len(kept) < KEEP_BYTES:
                kept.extend(data)

        received, piece = len(head), head[head.index(b"\r\n\r\n", meta_end) + 4 :]
        while True:
            if len(piece) >= hold_size:
                media(held)
                media(piece[:-hold_size])
                held = piece[-hold_size:]
            else:
                held += piece
                if len(held) > hold_size:
                    media(held[:-hold_size])
                    held = held[-hold_size:]
            if received >= length:
                break
            piece = self._read(min(4 << 20, length - received))
            if not piece:
                raise ConnectionError("client went away")
            received += len(piece)
        media(held[: held.rindex(closing)])
        return meta, crc, size, bytes(kept) if size < KEEP_BYTES else None

    def _body_into_crc(self, length: int, crc: int, keep: bytearray | None) -> int:
        remaining = length
        while remaining:
            data = self._read(min(remaining, 4 << 20))
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
        query = parse_qs(url.query, keep_blank_values=True)
        m = _UPLOAD.match(url.path)
        length = int(self.headers.get("Content-Length") or 0)
        if m is None and (x := _XML.match(url.path)):
            return self._xml_post(unquote(x["bucket"]), unquote(x["name"]), query, self._read_all(length))
        if m is None:
            self._read_all(length)
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
            boundary = re.search(r'boundary="?([^";]+)"?', self.headers["Content-Type"])[1].encode()
            meta, crc, size, data = self._multipart_body(length, boundary)
            name = query.get("name", [None])[0] or meta["name"]
            obj = STORE.finalise(Session(bucket, name, meta, precondition, crc, size), data)
            return self._send(200, obj) if obj else self._error(412, "Precondition Failed")
        self._read_all(length)
        self._error(400, f"unsupported uploadType {kind}")

    def _xml_post(self, bucket: str, name: str, query: dict[str, list[str]], body: bytes) -> None:
        if "uploads" in query:
            meta = {
                k[len("x-goog-meta-") :]: v for k, v in self.headers.items() if k.lower().startswith("x-goog-meta-")
            }
            upload_id = f"mpu-{next(STORE.ids)}"
            content_type = self.headers.get("Content-Type") or "application/octet-stream"
            with STORE.lock:
                STORE.uploads[upload_id] = MultipartUpload(
                    bucket, name, {"contentType": content_type, "metadata": meta}
                )
            result = (
                f"<InitiateMultipartUploadResult xmlns='{_S3_NS}'><UploadId>{upload_id}</UploadId>"
                "</InitiateMultipartUploadResult>"
            )
            return self._send(200, raw=result.encode(), headers={"Content-Type": "application/xml"})
        upload = STORE.uploads.pop(query.get("uploadId", [""])[0], None)
        if upload is None:
            return self._send(404, raw=b"<Error><Code>NoSuchUpload</Code></Error>")
        numbers = [int(p.findtext("PartNumber") or 0) for p in ET.fromstring(body).iter("Part")]
        crc, size = 0, 0
        for number in numbers:
            part_crc, part_size = upload.parts[number]
            crc, size = combine(crc, part_crc, part_size), size + part_size
        session = Session(bucket, name, upload.meta, None, crc, size)
        STORE.finalise(session, None)
        return self._send(200, raw=b"<CompleteMultipartUploadResult/>", headers={"Content-Type": "application/xml"})

    def do_PUT(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        length = int(self.headers.get("Content-Length") or 0)
        if "partNumber" in query:
            upload = STORE.uploads.get(query.get("uploadId", [""])[0])
            if upload is None:
                self._read_all(length)
                return self._send(404, raw=b"<Error><Code>NoSuchUpload</Code></Error>")
            crc = self._body_into_crc(length, 0, None)
            number = int(query["partNumber"][0])
            upload.parts[number] = (crc, length)
            return self._send(200, headers={"ETag": f'"{number}-{crc:08x}"'})
        session = STORE.sessions.get(query.get("upload_id", [""])[0])
        if session is None:
            self._read_all(length)
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
        STORE.uploads.pop(query.get("uploadId", [""])[0], None)
        self._send(204)


def main() -> None:
    global LINK
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("--link", type=Link.parse, default=None)
    args = parser.parse_args()
    LINK = args.link
    server = QuietServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
