"""A local endpoint for the one Secret Manager REST call hfkit makes: `versions/latest:access`.

google-cloud-secret-manager's REST transport talks to it through HFKIT_SECRET_MANAGER_ENDPOINT, so the real client
library parses real responses (payload with data_crc32c, Google's JSON error body for NOT_FOUND/PERMISSION_DENIED).
"""

from __future__ import annotations

import base64
import json
import re
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import google_crc32c

from tests.stage.hub_server import QuietHTTPServer

_ACCESS = re.compile(r"^/v1/(?P<secret>projects/[^/]+/secrets/[^/]+)/versions/(?P<version>[^/:]+):access$")


class SecretServer:
    def __init__(self) -> None:
        self.secrets: dict[str, bytes] = {}
        self.denied: set[str] = set()
        self.url = ""
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> SecretServer:
        handler = type("SecretHandler", (_Handler,), {"store": self})
        self._server = QuietHTTPServer.in_background(handler, "secret-server")
        self.url = self._server.url
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()


class _Handler(BaseHTTPRequestHandler):
    store: SecretServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # no 40 ms Nagle/delayed-ACK stall between header and body writes

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _json(self, status: int, doc: dict[str, object]) -> None:
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        match = _ACCESS.match(urlsplit(self.path).path)
        if match is None:
            return self._json(404, {"error": {"code": 404, "message": "Not Found", "status": "NOT_FOUND"}})
        name = match["secret"]
        if name in self.store.denied:
            message = f"Permission 'secretmanager.versions.access' denied for resource '{name}/versions/latest'"
            return self._json(403, {"error": {"code": 403, "message": message, "status": "PERMISSION_DENIED"}})
        data = self.store.secrets.get(name)
        if data is None:
            message = f"Secret [{name}] not found or has no versions."
            return self._json(404, {"error": {"code": 404, "message": message, "status": "NOT_FOUND"}})
        payload = {"data": base64.b64encode(data).decode(), "dataCrc32c": str(google_crc32c.value(data))}
        return self._json(200, {"name": f"{name}/versions/1", "payload": payload})
