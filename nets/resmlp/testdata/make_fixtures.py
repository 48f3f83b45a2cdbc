"""Make the PyTorch reference fixtures of package resmlp's tests.

Run from this directory with Debian's python3-torch and python3-numpy:

    /usr/bin/python3 make_fixtures.py

For each configuration below it builds the local score network of
docs/method.md §2.3-2.5 (the README's PyTorch module, generalised to any
state dimension and sizes) with the parameter names of sdapipe's resmlp
package, fills it with torch's default initialisation under a fixed seed,
and writes NAME.npz (uncompressed, one '<f4' array per member):

    param:<name>        every parameter, in module order
    x, t, t0, w         inputs: windows (rows, F), per-row times (rows),
                        one time (1), a cotangent (rows, F)
    eps_rows            net(x, t)
    eps_t0              net(x, t0 for every row)
    grad_t0             d/dx sum(net(x, t0) * w)
    xt, eps             a training batch (x_t and its noise)
    loss                mean((net(xt, t) - eps)^2) at the initial weights
    grad:<name>         d loss / d parameter at the initial weights
    adamw:<name>        parameters after 3 AdamW steps (lr 1e-2, weight
                        decay 0.1) on that same batch
"""
import numpy as np
import torch
import torch.nn as nn


class LayerNorm(nn.Module):
    def forward(self, x):
        var, mean = torch.var_mean(x, dim=-1, unbiased=True, keepdim=True)
        return (x - mean) / torch.sqrt(var + 1e-5)


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.ln, self.l1, self.l2 = LayerNorm(), nn.Linear(d, d), nn.Linear(d, d)

    def forward(self, h):
        return h + self.l2(torch.nn.functional.silu(self.l1(self.ln(h))))


class Embed(nn.Module):
    def __init__(self, freqs, hidden, emb):
        super().__init__()
        self.l1, self.l2 = nn.Linear(2 * freqs, hidden), nn.Linear(hidden, emb)

    def forward(self, f):
        return self.l2(torch.nn.functional.silu(self.l1(f)))


class LocalScore(nn.Module):
    def __init__(self, features, width, depth, emb, hidden, freqs):
        super().__init__()
        self.freqs = torch.pi * torch.arange(1, freqs + 1, dtype=torch.float32)
        self.embed = Embed(freqs, hidden, emb)
        self.input = nn.Linear(features + emb, width)
        self.blocks = nn.ModuleList([Block(width) for _ in range(depth)])
        self.output = nn.Linear(width, features)
        self.out_block = Block(features)

    def forward(self, x, t):
        ft = t[:, None] * self.freqs
        e = self.embed(torch.cat([ft.cos(), ft.sin()], dim=-1))
        h = self.input(torch.cat([x, e], dim=-1))
        for b in self.blocks:
            h = b(h)
        return self.out_block(self.output(h))


CONFIGS = {
    # name: (state dim, window, width, depth, embed, embed hidden, freqs, rows)
    "small": (3, 5, 32, 2, 8, 16, 16, 7),
    "d2": (2, 3, 24, 1, 4, 8, 4, 5),
}


def f32(a):
    # Copy: numpy() shares memory with the tensor, which training changes later.
    return np.array(a.detach().numpy() if torch.is_tensor(a) else a, dtype="<f4", copy=True)


def make(name, dim, window, width, depth, emb, hidden, freqs, rows):
    torch.manual_seed(1234)
    feat = dim * window
    net = LocalScore(feat, width, depth, emb, hidden, freqs)
    out = {f"param:{k}": f32(v) for k, v in net.named_parameters()}
    rng = np.random.default_rng(99)
    x = torch.from_numpy(rng.standard_normal((rows, feat)).astype(np.float32))
    t = torch.from_numpy(rng.uniform(0, 1, rows).astype(np.float32))
    t0 = torch.tensor([0.3], dtype=torch.float32)
    w = torch.from_numpy(rng.standard_normal((rows, feat)).astype(np.float32))
    out.update(x=f32(x), t=f32(t), t0=f32(t0), w=f32(w))
    with torch.no_grad():
        out["eps_rows"] = f32(net(x, t))
        out["eps_t0"] = f32(net(x, t0.expand(rows)))
    xr = x.clone().requires_grad_(True)
    (g,) = torch.autograd.grad((net(xr, t0.expand(rows)) * w).sum(), xr)
    out["grad_t0"] = f32(g)

    xt = torch.from_numpy(rng.standard_normal((rows, feat)).astype(np.float32))
    eps = torch.from_numpy(rng.standard_normal((rows, feat)).astype(np.float32))
    out.update(xt=f32(xt), eps=f32(eps))
    loss = ((net(xt, t) - eps) ** 2).mean()
    loss.backward()
    out["loss"] = f32(loss.reshape(1))
    out.update({f"grad:{k}": f32(v.grad) for k, v in net.named_parameters()})

    opt = torch.optim.AdamW(net.parameters(), lr=1e-2, weight_decay=0.1)
    for _ in range(3):
        opt.zero_grad(set_to_none=True)
        ((net(xt, t) - eps) ** 2).mean().backward()
        opt.step()
    out.update({f"adamw:{k}": f32(v) for k, v in net.named_parameters()})
    np.savez(f"{name}.npz", **out)
    n = sum(p.numel() for p in net.parameters())
    print(f"{name}.npz: {n} parameters, torch {torch.__version__}")


if __name__ == "__main__":
    for name, cfg in CONFIGS.items():
        make(name, *cfg)
