"""FarmHash Fingerprint64 / SipHash-2-4 / FingerprintCat64 against published vectors, the
outputs TensorFlow printed in Keras's Hashing/HashedCrossing docs, and pyfarmhash."""

import random

import pytest

from gpulayers.backend.string_hashing import fingerprint64, fingerprint_cat64, siphash64

_KEY0 = int.from_bytes(bytes(range(8)), "little")  # the SipHash paper's key 00..0f
_KEY1 = int.from_bytes(bytes(range(8, 16)), "little")


@pytest.mark.parametrize("length, expected", [
    (0, 0x726FDB47DD0E0E31), (1, 0x74F839C593DC67FD), (2, 0x0D6C8009D9A94F5A),
    (8, 0x93F5F5799A932462), (15, 0xA129CA6149BE45E5)])
def test_siphash_reference_vectors(length, expected):
    # Reference vectors of SipHash-2-4 (Aumasson & Bernstein), message 00 01 .. len-1.
    assert siphash64(_KEY0, _KEY1, bytes(range(length))) == expected


def test_farmhash_empty_string_is_k2():
    # Fingerprint64("") returns the constant k2 (farmhashna::HashLen0to16, len 0).
    assert fingerprint64(b"") == 0x9AE16A3B2F90404F == fingerprint64("")


def test_farmhash_matches_tensorflow_bucket_outputs():
    # tf.strings.to_hash_bucket_fast outputs printed in Keras's Hashing docs/tests.
    assert [fingerprint64(c) % 3 for c in "ABCDE"] == [1, 0, 1, 1, 2]
    words = ["omar", "stringer", "marlo", "wire", "skywalker"]
    assert [fingerprint64(w) % 2 for w in words] == [0, 0, 1, 0, 0]


def test_siphash_matches_tensorflow_bucket_outputs():
    # tf.strings.to_hash_bucket_strong(key=[133, 137]) outputs from Keras's Hashing tests.
    assert [siphash64(133, 137, c) % 3 for c in "ABCDE"] == [1, 2, 1, 0, 2]
    assert [siphash64(133, 133, c) % 3 for c in "ABCDE"] == [0, 0, 2, 1, 0]
    words = ["omar", "stringer", "marlo", "wire", "skywalker"]
    assert [siphash64(211, 137, w) % 2 for w in words] == [1, 0, 1, 0, 1]


def test_fingerprint_cat_matches_cross_hashed_outputs():
    # tf.sparse.cross_hashed(num_buckets=5) outputs from Keras's HashedCrossing docs.
    key = 0xDECAFCAFFE
    crossed = [fingerprint_cat64(fingerprint_cat64(key, fingerprint64(a)), b) % 5
               for a, b in zip("ABABA", [101, 101, 101, 102, 102])]
    assert crossed == [1, 4, 1, 1, 3]


def test_farmhash_matches_pyfarmhash_for_every_length_branch():
    farmhash = pytest.importorskip("farmhash", reason="pyfarmhash (optional) not installed")
    rng = random.Random(0)
    for length in list(range(0, 140)) + [255, 256, 257, 1000]:  # 0-16, 17-32, 33-64, >64
        data = bytes(rng.randrange(256) for _ in range(length))
        assert fingerprint64(data) == farmhash.fingerprint64(data), length
    assert fingerprint64("héllo wörld") == farmhash.fingerprint64("héllo wörld".encode())
