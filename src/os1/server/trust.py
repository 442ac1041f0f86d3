"""``/trust`` on ``os1 serve --https``: how a phone comes to trust os1's own certificate
authority (``os1.server.tls``), and the authority's certificate in the forms phones install:
an iPhone configuration profile and a certificate file for Android. Open to anyone who reaches
the server: a certificate is public, and the steps come before any login."""

from __future__ import annotations

import plistlib
import uuid
from html import escape
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from os1.server.tls import fingerprint

PROFILE_TYPE = "application/x-apple-aspen-config"
CERT_TYPE = "application/x-x509-ca-cert"

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Trust os1 on this phone</title><link rel="stylesheet" href="/style.css">
<style>.trust .card {{ margin: 12px 0; }} .fingerprint {{ overflow-wrap: anywhere; }}</style></head>
<body data-view="trust"><main id="main" class="screen trust">
<h1>Trust os1 on this phone</h1>
<p>os1 made its own certificate for your home network, so that this phone can talk with it
privately and use the microphone. Your phone needs to trust it once. It only ever vouches for
addresses on your home network. Done that already? <a href="/">Open os1</a>.</p>
<section class="card"><h2>iPhone or iPad</h2><ol>
<li>In Safari, <a href="/trust/os1.mobileconfig" id="trust-ios">download the os1 profile</a>
and tap Allow.</li>
<li>Open Settings, tap <b>Profile Downloaded</b> (or General, VPN &amp; Device Management), then
Install.</li>
<li>Open Settings, General, About, <b>Certificate Trust Settings</b>, and turn on full trust for
<b>{name}</b>.</li></ol></section>
<section class="card"><h2>Android</h2><ol>
<li><a href="/trust/os1-ca.crt" id="trust-android">Download the os1 certificate</a>.</li>
<li>Open Settings, search for <b>CA certificate</b> (Security, More security settings, Encryption
&amp; credentials, Install a certificate), choose CA certificate, and pick the file
<b>os1-ca.crt</b>.</li></ol></section>
<p>The certificate's SHA-256 fingerprint, which <code>os1 serve</code> also printed:</p>
<p><code class="fingerprint">{fingerprint}</code></p>
<p><a class="button primary" href="/">Open os1</a></p>
</main></body></html>
"""


def _der(ca: Path) -> bytes:
    return x509.load_pem_x509_certificate(ca.read_bytes()).public_bytes(serialization.Encoding.DER)


def _name(ca: Path) -> str:
    subject = x509.load_pem_x509_certificate(ca.read_bytes()).subject
    return str(subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value)


def profile(ca: Path) -> bytes:
    """An iOS configuration profile holding the authority as a trusted root
    (``com.apple.security.root``); its identifiers follow from the certificate, so it is stable."""
    der = _der(ca)
    stable = uuid.uuid5(uuid.NAMESPACE_OID, fingerprint(ca))
    root = {"PayloadType": "com.apple.security.root", "PayloadVersion": 1,
            "PayloadIdentifier": f"os1.ca.{stable}", "PayloadUUID": str(uuid.uuid5(stable, "root")).upper(),
            "PayloadDisplayName": _name(ca), "PayloadCertificateFileName": "os1-ca.cer",
            "PayloadDescription": "os1's certificate authority for this home network",
            "PayloadContent": der}
    whole = {"PayloadType": "Configuration", "PayloadVersion": 1,
             "PayloadIdentifier": f"os1.profile.{stable}",
             "PayloadUUID": str(stable).upper(), "PayloadDisplayName": f"Trust {_name(ca)}",
             "PayloadDescription": "Lets this device reach os1 on your home network over https.",
             "PayloadRemovalDisallowed": False, "PayloadContent": [root]}
    return plistlib.dumps(whole)


def trust_routes(ca: Path) -> list[BaseRoute]:
    async def page(request: Request) -> HTMLResponse:
        return HTMLResponse(PAGE.format(name=escape(_name(ca)), fingerprint=escape(fingerprint(ca))))

    async def android(request: Request) -> Response:
        return Response(_der(ca), media_type=CERT_TYPE,
                        headers={"content-disposition": 'attachment; filename="os1-ca.crt"'})

    async def ios(request: Request) -> Response:
        return Response(profile(ca), media_type=PROFILE_TYPE,
                        headers={"content-disposition": 'attachment; filename="os1.mobileconfig"'})

    return [Route("/trust", page), Route("/trust/os1-ca.crt", android), Route("/trust/os1.mobileconfig", ios)]
