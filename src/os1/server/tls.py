"""os1's own certificates for the home network (``os1 serve --https``): browsers give a page the
microphone only on https (or on localhost), so a phone on the same Wi-Fi needs TLS to talk.

os1 makes a small certificate authority of its own, once, and with it a server certificate for
this machine's home-network addresses and its ``.local`` name. The phone trusts the authority
once (``/trust`` on the server shows how, with the certificate as an iPhone profile and as a
file for Android); a new address later needs only a new server certificate, which the phone
already trusts. The authority is name-constrained to private addresses, ``.local`` names and
localhost, so even its key could never vouch for a site on the Internet.

Keys are EC P-256, written 0600 in ``<home>/tls`` (a 0700 directory) and reused on the next
start; the server certificate is remade when it would expire within 30 days or does not cover
an address this machine has now."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DIR = "tls"
CA_DAYS = 3650
SERVER_DAYS = 397  # what Apple and the browsers accept for a server certificate
RENEW_BEFORE = dt.timedelta(days=30)
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# where os1's authority may vouch: home networks (RFC 1918, carrier-grade NAT as VPNs such as
# Tailscale use, link-local, IPv6 unique-local and link-local) and this machine itself
PRIVATE_NETWORKS = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16", "127.0.0.0/8",
    "fc00::/7", "fe80::/10", "::1/128"))
PRIVATE_NAMES = ("local", "localhost")  # mDNS names (name.local) and localhost


@dataclass(frozen=True)
class Tls:
    """The files ``os1 serve --https`` needs, and the names its certificate covers."""

    ca: Path  # the authority's certificate (PEM): what a phone trusts
    cert: Path  # the server's certificate (PEM)
    key: Path  # the server's key (PEM, 0600)
    names: tuple[str, ...]  # DNS names and addresses in the server certificate
    made_ca: bool  # the authority is new: phones must trust it (again)


def private(address: IPAddress) -> bool:
    return any(address in net for net in PRIVATE_NETWORKS)


def machine_addresses(host: str) -> list[IPAddress]:
    """The private addresses this machine is reached at: ``host`` itself when it is one address,
    else the address it reaches the network from and those its name resolves to; loopback too."""
    found: list[str] = ["127.0.0.1", "::1"]
    try:
        wanted = ipaddress.ip_address(host)
    except ValueError:
        wanted = None
    if wanted is not None and not wanted.is_unspecified:
        found.append(str(wanted))
    else:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:  # no packet is sent
            try:
                probe.connect(("192.0.2.1", 9))
                found.append(probe.getsockname()[0])
            except OSError:
                pass  # no network: loopback only
        try:
            found += [str(info[4][0]) for info in socket.getaddrinfo(socket.gethostname(), None)]
        except OSError:
            pass
    addresses = {ipaddress.ip_address(a.split("%")[0]) for a in found}
    return sorted((a for a in addresses if private(a)), key=lambda a: (a.version, a.is_loopback, str(a)))


def local_name() -> str:
    """This machine's mDNS name (``laptop.local``), which iPhones and most phones resolve."""
    return socket.gethostname().split(".")[0].lower() + ".local"


def _write(path: Path, data: bytes, secret: bool) -> None:
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if secret else 0o644)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _make_ca(folder: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"os1 on {local_name()}"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "os1, this home network only")])
    now = dt.datetime.now(dt.UTC)
    permitted: list[x509.GeneralName] = [x509.DNSName(n) for n in PRIVATE_NAMES]
    permitted += [x509.IPAddress(net) for net in PRIVATE_NETWORKS]
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=CA_DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.NameConstraints(permitted_subtrees=permitted, excluded_subtrees=None),
                           critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    _write(folder / "ca-key.pem", _key_pem(key), secret=True)
    _write(folder / "ca.pem", cert.public_bytes(serialization.Encoding.PEM), secret=False)


def _sans(names: list[str], addresses: list[IPAddress]) -> list[x509.GeneralName]:
    return [*(x509.DNSName(n) for n in names), *(x509.IPAddress(a) for a in addresses)]


def _make_server(folder: Path, names: list[str], addresses: list[IPAddress]) -> None:
    ca = x509.load_pem_x509_certificate((folder / "ca.pem").read_bytes())
    ca_key = serialization.load_pem_private_key((folder / "ca-key.pem").read_bytes(), None)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
            .issuer_name(ca.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=SERVER_DAYS))
            .add_extension(x509.SubjectAlternativeName(_sans(names, addresses)), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    _write(folder / "server-key.pem", _key_pem(key), secret=True)
    _write(folder / "server.pem", cert.public_bytes(serialization.Encoding.PEM), secret=False)


def _still_good(folder: Path, names: list[str], addresses: list[IPAddress]) -> bool:
    """Whether the server certificate there is the authority's, covers every name, and lasts."""
    try:
        cert = x509.load_pem_x509_certificate((folder / "server.pem").read_bytes())
        ca = x509.load_pem_x509_certificate((folder / "ca.pem").read_bytes())
        cert.verify_directly_issued_by(ca)
        covered = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, TypeError, x509.ExtensionNotFound, InvalidSignature):
        return False
    fresh = cert.not_valid_after_utc - dt.datetime.now(dt.UTC) > RENEW_BEFORE
    return fresh and (folder / "server-key.pem").exists() and set(_sans(names, addresses)) <= set(covered)


def certificates(home: Path, host: str) -> Tls:
    """The authority and a server certificate for this machine as reached at ``host``: those
    made before when they still serve, else new ones."""
    folder = home / DIR
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    made_ca = not ((folder / "ca.pem").exists() and (folder / "ca-key.pem").exists())
    if made_ca:
        _make_ca(folder)
    for secret in ("ca-key.pem", "server-key.pem"):
        if (folder / secret).exists():
            os.chmod(folder / secret, 0o600)  # a copy left readable by others is tightened
    names, addresses = [local_name(), "localhost"], machine_addresses(host)
    if made_ca or not _still_good(folder, names, addresses):
        _make_server(folder, names, addresses)
    asked = [host] if host in {str(a) for a in addresses} else []  # a single address, as given
    shown = tuple(dict.fromkeys([*asked, *(str(a) for a in addresses if not a.is_loopback), *names]))
    return Tls(folder / "ca.pem", folder / "server.pem", folder / "server-key.pem", shown, made_ca)


def fingerprint(ca: Path) -> str:
    """The authority's SHA-256 fingerprint as phones show it (``AB:CD:...``)."""
    cert = x509.load_pem_x509_certificate(ca.read_bytes())
    return ":".join(f"{b:02X}" for b in cert.fingerprint(hashes.SHA256()))
