"""A lean Secret Service reader for the agent's start path (jeepney only).

Why not SecretStorage here: importing it loads its whole object layer and
``cryptography`` up front, and each ``Item`` costs an extra round trip; on the
resolver's hot path that broke the 60 ms budget (67 ms measured; it was also
imported just to probe for it). This module
does the one thing the resolver needs — read a batch of entries, never
prompting — over one D-Bus connection in two round trips: OpenSession, the default
collection's Locked property and one SearchItems per entry are pipelined (sent
together, replies collected), then one GetSecrets fetches every value.

Transfer encoding (``HERMES_ACCOUNTS_KEYRING_TRANSPORT``):

- ``plain`` (default for these reads): the Secret Service "plain" algorithm.
  The value crosses the user's private session-bus socket unencrypted. That
  socket is the keyring's own trust boundary: any process of this user can
  ask the daemon for the secret directly, so transport encryption protects
  against no one who could read the socket. Measured (bench/bench_keyring.py,
  same run, interleaved): a keyring-sourced ``explain`` adds ~30 ms with
  ``plain`` and ~65 ms with ``dh`` — the ``cryptography`` import, two 1024-bit
  exponentiations and the daemon's side of the key exchange — over the
  60 ms budget.
- ``dh``: dh-ietf1024-sha256-aes128-cbc-pkcs7, what libsecret and
  SecretStorage use (key exchange and HKDF in the standard library, AES from
  ``cryptography``), for users who prefer it at that cost.

Writes, unlock prompts and deletes stay in :mod:`.backends` (SecretStorage,
always DH-encrypted); they happen in the CLI, not at agent start.
"""

from __future__ import annotations

import os

from .errors import KeyringUnavailable, locked, no_bus, no_service

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

BUS = "org.freedesktop.secrets"
SS_PATH = "/org/freedesktop/secrets"
SS = "org.freedesktop.Secret."
DEFAULT = "/org/freedesktop/secrets/aliases/default"
DH_ALGORITHM = "dh-ietf1024-sha256-aes128-cbc-pkcs7"
# RFC 2409 second Oakley group, the prime the Secret Service spec names.
DH_PRIME = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E34"
    "04DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6"
    "F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF", 16)


def transport() -> str:
    value = os.environ.get("HERMES_ACCOUNTS_KEYRING_TRANSPORT", "").strip().lower()
    return "dh" if value == "dh" else "plain"


class _Reader:
    def __init__(self, seconds: float) -> None:
        from jeepney.io.blocking import open_dbus_connection

        self.seconds = seconds
        self.conn = open_dbus_connection(bus="SESSION", auth_timeout=min(seconds, 2.0))

    def call(self, path: str, interface: str, method: str, signature: str | None, *body: object) -> tuple:
        from jeepney import DBusAddress, new_method_call
        from jeepney.wrappers import unwrap_msg

        msg = new_method_call(DBusAddress(path, BUS, interface), method, signature, body)
        return unwrap_msg(self.conn.send_and_get_reply(msg, timeout=self.seconds))

    def call_many(self, calls: list[tuple]) -> list[tuple]:
        """Send every call, then collect the replies: one round trip's latency for the lot."""
        import time

        from jeepney import DBusAddress, HeaderFields, new_method_call
        from jeepney.wrappers import unwrap_msg

        serials = []
        for path, interface, method, signature, body in calls:
            serial = next(self.conn.outgoing_serial)
            msg = new_method_call(DBusAddress(path, BUS, interface), method, signature, body)
            self.conn.send(msg, serial=serial)
            serials.append(serial)
        wanted, replies = set(serials), {}
        deadline = time.monotonic() + self.seconds
        while len(replies) < len(serials):
            msg = self.conn.receive(timeout=max(0.0, deadline - time.monotonic()))
            reply_to = msg.header.fields.get(HeaderFields.reply_serial)
            if reply_to in wanted:
                replies[reply_to] = msg
        return [unwrap_msg(replies[s]) for s in serials]


