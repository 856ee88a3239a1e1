"""An HTTP proxy in front of fake-gcs-server that adds what it lacks and what tests must provoke.

- Generation preconditions on uploads, as real GCS enforces them: fake-gcs-server ignores
  `ifGenerationMatch` on resumable sessions, so the proxy remembers each session's precondition and answers the
  finalising request with GCS's 412 when the object's generation no longer matches. Object storage stays in
  fake-gcs-server; only the check is added, atomically per object.
- IAM: `deny(bucket)` answers 403 for every request on that bucket, with GCS's error body.
- Transient failures: `burst(method, path_part, statuses)` answers the next matching requests with 5xx/429.
- Transport corruption: names in `corrupt_crc32c` get a wrong crc32c in their next finalise response (the last
  chunk of a resumable upload, or a one-request multipart upload), as if the bytes GCS stored differed from what
  the client sent.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, unquote, urlsplit

from tests.stage.hub_server import QuietHTTPServer

_BUCKET = re.compile(r"^(?:/upload|/download)?/storage/v1/b/(?P<bucket>[^/?]+)(?:/o/?(?P<object>[^?]*))?")
_FINAL_RANGE = re.compile(r"^bytes (?:\d+-\d+|\*)/(\d+)$")
_MULTIPART_METADATA = re.compile(rb"\r\n\r\n(\{.*?\})\r\n--", re.DOTALL)


class GcsProxy:
    def __init__(self, upstream: str) -> None:
        self.upstream = urlsplit(upstream)
        self.upstream_url = upstream.rstrip("/")
        self.url = ""
        self.denied: set[str] = set()
        self.bursts: list[tuple[str, str, deque[int]]] = []
        self.seen: list[tuple[str, str, int]] = []  # method, path, status answered
        self.sent: list[tuple[str, str, int]] = []  # method, path, response body bytes (what a client read)
        self.corrupt_crc32c: set[str] = set()  # object names whose next finalise reports a wrong crc32c
        self.sessions: dict[str, tuple[str, str, str | None]] = {}  # session path -> bucket, object, precondition
        self.lock = threading.Lock()
        self._object_locks: dict[tuple[str, str], threading.Lock] = {}
        self._server: ThreadingHTTPServer | None = None

    def deny(self, bucket: str) -> None:
        self.denied.add(bucket)

    def burst(self, method: str, path_part: str, statuses: list[int]) -> None:
        with self.lock:
            self.bursts.append((method, path_part, deque(statuses)))

    def reset(self) -> None:
        with self.lock:
            self.denied.clear()
            self.bursts.clear()
            self.corrupt_crc32c.clear()
            self.seen.clear()
            self.sent.clear()

    def object_lock(self, bucket: str, name: str) -> threading.Lock:
        with self.lock:
            return self._object_locks.setdefault((bucket, name), threading.Lock())

    def take_burst(self, method: str, path: str) -> int | None:
        with self.lock:
            for m, part, statuses in self.bursts:
                if m == method and part in path and statuses:
                    return statuses.popleft()
        return None

    def start(self) -> GcsProxy:
        handler = type("GcsProxyHandler", (_Handler,), {"proxy": self})
        self._server = QuietHTTPServer.in_background(handler, "gcs-proxy")
        self.url = self._server.url
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()


def _gcs_error(status: int, reason: str, message: str) -> bytes:
    return json.dumps(
        {"error": {"code": status, "message": message, "errors": [{"reason": reason, "message": message}]}}
    ).encode()


def _multipart_name(body: bytes) -> str:
    """The object name in a multipart upload's first (JSON metadata) part."""
    found = _MULTIPART_METADATA.search(body)
    return json.loads(found[1]).get("name", "") if found else ""


class _Handler(BaseHTTPRequestHandler):
    proxy: GcsProxy
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # no 40 ms Nagle/delayed-ACK stall between header and body writes

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def _answer(self, status: int, body: bytes, headers: list[tuple[str, str]]) -> None:
        with self.proxy.lock:
            self.proxy.seen.append((self.command, self.path, status))
            self.proxy.sent.append((self.command, self.path, len(body)))
        self.send_response(status)
        for k, v in headers:
            if k.lower() not in ("content-length", "transfer-encoding", "connection", "date", "server"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        match = _BUCKET.match(url.path)
        bucket = unquote(match["bucket"]) if match else None
        json_type = [("Content-Type", "application/json")]
        if bucket in self.proxy.denied:
            message = f"hfkit-test@example.iam.gserviceaccount.com does not have storage.objects access to {bucket}."
            return self._answer(403, _gcs_error(403, "forbidden", message), json_type)
        status = self.proxy.take_burst(self.command, self.path)
        if status is not None:
            return self._answer(status, _gcs_error(status, "backendError", "injected failure"), json_type)
        session = self.proxy.sessions.get(self.path)
        content_range = self.headers.get("Content-Range", "")
        if match and self.command == "POST" and "uploadType=multipart" in url.query:
            query = parse_qs(url.query)
            session = (bucket or "", _multipart_name(body), query.get("ifGenerationMatch", [None])[0])
        if session is not None and (self.command == "POST" or _FINAL_RANGE.match(content_range)):
            s_bucket, s_name, precondition = session
            if precondition is not None:
                with self.proxy.object_lock(s_bucket, s_name):
                    current = self._current_generation(s_bucket, s_name)
                    if current != precondition:
                        message = "At least one of the pre-conditions you specified did not hold."
                        return self._answer(412, _gcs_error(412, "conditionNotMet", message), json_type)
                    return self._forward(body, corrupt=s_name in self.proxy.corrupt_crc32c)
        self._forward(body, record_session=bool(match and url.query and "uploadType=resumable" in url.query))

    def _current_generation(self, bucket: str, name: str) -> str:
        conn = http.client.HTTPConnection(self.proxy.upstream.hostname, self.proxy.upstream.port, timeout=30)
        try:
            conn.request("GET", f"/storage/v1/b/{quote(bucket, safe='')}/o/{quote(name, safe='')}")
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        return str(json.loads(data)["generation"]) if response.status == 200 else "0"

    def _forward(self, body: bytes, record_session: bool = False, corrupt: bool = False) -> None:
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        conn = http.client.HTTPConnection(self.proxy.upstream.hostname, self.proxy.upstream.port, timeout=60)
        try:
            conn.request(self.command, self.path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            out_headers = []
            for k, v in response.getheaders():
                if k.lower() == "location" and v.startswith(self.proxy.upstream_url):
                    v = self.proxy.url + v[len(self.proxy.upstream_url) :]
                    if record_session:
                        self._record_session(v, body)
                out_headers.append((k, v))
        finally:
            conn.close()
        if corrupt and response.status == 200:
            resource = json.loads(data)
            with self.proxy.lock:
                self.proxy.corrupt_crc32c.discard(resource["name"])
            resource["crc32c"] = "AAAAAA=="
            data = json.dumps(resource).encode()
        self._answer(response.status, data, out_headers)

    def _record_session(self, location: str, body: bytes) -> None:
        query = parse_qs(urlsplit(self.path).query)
        match = _BUCKET.match(urlsplit(self.path).path)
        name = query.get("name", [None])[0]
        if name is None and body:
            name = json.loads(body).get("name")
        precondition = query.get("ifGenerationMatch", [None])[0]
        target = urlsplit(location)
        key = target.path + ("?" + target.query if target.query else "")
        with self.proxy.lock:
            self.proxy.sessions[key] = (unquote(match["bucket"]), name or "", precondition)
