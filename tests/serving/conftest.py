"""The staging servers (fake-gcs-server behind the counting proxy, the local Hub) reused for `hfkit serve`."""

from tests.stage.conftest import env, fake_gcs, gcs_proxy, hub, hub_server, secret_server  # noqa: F401
