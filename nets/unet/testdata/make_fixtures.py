"""Make the PyTorch reference fixture of package unet's tests.

Run from this directory with Debian's python3-torch and python3-numpy:

    /usr/bin/python3 make_fixtures.py

It builds the U-Net of docs/method.md §2.7 (the module of the project's
torch_unet_bench.py reference, with the same parameter names; the
embedding's hidden width is a parameter here) at a small size: widths
(4, 8, 16), 2 blocks per level and direction, E = 8, embedding hidden
width 16, 10 state channels plus the forcing channel sin(4·y_j) along
the last axis, 16×8 fields (H ≠ W, so a transposed axis shows). Its parameters are set by a formula instead of being stored (the
Go test computes the same values):

    p_k[i] = s_k · sin(0.37·i + 0.71·k + 0.5)

for the k-th parameter in module order and its i-th value in C order,
with s_k = 1/√(fan_in) for weights (fan_in = numel/shape[0]) and s_k =
0.1 for biases. It writes small.npz (uncompressed, one '<f4' array per
member):

    x, t, t0, w         inputs: 2 windows (2, 10, 16, 8), per-window
                        times (2), one time (1), a cotangent like x
    eps_rows            net(x, t)
    eps_t0              net(x, t0 for both windows)
    grad_t0             d/dx sum(net(x, t0) * w), the input VJP
    eps                 a noise target like x
    loss                mean((net(x, t) - eps)^2)
    grad:<name>         d loss / d parameter
    adamw:<name>        parameters after one AdamW step (lr 1e-2,
                        weight decay 0.1) on that loss
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class ChannelNorm(nn.Module):
    """Non-affine, unbiased-variance layer norm over channels (§2.4)."""

    def forward(self, x):
        var, mean = torch.var_mean(x, dim=1, unbiased=True, keepdim=True)
        return (x - mean) / torch.sqrt(var + 1e-5)


def conv(cin, cout, stride=1):
    return nn.Conv2d(cin, cout, 3, stride=stride, padding=1, padding_mode="circular")


class Block(nn.Module):
    def __init__(self, c, emb):
        super().__init__()
        self.proj = nn.Linear(emb, c)
        self.r = nn.Sequential(ChannelNorm(), conv(c, c), nn.SiLU(), conv(c, c))

    def forward(self, h, e):
        return h + self.r(h + self.proj(e)[:, :, None, None])


class Embed(nn.Module):
    def __init__(self, emb, freqs=16, hidden=256):
        super().__init__()
        self.register_buffer("f", torch.pi * torch.arange(1, freqs + 1, dtype=torch.float32))
        self.net = nn.Sequential(nn.Linear(2 * freqs, hidden), nn.SiLU(), nn.Linear(hidden, emb))

    def forward(self, t):
        ft = t[:, None] * self.f
        return self.net(torch.cat([ft.cos(), ft.sin()], -1))


class UNet(nn.Module):
    def __init__(self, cin, cout, widths, blocks, emb, hidden):
        super().__init__()
        self.embed = Embed(emb, hidden=hidden)
        self.heads = nn.ModuleList()
        self.down = nn.ModuleList()
        self.up = nn.ModuleList()
        self.tails = nn.ModuleList()
        prev = cin
        for i, w in enumerate(widths):
            self.heads.append(conv(prev, w, stride=1 if i == 0 else 2))
            self.down.append(nn.ModuleList(Block(w, emb) for _ in range(blocks)))
            prev = w
        for i, w in reversed(list(enumerate(widths))):
            self.up.append(nn.ModuleList(Block(w, emb) for _ in range(blocks)))
            if i > 0:
                self.tails.append(nn.ModuleList([ChannelNorm(), conv(w, widths[i - 1])]))
        self.final = conv(widths[0], cout)

    def forward(self, x, t):
        e = self.embed(t)
        h, skips = x, []
        for head, blocks in zip(self.heads, self.down):
            h = head(h)
            for b in blocks:
                h = b(h, e)
            skips.append(h)
        skips.pop()
        for j, blocks in enumerate(self.up):
            for b in blocks:
                h = b(h, e)
            if j < len(self.tails):
                norm, c = self.tails[j]
                h = c(F.interpolate(norm(h), scale_factor=2, mode="nearest")) + skips.pop()
        return self.final(h)


def f32(a):
    # Copy: numpy() shares memory with the tensor, which training changes.
    return np.array(a.detach().numpy() if torch.is_tensor(a) else a, dtype="<f4", copy=True)


def formula_params(net):
    with torch.no_grad():
        for k, (_, p) in enumerate(net.named_parameters()):
            i = np.arange(p.numel(), dtype=np.float64)
            s = 1 / math.sqrt(p.numel() / p.shape[0]) if p.dim() > 1 else 0.1
            p.copy_(torch.from_numpy((s * np.sin(0.37 * i + 0.71 * k + 0.5)).astype(np.float32)).reshape(p.shape))


def main():
    rows, ch, h, w, k = 2, 10, 16, 8, 4
    net = UNet(ch + 1, ch, (4, 8, 16), 2, 8, 16)
    formula_params(net)
    rng = np.random.default_rng(2023)
    y = 2 * np.pi * (np.arange(w) + 0.5) / w
    forcing = torch.from_numpy(np.broadcast_to(np.sin(k * y), (rows, 1, h, w)).astype(np.float32))

    def run(x, t):
        return net(torch.cat([x, forcing], 1), t)

    def normal(*shape):
        return torch.from_numpy(rng.standard_normal(shape).astype(np.float32))

    x, cot, eps = normal(rows, ch, h, w), normal(rows, ch, h, w), normal(rows, ch, h, w)
    t = torch.from_numpy(rng.uniform(0, 1, rows).astype(np.float32))
    t0 = torch.tensor([0.3], dtype=torch.float32)
    out = dict(x=f32(x), t=f32(t), t0=f32(t0), w=f32(cot), eps=f32(eps))
    with torch.no_grad():
        out["eps_rows"] = f32(run(x, t))
        out["eps_t0"] = f32(run(x, t0.expand(rows)))
    xr = x.clone().requires_grad_(True)
    (g,) = torch.autograd.grad((run(xr, t0.expand(rows)) * cot).sum(), xr)
    out["grad_t0"] = f32(g)

    opt = torch.optim.AdamW(net.parameters(), lr=1e-2, weight_decay=0.1)
    opt.zero_grad(set_to_none=True)
    loss = ((run(x, t) - eps) ** 2).mean()
    loss.backward()
    out["loss"] = f32(loss.reshape(1))
    out.update({f"grad:{n}": f32(p.grad) for n, p in net.named_parameters()})
    opt.step()
    out.update({f"adamw:{n}": f32(p) for n, p in net.named_parameters()})
    np.savez("small.npz", **out)
    n = sum(p.numel() for p in net.parameters())
    print(f"small.npz: {n} parameters, torch {torch.__version__}")


if __name__ == "__main__":
    main()
