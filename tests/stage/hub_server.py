"""A local server that speaks the Hugging Face Hub protocol hfkit stage relies on, with fault injection.

Two origins, like the real Hub: the Hub origin answers the API (`/api/models/{repo}/revision/{rev}`, paged and
recursive `/api/models/{repo}/tree/{rev}`) and `/{repo}/resolve/{rev}/{path}` (200 + ETag for regular files; 302 to
the CDN origin for LFS files, with X-Repo-Commit, X-Linked-Etag and X-Linked-Size); the CDN origin serves LFS bytes
with Range support. Errors carry X-Error-Code / X-Error-Message as the Hub sends them: RepoNotFound (401 without a
token, 404 with one), GatedRepo (401 without a token, 403 when not granted), RevisionNotFound, EntryNotFound, and a
bare 401 "Invalid credentials in Authorization header" for an unknown token.

CDN URLs are signed and expire like the Hub's (an `Expires` time and a serial in the query); an expired one answers
403 "Request has expired", as S3/CloudFront presigned URLs do.

Faults (see `Faults`): status bursts (5xx/429) per route kind and path, a connection dropped after N bytes, wrong
content for a declared hash (the first byte, or any byte), expiring the CDN URLs handed out so far, and a hold that
parks a transfer at byte N until the test releases it.
Used by tests/stage and by the benchmarks (bench/stage.py serves GiB-sized files from disk with sendfile;
bench/stage_shaped.py passes a `link` that paces every connection and delays every response, see bench/shaping.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, quote, unquote, urlsplit

SLICE = 128 * 1024  # bytes written at a time on a paced link
LFS_SUFFIXES = (".safetensors", ".bin", ".pth", ".pt", ".gguf", ".h5", ".msgpack", ".onnx", ".ckpt")
INVALID_CREDENTIALS = "Invalid credentials in Authorization header"


@dataclass(frozen=True)
class HubFile:
    path: str
    size: int
    lfs: bool
    sha256: str
    git_sha1: str
    data: bytes | None = None  # in memory (tests) ...
    source: Path | None = None  # ... or on disk (benchmarks)

    @classmethod
    def build(cls, path: str, content: bytes | Path, lfs: bool | None = None) -> HubFile:
        sha256 = hashlib.sha256()
        if isinstance(content, Path):
            size = content.stat().st_size
            git = hashlib.sha1(b"blob %d\0" % size)
            with content.open("rb") as fh:
                while block := fh.read(8 << 20):
                    sha256.update(block)
                    git.update(block)
            data, source = None, content
        else:
            size = len(content)
            git = hashlib.sha1(b"blob %d\0" % size + content)
            sha256.update(content)
            data, source = content, None
        is_lfs = path.endswith(LFS_SUFFIXES) if lfs is None else lfs
        return cls(path, size, is_lfs, sha256.hexdigest(), git.hexdigest(), data, source)


@dataclass
class HubRepo:
    repo_id: str
    refs: dict[str, str] = field(default_factory=dict)
    commits: dict[str, dict[str, HubFile]] = field(default_factory=dict)
    gated: bool = False
    private: bool = False

    def resolve(self, rev: str) -> str | None:
        if rev in self.refs:
            return self.refs[rev]
        return rev if rev in self.commits else None


@dataclass(frozen=True)
class Seen:
    """One request as the server saw it (for assertions)."""

    origin: str  # "hub" or "cdn"
    method: str
    kind: str  # "revision", "tree", "resolve", "lfs"
    path: str  # file path in the repo (resolve/lfs) or the repo id (api)
    rev: str | None
    range: str | None
    authorization: str | None


class _Hold:
    def __init__(self, at: int) -> None:
        self.at = at
        self.reached = threading.Semaphore(0)
        self.release = threading.Event()
        self.count = 0


@dataclass
class _Expiry:
    left: int  # CDN requests still served before the URLs issued so far expire
    cutoff: int | None = None  # URLs with a serial up to this one are expired


class Faults:
    """Per-test fault injection; everything is keyed by route kind and/or file path and consumed in order."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.bursts: list[tuple[str, str | None, deque[int]]] = []
        self.drops: dict[str, deque[int]] = {}
        self.corrupt: set[str] = set()
        self.corrupt_at: dict[str, int] = {}
        self.holds: dict[str, _Hold] = {}
        self.expiries: dict[str, _Expiry] = {}

    def flip(self, path: str, at: int) -> None:
        """Serve `path` with byte `at` wrong (same size), whatever range is asked."""
        with self.lock:
            self.corrupt_at[path] = at

    def expire(self, path: str, after: int) -> None:
        """Serve `after` more CDN requests of `path`, then refuse every URL of it handed out until then."""
        with self.lock:
            self.expiries[path] = _Expiry(after)

    def expired(self, path: str, serial: int, latest: int) -> bool:
        with self.lock:
            expiry = self.expiries.get(path)
            if expiry is None:
                return False
            if expiry.cutoff is None:
                if expiry.left > 0:
                    expiry.left -= 1
                    return False
                expiry.cutoff = latest
            return serial <= expiry.cutoff

    def burst(self, kind: str, statuses: list[int], path: str | None = None) -> None:
        """The next requests of `kind` ("revision", "tree", "resolve", "lfs") for `path` get these statuses."""
        with self.lock:
            self.bursts.append((kind, path, deque(statuses)))

    def drop(self, path: str, *at_bytes: int) -> None:
        """Close the connection after serving up to absolute byte `at` (one drop per request, in order)."""
        with self.lock:
            self.drops.setdefault(path, deque()).extend(at_bytes)

    def hold(self, path: str, at: int) -> _Hold:
        """Park every transfer of `path` at absolute byte `at` until `.release.set()`."""
        with self.lock:
            self.holds[path] = hold = _Hold(at)
            return hold

    def take_status(self, kind: str, path: str) -> int | None:
        with self.lock:
            for k, p, statuses in self.bursts:
                if k == kind and (p is None or p == path) and statuses:
                    return statuses.popleft()
        return None

    def take_drop(self, path: str, start: int, end: int) -> int | None:
        with self.lock:
            queue = self.drops.get(path)
            if queue and start < queue[0] < end:
                return queue.popleft()
        return None

    def reset(self) -> None:
        with self.lock:
            for hold in self.holds.values():
                hold.release.set()
            self.__init__()  # type: ignore[misc]


