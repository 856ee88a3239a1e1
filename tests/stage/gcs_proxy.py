"""An HTTP proxy in front of fake-gcs-server that adds what it lacks and what tests must provoke.

- Generation preconditions on uploads, as real GCS enforces them: fake-gcs-server ignores
  `ifGenerationMatch` on resumable sessions, so the proxy remembers each session's precondition and answers the
  finalising request with GCS's 412 when the object's generation no longer matches. Object storage stays in
  fake-gcs-server; only the check is added, atomically per object.
- IAM: `deny(bucket)` answers 403 for every request on that bucket, with GCS's error body.
- Transient failures: `burst(method, path_part, statuses)` answers the next matching requests with 5xx/429.
- Transport corruption: names in `corrupt_crc32c` get a wrong crc32c in their next finalise response (the last
  chunk of a resumable upload, or a one-request multipart upload), or, for an XML multipart upload, in the first
  listing or metadata read after it completed, as if the bytes GCS stored differed from what the client sent.
- XML API multipart uploads, which fake-gcs-server lacks, emulated as GCS documents them (read 2026-12-02):
  https://cloud.google.com/storage/docs/multipart-uploads and the XML reference pages it links
  (post-object-multipart, put-object-multipart, post-object-complete, delete-multipart). Initiate
  (`POST /BUCKET/OBJECT?uploads`) records content type and `x-goog-meta-*` metadata and answers an UploadId; parts
  (`PUT ?partNumber=N&uploadId=ID`, 1 <= N <= 10,000, a re-sent number replaces the part) are kept here, never
  visible as objects, checked against `x-goog-hash` when sent, and answered with an ETag; complete
  (`POST ?uploadId=ID`, parts listed in ascending order with their ETags, every part but the last at least 5 MiB)
  writes the assembled object to fake-gcs-server, replacing any object of that name (no precondition: the XML
  multipart requests do not support them), and forgets the parts; abort (`DELETE ?uploadId=ID`) forgets them too.
  Unknown upload ids answer 404 NoSuchUpload. `uploads` holds the ones in progress, `completed` / `aborted` the
  ids that ended and `names` the object name of every upload initiated, for assertions.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import itertools
import json
import re
import threading
import time
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, unquote, urlsplit

import google_crc32c

from tests.stage.hub_server import QuietHTTPServer

_BUCKET = re.compile(r"^(?:/upload|/download)?/storage/v1/b/(?P<bucket>[^/?]+)(?:/o/?(?P<object>[^?]*))?")
_FINAL_RANGE = re.compile(r"^bytes (?:\d+-\d+|\*)/(\d+)$")
_MULTIPART_METADATA = re.compile(rb"\r\n\r\n(\{.*?\})\r\n--", re.DOTALL)
_XML_OBJECT = re.compile(r"^/(?!storage/|upload/|download/)(?P<bucket>[^/?]+)/(?P<object>[^?]+)$")
_S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/"
MIN_PART_SIZE = 5 * 1024 * 1024  # every part but the last (GCS quotas & limits, as the multipart pages say)
MAX_PART_NUMBER = 10_000


@dataclass
class Upload:
    """An XML multipart upload in progress: what the finished object will carry, and the parts received."""

    bucket: str
    name: str
    content_type: str
    metadata: dict[str, str]
    parts: dict[int, tuple[bytes, str]] = field(default_factory=dict)  # number -> (data, etag)


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
        self.uploads: dict[str, Upload] = {}  # XML multipart uploads in progress, by upload id
        self.completed: list[str] = []
        self.aborted: list[str] = []
        self.names: dict[str, str] = {}  # upload id -> object name, for every upload initiated
        self._corrupt_after_complete: set[str] = set()
        self._upload_ids = itertools.count(1)
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
            self._corrupt_after_complete.clear()
            self.uploads.clear()
            self.completed.clear()
            self.aborted.clear()
            self.names.clear()
            self.seen.clear()
            self.sent.clear()

    def wait_seen(self, predicate: Callable[[tuple[str, str, int]], bool], timeout: float = 10.0) -> bool:
        """Whether a request matching `predicate` is (or within `timeout` becomes) recorded. A client that gives up
        mid-body returns before the proxy's handler thread reads the short body, so a test that asserts on that
        record must wait for the handler rather than race it (a deadline for synchronisation, not a timing test)."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                if any(predicate(seen) for seen in self.seen):
                    return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)

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


