"""Make the PyTorch reference sums of package observe's Kolmogorov chain tests.

Run from this directory with Debian's python3-torch and python3-numpy:

    /usr/bin/python3 make_chain_refs.py

It builds the events of TestKolmogorovScenarios (fieldEvent in
chain_test.go: x[t, c, i, j] below, states (2, 64, 64), float64), applies
docs/method.md §4.3's six Kolmogorov observation operators written with
torch operations as §1.2 defines them (coarsen by a reshape and a mean;
vorticity by circular padding, torch.gradient and a crop; the circle mask
from torch.linspace and torch.cartesian_prod), and prints, per scenario,
the observation's shape and three sums of its flattened values y_k:

    sum y_k,  sum y_k^2,  sum ((k mod 7) - 3) y_k

as Go table rows to paste into chain_test.go.
"""
import math

import torch

torch.set_default_dtype(torch.float64)


def event(length):
    t = torch.arange(length).reshape(-1, 1, 1, 1).double()
    c = torch.arange(2).reshape(1, -1, 1, 1).double()
    i = torch.arange(64).reshape(1, 1, -1, 1).double()
    j = torch.arange(64).reshape(1, 1, 1, -1).double()
    return torch.sin(0.37 * t + 1.1 * c + 0.29 * i - 0.41 * j) + 0.5 * torch.cos(
        0.013 * (i + 1) * (j + 2) + 0.7 * t + c
    )


def coarsen(x, r):
    *batch, h, w = x.shape
    return x.reshape(*batch, h // r, r, w // r, r).mean(dim=(-3, -1))


def vorticity(x):
    *batch, _, h, w = x.shape
    y = x.reshape(-1, 2, h, w)
    y = torch.nn.functional.pad(y, pad=(1, 1, 1, 1), mode="circular")
    (du,) = torch.gradient(y[:, 0], dim=-1)
    (dv,) = torch.gradient(y[:, 1], dim=-2)
    return (du - dv)[:, 1:-1, 1:-1].reshape(*batch, h, w)


def circle():
    x = torch.linspace(-1, 1, 64)
    x = torch.cartesian_prod(x, x)
    dist = x.square().sum(dim=-1).reshape(64, 64)
    return torch.logical_and(0.4 < dist, dist < 0.6)


def saturate(w):
    return w / (1 + w.abs())


def scenarios():
    x29, x8, x127 = event(29), event(8), event(127)
    yield "1 assimilation", coarsen(x29[0::4], 8)
    yield "2 partial field", coarsen(x8, 4)[[0, 3, 6]][:, :, 4:12, 4:12]
    yield "3 saturation", saturate(vorticity(coarsen(x8[0::3], 4)))[:, 2:14, 2:14]
    for r in (2, 4, 8, 16):
        yield f"4 subsample {r}", x8[..., ::r, ::r]
    yield "4 subsample 7::16", x8[..., 7::16, 7::16]
    yield "5 circle", vorticity(x8[-1]) * circle()
    yield "6 loop", x127[0] - x127[-1]


def main():
    print("mask points:", int(circle().sum()))
    for name, y in scenarios():
        f = y.flatten()
        k = torch.arange(f.numel())
        w = (k % 7 - 3).double()
        sums = (f.sum().item(), f.square().sum().item(), (w * f).sum().item())
        shape = ", ".join(str(d) for d in y.shape)
        print(f'{{"{name}", []int{{{shape}}}, [3]float64{{{sums[0]!r}, {sums[1]!r}, {sums[2]!r}}}}},')


if __name__ == "__main__":
    main()