class Link(Protocol):
    """How the benchmark shapes a server's link (bench/shaping.py): per-connection pacing and a first-byte delay."""

    def connection(self) -> Any: ...

    def pace(self, bucket: Any, nbytes: int) -> None: ...

    def wait_first_byte(self) -> None: ...


class QuietHTTPServer(ThreadingHTTPServer):
    """Clients that hang up (as the stager does after a dropped or cancelled transfer) are not test failures."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]

    @classmethod
    def in_background(
        cls, handler: type[BaseHTTPRequestHandler], name: str, host: str = "127.0.0.1"
    ) -> QuietHTTPServer:
        """Bind a free port on `host` and serve from a daemon thread (every test server here starts this way)."""
        server = cls((host, 0), handler)
        threading.Thread(target=server.serve_forever, args=(0.05,), name=name, daemon=True).start()
        return server

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class HubServer:
    """Start with `start()`; `url` is the Hub origin (use as HF_ENDPOINT), `cdn_url` the LFS origin."""

    def __init__(self, page_size: int = 50, link: Link | None = None) -> None:
        self.page_size = page_size
        self.link = link
        self.repos: dict[str, HubRepo] = {}
        self.tokens: dict[str, set[str]] = {}  # valid token -> repos it may read when private/gated
        self.faults = Faults()
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._servers: list[ThreadingHTTPServer] = []
        self.url = ""
        self.cdn_url = ""
        self._lfs_objects: dict[str, HubFile] = {}
        self._serial = 0  # of the CDN URLs handed out

    # -- setup ----------------------------------------------------------------------------------------------
    def add_repo(
        self,
        repo_id: str,
        files: Mapping[str, bytes | Path | HubFile],
        *,
        branch: str = "main",
        tags: tuple[str, ...] = (),
        gated: bool = False,
        private: bool = False,
        lfs: Callable[[str], bool] | None = None,
    ) -> str:
        """Add (or extend) a repo with a new commit holding `files`; returns the commit id."""
        built = {}
        for path, content in files.items():
            built[path] = (
                content
                if isinstance(content, HubFile)
                else HubFile.build(path, content, None if lfs is None else lfs(path))
            )
        commit = hashlib.sha1(
            repr(sorted((p, f.git_sha1) for p, f in built.items())).encode() + repo_id.encode()
        ).hexdigest()
        with self._lock:
            repo = self.repos.setdefault(repo_id, HubRepo(repo_id))
            repo.gated, repo.private = gated or repo.gated, private or repo.private
            repo.commits[commit] = built
            repo.refs[branch] = commit
            for tag in tags:
                repo.refs[tag] = commit
            for f in built.values():
                if f.lfs:
                    self._lfs_objects[f.sha256] = f
        return commit

    def grant(self, token: str, *repo_ids: str) -> None:
        with self._lock:
            self.tokens.setdefault(token, set()).update(repo_ids)

    def requests(self, kind: str | None = None, path: str | None = None) -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if (kind is None or s.kind == kind) and (path is None or s.path == path)]

    def reset(self) -> None:
        self.faults.reset()
        with self._lock:
            self.seen.clear()
            self.tokens.clear()

    def _record(self, seen: Seen) -> None:
        with self._lock:
            self.seen.append(seen)

    # -- lifecycle ------------------------------------------------------------------------------------------
    def start(self, host: str = "127.0.0.1") -> HubServer:
        for origin in ("hub", "cdn"):
            handler = type(f"{origin.title()}Handler", (_Handler,), {"hub": self, "origin": origin})
            self._servers.append(QuietHTTPServer.in_background(handler, f"{origin}-server", host))
        self.url, self.cdn_url = (server.url for server in self._servers)
        return self

    def stop(self) -> None:
        self.faults.reset()
        for server in self._servers:
            server.stop()
        self._servers.clear()


_REVISION = re.compile(r"^/api/models/(?P<repo>[^/]+/[^/]+)/revision/(?P<rev>[^/]+)$")
_TREE = re.compile(r"^/api/models/(?P<repo>[^/]+/[^/]+)/tree/(?P<rev>[^/]+)(?:/(?P<path>.*))?$")
_RESOLVE = re.compile(r"^/(?P<repo>[^/]+/[^/]+)/resolve/(?P<rev>[^/]+)/(?P<path>.+)$")
_LFS = re.compile(r"^/lfs/(?P<sha>[0-9a-f]{64})$")


class _Handler(BaseHTTPRequestHandler):
    hub: HubServer
    origin: str
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # no 40 ms Nagle/delayed-ACK stall between header and body writes

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def send_response(self, code: int, message: str | None = None) -> None:
        if self.hub.link is not None:
            self.hub.link.wait_first_byte()
        super().send_response(code, message)

    def _paced(self, nbytes: int) -> None:
        link = self.hub.link
        if link is not None:
            if not hasattr(self, "_bucket"):
                self._bucket = link.connection()  # one per connection: a handler serves one connection
            link.pace(self._bucket, nbytes)

    # -- helpers --------------------------------------------------------------------------------------------
    def _token(self) -> str | None:
        auth = self.headers.get("Authorization")
        return auth[7:] if auth and auth.startswith("Bearer ") else None

    def _send(self, status: int, body: bytes = b"", headers: Mapping[str, str] | None = None) -> None:
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self._paced(len(body))
            self.wfile.write(body)

    def _error(self, status: int, code: str | None, message: str) -> None:
        headers = {"Content-Type": "application/json", "X-Error-Message": message}
        if code:
            headers["X-Error-Code"] = code
        self._send(status, json.dumps({"error": message}).encode(), headers)

    def _commit(self, repo_id: str, rev: str, files: bool) -> tuple[HubRepo, str] | None:
        """The repo and the commit `rev` names, after the access rules; answers the error itself and returns None."""
        repo = self._access(repo_id, files)
        if repo is None:
            return None
        commit = repo.resolve(rev)
        if commit is None:
            self._error(404, "RevisionNotFound", f"Invalid rev id: {rev}")
            return None
        return repo, commit

    def _access(self, repo_id: str, files: bool) -> HubRepo | None:
        """Apply the Hub's auth rules; answers the error itself and returns None when access is refused."""
        token = self._token()
        if token is not None and token not in self.hub.tokens:
            self._error(401, None, INVALID_CREDENTIALS)
            return None
        repo = self.hub.repos.get(repo_id)
        granted = token is not None and repo_id in self.hub.tokens.get(token, set())
        if repo is None or (repo.private and not granted):
            self._error(404 if token else 401, "RepoNotFound", "Repository not found")
            return None
        if files and repo.gated and not granted:
            if token is None:
                self._error(
                    401,
                    "GatedRepo",
                    f"Access to model {repo_id} is restricted. You must have access to it and be authenticated.",
                )
            else:
                self._error(
                    403,
                    "GatedRepo",
                    f"Access to model {repo_id} is restricted and you are not in the authorized list.",
                )
            return None
        return repo

    def _fault_status(self, kind: str, path: str) -> bool:
        status = self.hub.faults.take_status(kind, path)
        if status is None:
            return False
        headers = {"Retry-After": "0"} if status == 429 else {}
        self._send(status, b"injected failure", headers)
        return True

    # -- routing --------------------------------------------------------------------------------------------
    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        rng = self.headers.get("Range")
        auth = self.headers.get("Authorization")
        if self.origin == "cdn":
            match = _LFS.match(url.path)
            name = query.get("name", [""])[0]
            self.hub._record(Seen("cdn", self.command, "lfs", name, None, rng, auth))
            file = self.hub._lfs_objects.get(match["sha"]) if match else None
            if file is None:
                return self._error(404, None, "no such object")
            if self.hub.faults.expired(file.path, int(query.get("serial", ["0"])[0]), self.hub._serial):
                return self._send(403, b"Request has expired", {"Content-Type": "text/plain"})
            if self._fault_status("lfs", file.path):
                return None
            return self._content(file, {})
        if m := _REVISION.match(url.path):
            repo_id, rev = m["repo"], unquote(m["rev"])
            self.hub._record(Seen("hub", self.command, "revision", repo_id, rev, rng, auth))
            if self._fault_status("revision", repo_id):
                return None
            return self._revision(repo_id, rev)
        if m := _TREE.match(url.path):
            repo_id, rev = m["repo"], unquote(m["rev"])
            self.hub._record(Seen("hub", self.command, "tree", repo_id, rev, rng, auth))
            if self._fault_status("tree", repo_id):
                return None
            return self._tree(repo_id, rev, unquote(m["path"] or ""), query)
        if m := _RESOLVE.match(url.path):
            repo_id, rev, path = m["repo"], unquote(m["rev"]), unquote(m["path"])
            self.hub._record(Seen("hub", self.command, "resolve", path, rev, rng, auth))
            if self._fault_status("resolve", path):
                return None
            return self._resolve(repo_id, rev, path)
        return self._error(404, None, "Not Found")

    def _revision(self, repo_id: str, rev: str) -> None:
        found = self._commit(repo_id, rev, files=False)
        if found is None:
            return
        repo, commit = found
        info = {
            "id": repo_id,
            "modelId": repo_id,
            "sha": commit,
            "private": repo.private,
            "gated": "manual" if repo.gated else False,
            "siblings": [{"rfilename": p} for p in sorted(repo.commits[commit])],
        }
        self._send(200, json.dumps(info).encode(), {"Content-Type": "application/json"})

    def _tree(self, repo_id: str, rev: str, base: str, query: dict[str, list[str]]) -> None:
        found = self._commit(repo_id, rev, files=False)
        if found is None:
            return
        repo, commit = found
        recursive = query.get("recursive", ["false"])[0].lower() in ("true", "1")
        prefix = base.rstrip("/") + "/" if base else ""
        entries: dict[str, dict[str, object]] = {}
        for path, f in repo.commits[commit].items():
            if not path.startswith(prefix):
                continue
            rest = path[len(prefix) :].split("/")
            # folders along the way are listed too, as the Hub does
            for depth in range(1, len(rest)):
                folder = prefix + "/".join(rest[:depth])
                entries.setdefault(folder, {"type": "directory", "oid": "0" * 40, "size": 0, "path": folder})
                if not recursive:
                    break
            if len(rest) > 1 and not recursive:
                continue
            entry: dict[str, object] = {"type": "file", "oid": f.git_sha1, "size": f.size, "path": path}
            if f.lfs:
                entry["lfs"] = {"oid": f.sha256, "size": f.size, "pointerSize": 134}
            entries[path] = entry
        listing = [entries[k] for k in sorted(entries)]
        start = int(query.get("cursor", ["0"])[0])
        page = listing[start : start + self.hub.page_size]
        headers = {"Content-Type": "application/json"}
        if start + self.hub.page_size < len(listing):
            next_url = (
                f"{self.hub.url}/api/models/{repo_id}/tree/{quote(rev, safe='')}"
                f"{'/' + quote(base) if base else ''}?recursive={str(recursive).lower()}"
                f"&cursor={start + self.hub.page_size}"
            )
            headers["Link"] = f'<{next_url}>; rel="next"'
        self._send(200, json.dumps(page).encode(), headers)

    def _resolve(self, repo_id: str, rev: str, path: str) -> None:
        found = self._commit(repo_id, rev, files=True)
        if found is None:
            return
        repo, commit = found
        file = repo.commits[commit].get(path)
        if file is None:
            return self._error(404, "EntryNotFound", f"{path} does not exist on {rev}")
        headers = {"X-Repo-Commit": commit}
        if file.lfs:
            with self.hub._lock:
                self.hub._serial += 1
                serial = self.hub._serial
            expires = int(time.time()) + 3600
            headers.update(
                {
                    "Location": f"{self.hub.cdn_url}/lfs/{file.sha256}?name={quote(path)}&Expires={expires}"
                    f"&serial={serial}",
                    "X-Linked-Etag": f'"{file.sha256}"',
                    "X-Linked-Size": str(file.size),
                    "ETag": f'"{file.sha256}"',
                }
            )
            return self._send(302, b"", headers)
        headers["ETag"] = f'"{file.git_sha1}"'
        return self._content(file, headers)

    def _content(self, file: HubFile, headers: dict[str, str]) -> None:
        start, end = 0, file.size
        rng = self.headers.get("Range")
        status = 200
        if rng:
            m = re.match(r"^bytes=(\d+)-(\d*)$", rng)
            if not m or int(m[1]) >= file.size:
                return self._send(416, b"", {"Content-Range": f"bytes */{file.size}"})
            start = int(m[1])
            end = min(file.size, int(m[2]) + 1) if m[2] else file.size
            status = 206
            headers["Content-Range"] = f"bytes {start}-{end - 1}/{file.size}"
        headers.update({"Accept-Ranges": "bytes", "Content-Type": "application/octet-stream"})
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(end - start))
        self.end_headers()
        if self.command == "HEAD":
            return
        faults = self.hub.faults
        drop_at = faults.take_drop(file.path, start, end)
        hold = faults.holds.get(file.path)
        stop = drop_at if drop_at is not None else end
        position = start
        if hold is not None and start <= hold.at < stop:
            self._write(file, position, hold.at)
            position = hold.at
            self.wfile.flush()
            hold.count += 1
            hold.reached.release()
            hold.release.wait(60)
        self._write(file, position, stop)
        if drop_at is not None:
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)

    def _write(self, file: HubFile, start: int, end: int) -> None:
        if start >= end:
            return
        if file.source is not None:
            self.wfile.flush()
            step = (64 << 20) if self.hub.link is None else SLICE
            with file.source.open("rb") as fh:
                offset = start
                while offset < end:
                    self._paced(min(end - offset, step))
                    sent = os.sendfile(self.connection.fileno(), fh.fileno(), offset, min(end - offset, step))
                    if sent == 0:
                        break
                    offset += sent
            return
        data = file.data or b""
        if file.path in self.hub.faults.corrupt:
            data = bytes([data[0] ^ 0xFF]) + data[1:]  # same size, wrong content for the declared hash
        at = self.hub.faults.corrupt_at.get(file.path)
        if at is not None:
            data = data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :]
        view = memoryview(data)
        step = (1 << 20) if self.hub.link is None else SLICE
        for offset in range(start, end, step):
            self._paced(min(end, offset + step) - offset)
            self.wfile.write(view[offset : min(end, offset + step)])
