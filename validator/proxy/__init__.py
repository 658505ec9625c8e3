"""The recording proxy: ``responses-conformance proxy --upstream URL``.

A local reverse proxy an application is pointed at. It forwards every request
unchanged to the upstream and every response byte unchanged and unbuffered to
the client, while each Responses stream is checked as it passes, through the
same ``Checker.receive_data`` as every other face of the tool. See
docs/proxy.md. Needs the ``proxy`` extra (httpx, uvicorn, websockets).
"""

from __future__ import annotations

from validator.proxy.server import Proxy, ProxyError
from validator.proxy.settings import Capture, CheckSettings, Limits, ProxySettings, Timeouts

__all__ = ["Capture", "CheckSettings", "Limits", "Proxy", "ProxyError", "ProxySettings", "Timeouts"]
