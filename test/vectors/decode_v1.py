"""An independent decoder for format v1, written from docs/FORMAT.md alone (raw-key wrapping only).

Usage: decode_v1.py FILE KEY_HEX [KEY_ID] > plaintext
Exits non-zero with a message on any failure. Used by the test suite to prove the spec is complete.
"""
import hashlib
import hmac
import struct
import sys

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = bytes([0x89, 0x56, 0x42, 0x41, 0x4B, 0x0D, 0x0A, 0x1A])


def fail(msg):
    sys.stderr.write("decode_v1: " + msg + "\n")
    sys.exit(1)


def hkdf(ikm, salt, label, backup_id):
    info = b"vault-backup/v1/" + label + b"\x00" + backup_id
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(ikm)


def nonce(prefix, counter, flag):
    return prefix + struct.pack(">I", counter) + bytes([flag])


def main():
    data = open(sys.argv[1], "rb").read()
    kek = bytes.fromhex(sys.argv[2])
    if data[:8] != MAGIC:
        fail("bad magic")
    version, algorithm, header_len = data[8], data[9], struct.unpack(">H", data[10:12])[0]
    if version != 1 or algorithm != 1:
        fail("unsupported version")
    header = data[:header_len]
    at = 12
    chunk_size = struct.unpack(">I", header[at:at + 4])[0]; at += 4
    wrap_type = header[at]; at += 1
    k = header[at]; at += 1
    key_id = header[at:at + k]; at += k
    b = header[at]; at += 1
    backup_id = header[at:at + b]; at += b
    w = struct.unpack(">H", header[at:at + 2])[0]; at += 2
    wrapped = header[at:at + w]; at += w
    salt = header[at:at + 32]; at += 32
    prefix = header[at:at + 7]; at += 7
    commitment = header[at:at + 32]; at += 32
    tag = header[at:at + 16]; at += 16
    if at != header_len:
        fail("header length mismatch")
    if wrap_type != 1:
        fail("only raw-key wrapping is supported here")
    if len(sys.argv) > 3 and key_id.decode() != sys.argv[3]:
        fail("unknown key id " + key_id.decode())
    wrap_aad = b"vault-backup/v1/raw-wrap\x00" + key_id
    data_key = AESGCM(kek).decrypt(wrapped[:12], wrapped[12:], wrap_aad)
    payload_key = hkdf(data_key, salt, b"payload-key", backup_id)
    if not hmac.compare_digest(hkdf(data_key, salt, b"commitment", backup_id), commitment):
        fail("commitment mismatch")
    AESGCM(payload_key).decrypt(nonce(prefix, 0xFFFFFFFF, 2), tag, header[:header_len - 16])
    aad = hashlib.sha256(header).digest()
    body = data[header_len:]
    unit = chunk_size + 16
    out = sys.stdout.buffer
    i = 0
    pos = 0
    while True:
        piece = body[pos:pos + unit]
        last = pos + unit >= len(body)
        if len(piece) < 16:
            fail("truncated")
        out.write(AESGCM(payload_key).decrypt(nonce(prefix, i, 1 if last else 0), piece, aad))
        pos += unit
        i += 1
        if last:
            break


if __name__ == "__main__":
    main()