def read_batch(usernames: Iterable[str], service: str, seconds: float,
               mode: str | None = None) -> dict[str, str | None]:
    """username -> value (None when absent) from the default collection, never prompting."""
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        raise no_bus()
    from jeepney.wrappers import DBusErrorResponse

    names = list(usernames)
    mode = mode or transport()
    r = _Reader(seconds)
    try:
        try:
            # Round trip 1, pipelined: open a session, check the default collection's lock,
            # find every entry. Round trip 2: all secrets in one GetSecrets.
            if mode == "dh":
                priv = int.from_bytes(os.urandom(128), "big")
                pub = pow(2, priv, DH_PRIME).to_bytes(128, "big")
                opening = (SS_PATH, SS + "Service", "OpenSession", "sv", (DH_ALGORITHM, ("ay", pub)))
            else:
                opening = (SS_PATH, SS + "Service", "OpenSession", "sv", ("plain", ("s", "")))
            calls = [opening,
                     (DEFAULT, "org.freedesktop.DBus.Properties", "Get", "ss", (SS + "Collection", "Locked"))]
            calls += [(DEFAULT, SS + "Collection", "SearchItems", "a{ss}",
                       ({"service": service, "username": user},)) for user in names]
            try:
                replies = r.call_many(calls)
            except DBusErrorResponse as exc:
                if (exc.name or "").endswith(("UnknownObject", "NoSuchObject", "UnknownMethod")):
                    raise locked("there is no default collection yet") from None
                raise
            (output, session), ((_, is_locked),), found = replies[0], replies[1], replies[2:]
            aes_key = None
            if mode == "dh":
                server_pub = output[1]
                aes_key = _hkdf(pow(int.from_bytes(server_pub, "big"), priv, DH_PRIME).to_bytes(128, "big"))
            if is_locked:
                raise locked()
            paths = {user: f[0][0] for user, f in zip(names, found, strict=True) if f[0]}
            out: dict[str, str | None] = dict.fromkeys(names)
            if paths:
                (secrets,) = r.call(SS_PATH, SS + "Service", "GetSecrets", "aoo",
                                    list(paths.values()), session)
                for user, path in paths.items():
                    if path in secrets:
                        out[user] = _decode(secrets[path], aes_key)
            try:
                r.call(session, SS + "Session", "Close", None)
            except DBusErrorResponse:
                pass
            return out
        except DBusErrorResponse as exc:
            raise _from_dbus(exc) from None
    finally:
        r.conn.close()


def _hkdf(ikm: bytes) -> bytes:
    """HKDF-SHA256, zero salt, empty info, 16 bytes (what the DH algorithm specifies)."""
    import hmac
    from hashlib import sha256

    prk = hmac.new(b"\x00" * 32, ikm, sha256).digest()
    return hmac.new(prk, b"\x01", sha256).digest()[:16]


def _decode(secret: tuple, aes_key: bytes | None) -> str:
    value = bytes(secret[2])
    if aes_key is not None:
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

        dec = Cipher(algorithms.AES(aes_key), modes.CBC(bytes(secret[1]))).decryptor()
        padded = dec.update(value) + dec.finalize()
        value = padded[:-padded[-1]]
    return value.decode("utf-8")


def _from_dbus(exc: Exception) -> KeyringUnavailable:
    name = getattr(exc, "name", "") or ""
    if name.endswith(("IsLocked", "NoSession")) or "Locked" in name:
        return locked(name)
    if name.endswith(("ServiceUnknown", "NameHasNoOwner", "Spawn.ExecFailed", "NoReply")) or \
            name.startswith("org.freedesktop.DBus.Error.Spawn"):
        return no_service(name)
    return KeyringUnavailable("error", f"the Secret Service answered {name or 'an error'}",
                              "check the keyring daemon, or use `--store dotenv`")
