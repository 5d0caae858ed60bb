"""A software authenticator: real WebAuthn registration and assertion answers, made in Python.

An ES256 key (the `cryptography` package), attestation "none", and the flags a tablet's
fingerprint sensor sets (user present and verified), so the server's py_webauthn checks run
for real: challenge, origin, RP id hash, signature, counter. Also the helpers that read the
options a page hands the browser (data-passkey-options).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import struct

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

UP, UV, AT = 0x01, 0x04, 0x40


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def page_options(page: str, index: int = 0) -> dict:
    """The options of the index-th passkey button on a page, as the browser's script reads them."""
    found = re.findall(r'data-passkey-options="([^"]*)"', page)
    assert len(found) > index, "no passkey button on the page"
    return json.loads(html.unescape(found[index]))


class SoftAuthenticator:
    def __init__(self, origin: str = "http://localhost", user_verified: bool = True):
        self.origin = origin
        self.user_verified = user_verified
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.sign_count = 0

    @property
    def id(self) -> str:
        return b64url(self.credential_id)

    def _cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    def _client_data(self, kind: str, challenge: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": False}).encode()

    def _flags(self) -> int:
        return UP | (UV if self.user_verified else 0)

    def register(self, options: dict) -> str:
        """The JSON a browser posts after navigator.credentials.create(options)."""
        client_data = self._client_data("webauthn.create", options["challenge"])
        rp_hash = hashlib.sha256(options["rp"]["id"].encode()).digest()
        attested = bytes(16) + struct.pack(">H", len(self.credential_id)) + self.credential_id + self._cose_key()
        auth_data = rp_hash + bytes([self._flags() | AT]) + struct.pack(">I", self.sign_count) + attested
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return json.dumps(
            {
                "id": self.id,
                "rawId": self.id,
                "type": "public-key",
                "authenticatorAttachment": "platform",
                "clientExtensionResults": {},
                "response": {
                    "clientDataJSON": b64url(client_data),
                    "attestationObject": b64url(attestation),
                    "transports": ["internal"],
                },
            }
        )

    def assertion(self, options: dict, rp_id: str = "localhost") -> str:
        """The JSON a browser posts after navigator.credentials.get(options)."""
        self.sign_count += 1
        client_data = self._client_data("webauthn.get", options["challenge"])
        auth_data = (
            hashlib.sha256(options.get("rpId", rp_id).encode()).digest()
            + bytes([self._flags()])
            + struct.pack(">I", self.sign_count)
        )
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return json.dumps(
            {
                "id": self.id,
                "rawId": self.id,
                "type": "public-key",
                "authenticatorAttachment": "platform",
                "clientExtensionResults": {},
                "response": {
                    "clientDataJSON": b64url(client_data),
                    "authenticatorData": b64url(auth_data),
                    "signature": b64url(signature),
                    "userHandle": None,
                },
            }
        )


def add_passkey(client, device: SoftAuthenticator, name: str = "Work tablet"):
    """Register `device` for the logged-in user through the set-up page, as the browser's script does."""
    page = client.get("/account/two-factor/setup").get_data(as_text=True)
    return client.post("/account/passkeys/add", data={"credential": device.register(page_options(page)), "name": name})


def log_in_with_only_a_passkey(client, user, password: str) -> SoftAuthenticator:
    """A user without the app logs in and makes a passkey their first factor: this login then counts
    as one with a second factor. The device, to answer later checks with."""
    client.post("/login", data={"email": user.email, "password": password})
    device = SoftAuthenticator()
    added = add_passkey(client, device)
    assert added.status_code == 200 and b"Your recovery codes" in added.data, "the passkey was not added"
    return device


def recovery_codes_from(page: str) -> list[str]:
    """The recovery codes a page shows once."""
    listed = re.search(r'<ol class="recovery-codes[^>]*>(.*?)</ol>', page, re.S)
    assert listed, "no recovery codes on the page"
    return re.findall(r"<code>([^<]+)</code>", listed.group(1))