def _xml_error(code: str, message: str) -> bytes:
    error = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    return f"<?xml version='1.0' encoding='UTF-8'?>{error}".encode()


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
        if len(body) < length:  # the client gave up mid-body: GCS discards such a request, so nothing is forwarded
            self.close_connection = True
            with self.proxy.lock:
                self.proxy.seen.append((self.command, self.path, 0))
            return
        url = urlsplit(self.path)
        match = _BUCKET.match(url.path)
        xml = None if match else _XML_OBJECT.match(url.path)
        bucket = unquote(match["bucket"]) if match else unquote(xml["bucket"]) if xml else None
        json_type = [("Content-Type", "application/json")]
        if bucket in self.proxy.denied:
            message = f"hfkit-test@example.iam.gserviceaccount.com does not have storage.objects access to {bucket}."
            return self._answer(403, _gcs_error(403, "forbidden", message), json_type)
        status = self.proxy.take_burst(self.command, self.path)
        if status is not None:
            return self._answer(status, _gcs_error(status, "backendError", "injected failure"), json_type)
        if xml is not None:
            return self._multipart(unquote(xml["bucket"]), unquote(xml["object"]), url.query, body)
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
        if self.command == "GET" and response.status == 200 and "alt=media" not in self.path:
            data = self._corrupt_completed(data)
        if corrupt and response.status == 200:
            resource = json.loads(data)
            with self.proxy.lock:
                self.proxy.corrupt_crc32c.discard(resource["name"])
            resource["crc32c"] = "AAAAAA=="
            data = json.dumps(resource).encode()
        self._answer(response.status, data, out_headers)

    def _corrupt_completed(self, data: bytes) -> bytes:
        """A wrong crc32c for completed multipart objects marked for it, in the first listing or metadata read that
        reports them."""
        with self.proxy.lock:
            if not self.proxy._corrupt_after_complete:
                return data
            doc = json.loads(data)
            resources = doc.get("items", []) if "items" in doc else [doc]
            hit = [r for r in resources if r.get("name") in self.proxy._corrupt_after_complete]
            for resource in hit:
                self.proxy._corrupt_after_complete.discard(resource["name"])
                resource["crc32c"] = "AAAAAA=="
        return json.dumps(doc).encode() if hit else data

    # -- XML API multipart uploads ---------------------------------------------------------------------------
    def _xml(self, status: int, body: bytes, headers: list[tuple[str, str]] | None = None) -> None:
        self._answer(status, body, [("Content-Type", "application/xml"), *(headers or [])])

    def _multipart(self, bucket: str, name: str, query_text: str, body: bytes) -> None:
        query = parse_qs(query_text, keep_blank_values=True)
        proxy = self.proxy
        upload_id = query.get("uploadId", [None])[0]
        if self.command == "POST" and "uploads" in query:
            prefix = "x-goog-meta-"
            meta = {k[len(prefix) :]: v for k, v in self.headers.items() if k.lower().startswith(prefix)}
            content_type = self.headers.get("Content-Type") or "application/octet-stream"
            with proxy.lock:
                upload_id = f"hfkit-test-upload-{next(proxy._upload_ids)}"
                proxy.uploads[upload_id] = Upload(bucket, name, content_type, meta)
                proxy.names[upload_id] = name
            result = (
                f"<?xml version='1.0' encoding='UTF-8'?><InitiateMultipartUploadResult xmlns='{_S3_NS}'>"
                f"<Bucket>{bucket}</Bucket><Key>{name}</Key><UploadId>{upload_id}</UploadId>"
                "</InitiateMultipartUploadResult>"
            )
            return self._xml(200, result.encode())
        upload = proxy.uploads.get(upload_id or "")
        if upload is None or (upload.bucket, upload.name) != (bucket, name):
            return self._xml(404, _xml_error("NoSuchUpload", "The requested upload was not found."))
        if self.command == "PUT" and "partNumber" in query:
            return self._put_part(upload, query["partNumber"][0], body)
        if self.command == "POST":
            return self._complete(upload_id or "", upload, body)
        if self.command == "DELETE":
            with proxy.lock:
                proxy.uploads.pop(upload_id or "", None)
                proxy.aborted.append(upload_id or "")
            return self._xml(204, b"")
        return self._xml(400, _xml_error("InvalidRequest", f"{self.command} is not a multipart upload request"))

    def _put_part(self, upload: Upload, number_text: str, data: bytes) -> None:
        if not number_text.isdigit() or not 1 <= int(number_text) <= MAX_PART_NUMBER:
            return self._xml(400, _xml_error("InvalidArgument", f"partNumber {number_text} is not in 1..10000"))
        crc = base64.b64encode(google_crc32c.value(data).to_bytes(4, "big")).decode()
        md5 = base64.b64encode(hashlib.md5(data).digest()).decode()
        for declared in (self.headers.get("x-goog-hash") or "").split(","):
            kind, _, value = declared.strip().partition("=")
            if (kind, value) not in (("crc32c", crc), ("md5", md5)) and kind in ("crc32c", "md5"):
                return self._xml(400, _xml_error("BadDigest", f"the {kind} you specified did not match the data"))
        etag = f'"{hashlib.md5(data).hexdigest()}"'
        with self.proxy.lock:
            upload.parts[int(number_text)] = (data, etag)
        return self._xml(200, b"", [("ETag", etag), ("x-goog-hash", f"crc32c={crc},md5={md5}")])

    def _complete(self, upload_id: str, upload: Upload, body: bytes) -> None:
        try:
            listed = [
                (int(part.findtext("PartNumber") or "0"), part.findtext("ETag") or "")
                for part in ET.fromstring(body).iter("Part")
            ]
        except (ET.ParseError, ValueError):
            return self._xml(400, _xml_error("MalformedXML", "The XML you provided was not well-formed."))
        numbers = [n for n, _ in listed]
        if not listed or numbers != sorted(set(numbers)):
            return self._xml(400, _xml_error("InvalidPartOrder", "The list of parts was not in ascending order."))
        chunks = []
        for index, (number, etag) in enumerate(listed):
            data, stored_etag = upload.parts.get(number, (b"", ""))
            if stored_etag != etag or not stored_etag:
                return self._xml(400, _xml_error("InvalidPart", f"part {number} was not found or its ETag differs"))
            if index < len(listed) - 1 and len(data) < MIN_PART_SIZE:
                return self._xml(400, _xml_error("EntityTooSmall", f"part {number} is smaller than 5 MiB"))
            chunks.append(data)
        resource = {"name": upload.name, "contentType": upload.content_type, "metadata": upload.metadata}
        status = self._write_object(upload.bucket, resource, b"".join(chunks))
        if status != 200:
            return self._xml(500, _xml_error("InternalError", f"writing the object answered {status}"))
        with self.proxy.lock:
            self.proxy.uploads.pop(upload_id, None)
            self.proxy.completed.append(upload_id)
            if upload.name in self.proxy.corrupt_crc32c:
                self.proxy.corrupt_crc32c.discard(upload.name)
                self.proxy._corrupt_after_complete.add(upload.name)
        etag = f'"{hashlib.md5("".join(e for _, e in listed).encode()).hexdigest()}-{len(listed)}"'
        result = (
            f"<?xml version='1.0' encoding='UTF-8'?><CompleteMultipartUploadResult xmlns='{_S3_NS}'>"
            f"<Location>{self.proxy.url}/{upload.bucket}/{quote(upload.name)}</Location><Bucket>{upload.bucket}"
            f"</Bucket><Key>{upload.name}</Key><ETag>{etag}</ETag></CompleteMultipartUploadResult>"
        )
        return self._xml(200, result.encode())

    def _write_object(self, bucket: str, resource: dict[str, object], data: bytes) -> int:
        """One-request upload to fake-gcs-server, unconditionally (completion replaces any object of that name)."""
        boundary = "hfkit-proxy-boundary"
        body = (
            (
                f"--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{json.dumps(resource)}\r\n"
                f"--{boundary}\r\nContent-Type: {resource['contentType']}\r\n\r\n"
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        with self.proxy.object_lock(bucket, str(resource["name"])):
            conn = http.client.HTTPConnection(self.proxy.upstream.hostname, self.proxy.upstream.port, timeout=60)
            try:
                conn.request(
                    "POST",
                    f"/upload/storage/v1/b/{quote(bucket, safe='')}/o?uploadType=multipart",
                    body=body,
                    headers={"Content-Type": f"multipart/related; boundary={boundary}"},
                )
                response = conn.getresponse()
                response.read()
                return response.status
            finally:
                conn.close()

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
