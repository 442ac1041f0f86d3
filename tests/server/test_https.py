"""``os1 serve --https``: os1's own certificate authority, kept and reused, vouching only for the
home network; the certificate as phones install it; and a real server over TLS that a browser
page finds to be a secure context, where the microphone may be asked for."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import ipaddress
import json
import os
import plistlib
import ssl
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError
from playwright.sync_api import Page, WebSocket

from os1.server.tls import certificates, fingerprint, local_name
from os1.server.trust import profile
from os1.testing.servers import free_port, os1_server
from tests.server.browser import LOW_CONTRAST, SETTLED, chromium, fake_microphone, phone, visible
from tests.server.test_browser import onboard


def _cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _verify(ca: Path, cert: x509.Certificate, name: x509.DNSName | x509.IPAddress) -> None:
    PolicyBuilder().store(Store([_cert(ca)])).build_server_verifier(name).verify(cert, [])


def test_certificates_are_made_once_kept_private_and_reused(tmp_path: Path) -> None:
    first = certificates(tmp_path, "127.0.0.1")
    assert first.made_ca
    for key in (tmp_path / "tls" / "ca-key.pem", first.key):
        assert os.stat(key).st_mode & 0o777 == 0o600
    assert os.stat(tmp_path / "tls").st_mode & 0o777 == 0o700
    ca, cert = first.ca.read_bytes(), first.cert.read_bytes()

    again = certificates(tmp_path, "127.0.0.1")  # the next start
    assert not again.made_ca and again.ca.read_bytes() == ca and again.cert.read_bytes() == cert

    first.cert.unlink()  # a new server certificate from the same authority: phones trust it already
    renewed = certificates(tmp_path, "127.0.0.1")
    assert renewed.ca.read_bytes() == ca and renewed.cert.read_bytes() != cert
    loopback = x509.IPAddress(ipaddress.ip_address("127.0.0.1"))
    for name in (loopback, x509.DNSName("localhost"), x509.DNSName(local_name())):
        _verify(renewed.ca, _cert(renewed.cert), name)


def test_the_authority_cannot_vouch_for_a_site_on_the_internet(tmp_path: Path) -> None:
    tls = certificates(tmp_path, "127.0.0.1")
    ca = _cert(tls.ca)
    ca_key = serialization.load_pem_private_key((tmp_path / "tls" / "ca-key.pem").read_bytes(), None)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    now = dt.datetime.now(dt.UTC)
    rogue = (x509.CertificateBuilder()
             .subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "bank.example.com")]))
             .issuer_name(ca.subject).public_key(ec.generate_private_key(ec.SECP256R1()).public_key())
             .serial_number(1).not_valid_before(now).not_valid_after(now + dt.timedelta(days=30))
             .add_extension(x509.SubjectAlternativeName([x509.DNSName("bank.example.com")]), critical=False)
             .add_extension(x509.ExtendedKeyUsage([x509.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
             .sign(ca_key, hashes.SHA256()))
    with pytest.raises(VerificationError):
        _verify(tls.ca, rogue, x509.DNSName("bank.example.com"))


def test_the_iphone_profile_holds_the_authority(tmp_path: Path) -> None:
    tls = certificates(tmp_path, "127.0.0.1")
    made = plistlib.loads(profile(tls.ca))
    assert made["PayloadType"] == "Configuration"
    (root,) = made["PayloadContent"]
    assert root["PayloadType"] == "com.apple.security.root"
    assert root["PayloadContent"] == _cert(tls.ca).public_bytes(serialization.Encoding.DER)
    assert profile(tls.ca) == profile(tls.ca)  # stable: the same profile on every start


def test_https_needs_accounts(tmp_path: Path) -> None:
    env = {**os.environ, "OS1_HOME": str(tmp_path), "OS1_LOAD_PLUGINS": ""}
    done = subprocess.run([sys.executable, "-m", "os1", "serve", "--https", "--port", "0"], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode != 0 and len(lines) == 1 and "--mode multi --https" in lines[0], done.stderr
    assert not (tmp_path / "tls").exists()


def _spki(cert: Path) -> str:
    """What chromium's --ignore-certificate-errors-spki-list takes: base64 of the key's SHA-256."""
    der = _cert(cert).public_key().public_bytes(serialization.Encoding.DER,
                                                serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


@pytest.mark.integration
def test_a_phone_reaches_a_secure_page_with_a_microphone(tmp_path: Path) -> None:
    home, port = tmp_path / "home", free_port()
    args = ("--mode", "multi", "--https", "--host", "127.0.0.1")
    with os1_server(home, port, {"OS1_LLM__MAX_TOKENS": "16"}, args):
        base = f"https://127.0.0.1:{port}"
        said = (home / "serve.log").read_text()
        ca = home / "tls" / "ca.pem"
        assert f"{base}/trust" in said and fingerprint(ca) in said  # the address, to trust it
        assert "\u2580" in said or "\u2584" in said  # the QR code, in half blocks
        trusting = ssl.create_default_context(cafile=str(ca))
        with httpx.Client(base_url=base, verify=trusting) as client:  # the chain verifies
            assert client.get("/v1/session").status_code == 200
            steps = client.get("/trust")
            assert "Certificate Trust Settings" in steps.text and fingerprint(ca) in steps.text
            cert = client.get("/trust/os1-ca.crt")
            assert cert.headers["content-type"] == "application/x-x509-ca-cert"
            assert cert.content == _cert(ca).public_bytes(serialization.Encoding.DER)
            ios = client.get("/trust/os1.mobileconfig")
            assert ios.headers["content-type"] == "application/x-apple-aspen-config"
            assert "max-age" in ios.headers["strict-transport-security"]
        with pytest.raises(httpx.ConnectError):  # without trusting os1's authority: refused
            httpx.get(f"{base}/v1/session")

        accept = [f"--ignore-certificate-errors-spki-list={_spki(home / 'tls' / 'server.pem')}",
                  *fake_microphone(tmp_path / "hello.wav", "Good evening, tell me about the sea.")]
        with chromium(accept) as browser, phone(browser, base + "/") as page:
            visible(page, "login")
            assert page.evaluate("window.isSecureContext") is True
            assert page.evaluate("typeof navigator.mediaDevices?.getUserMedia") == "function"
            page.click("#to-register")
            page.fill("#login-username", "theodore")
            page.fill("#login-password", "correct horse")
            page.click("#login-submit")
            visible(page, "welcome")
            page.wait_for_selector("body[data-chat=open]")  # its socket, over wss
            onboard(page)
            talk_over_wss(page)
            page.goto(base + "/trust")  # the steps, readable on a phone
            page.wait_for_selector("#trust-ios")
            page.wait_for_function(SETTLED, arg="main")  # faded in
            assert page.evaluate(LOW_CONTRAST) == []
            assert page.evaluate("document.documentElement.scrollWidth") <= 390


def talk_over_wss(page: Page) -> None:
    """A spoken turn on the phone over https: the microphone is granted, its sound goes up the
    voice socket over wss, and what os1 heard and what it answered both appear in the chat."""
    sockets: list[str] = []
    heard: list[str] = []

    def on_frame(payload: str | bytes) -> None:
        if isinstance(payload, str) and (event := json.loads(payload))["type"] == "heard":
            heard.append(event["text"])

    def on_socket(ws: WebSocket) -> None:
        if "/v1/voice?ticket=" in ws.url:
            sockets.append(ws.url)
            ws.on("framereceived", on_frame)

    page.on("websocket", on_socket)
    page.click("#mic")
    page.wait_for_selector("#mic[data-state=listening][aria-pressed=true]")
    spoken = page.locator("#log .msg.user.spoken").first
    spoken.wait_for(timeout=60_000)
    assert sockets and all(url.startswith("wss://") for url in sockets), sockets
    assert heard and heard[0].strip() and spoken.inner_text().strip() == heard[0]
    answer = page.locator("#log .msg.os.spoken .text").first
    page.wait_for_function("(el) => el.textContent.trim().length > 0", arg=answer.element_handle(),
                           timeout=60_000)  # os1's spoken reply, in words too
    page.click("#mic")  # one tap ends the conversation
    page.wait_for_selector("#mic[data-state=idle][aria-pressed=false]")
