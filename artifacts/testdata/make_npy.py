#!/usr/bin/python3
"""Writes the .npy/.npz fixtures of sdapipe/artifacts with numpy.save/savez.

Run from artifacts/testdata: /usr/bin/python3 make_npy.py
(numpy 1.24.2, Debian bookworm python3-numpy). The fixtures seed
FuzzReadNPY and are read back by TestNPYFixtures, which knows their values.
"""
import numpy as np

def vals(n, dtype):
    # Values that exercise signs, fractions and the full width of the type.
    v = np.arange(n, dtype=np.float64) * 1.5 - 2.0
    if np.dtype(dtype).kind in "iu":
        v = np.arange(n) * 37 - 5 if np.dtype(dtype).kind == "i" else np.arange(n) * 37 % 256
    if np.dtype(dtype).kind == "b":
        v = np.arange(n) % 3 == 0
    return np.asarray(v).astype(dtype)

fixtures = {
    "f4_2x3_c": vals(6, "<f4").reshape(2, 3),
    "f8_5": vals(5, "<f8"),
    "i4_scalar": vals(1, "<i4").reshape(()),
    "i8_2x2_big": vals(4, ">i8").reshape(2, 2),
    "u1_2x3x2_fortran": np.asfortranarray(vals(12, "|u1").reshape(2, 3, 2)),
    "b1_0x3": vals(0, "|b1").reshape(0, 3),
    "f4_3x2x2_fortran_big": np.asfortranarray(vals(12, ">f4").reshape(3, 2, 2)),
}

for name, a in fixtures.items():
    np.save(name + ".npy", a)

np.savez("savez.npz", weight=fixtures["f4_2x3_c"], bias=fixtures["f8_5"])
np.savez_compressed("savez_compressed.npz", mask=fixtures["b1_0x3"], n=fixtures["i4_scalar"])
