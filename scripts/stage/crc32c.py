"""crc32c of a whole object from the crc32c of its parts, without their bytes.

GCS reports one crc32c for an object assembled from XML multipart parts ("An object created from a multipart upload
has a CRC32c hash", https://cloud.google.com/storage/docs/xml-api/post-object-complete, read 2026-12-02). The stager
computes each part's crc32c over the bytes it sends, in the order they go, and composes them here, so the object's
crc32c can be checked against exactly the bytes sent even though the parts travelled on different connections.

The algebra: a CRC is linear over GF(2), so crc(A || B) = crc(A) * x^(8 * len(B)) mod P  xor  crc(B), with the
pre/post conditioning of CRC-32C cancelling out (the same identity zlib's crc32_combine uses). Polynomials are kept in
the reflected bit order CRC-32C is defined in (Castagnoli, reflected polynomial 0x82F63B78, RFC 3720 appendix B.4).
"""

from __future__ import annotations

from functools import lru_cache

_POLY = 0x82F63B78  # CRC-32C (Castagnoli), reflected
_ONE = 1 << 31  # x^0 in reflected order


def _multiply(a: int, b: int) -> int:
    """a * b mod P, both polynomials in reflected order."""
    product = 0
    bit = _ONE
    while a:
        if a & bit:
            product ^= b
            a ^= bit
        bit >>= 1
        b = (b >> 1) ^ _POLY if b & 1 else b >> 1
    return product


@lru_cache(maxsize=64)
def _x_to_the_8n(n: int) -> int:
    """x^(8n) mod P: shifting a CRC over n zero bytes. Cached: a file's parts share one length but the last."""
    result = _ONE
    square = _ONE >> 8  # x^8: one byte
    while n:
        if n & 1:
            result = _multiply(square, result)
        square = _multiply(square, square)
        n >>= 1
    return result


def combine(crc_a: int, crc_b: int, length_b: int) -> int:
    """The crc32c of A || B from crc32c(A), crc32c(B) and len(B)."""
    return _multiply(_x_to_the_8n(length_b), crc_a) ^ crc_b
