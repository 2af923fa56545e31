"""PyTorch peer: the MLP autoencoder step and the convolutional RDAE step (Li et al. Table 3).

Same shapes, loss, optimizer and batch as the TypeScript rows; inputs read from the bench's folder.
"""
import sys
import os
import time
sys.path.insert(0, os.path.dirname(__file__))
from common import args, load, time_steps, emit, fail  # noqa: E402

a = args()
try:
    import torch
    from torch import nn
except Exception as e:  # noqa: BLE001
    fail(f'torch not importable: {e}')

torch.set_num_threads(a.threads)
torch.set_num_interop_threads(a.threads)
torch.manual_seed(0)
results = {}
tasks = [t for t in a.tasks.split(',') if t]


def mlp_step():
    x = torch.from_numpy(load(a.inputs, 'mlp_x').copy())
    sizes = [784, 512, 256, 49, 256, 512, 784]
    layers = []
    for i in range(len(sizes) - 1):
        layers += [nn.Linear(sizes[i], sizes[i + 1]), nn.Sigmoid()]
    model = nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.MSELoss()
    last = [0.0]

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), x)
        loss.backward()
        opt.step()
        last[0] = loss.item()
    t = time_steps(step, a.steps, a.warmup)
    return {'times_ms': t, 'loss': last[0]}


def conv_step():
    x = torch.from_numpy(load(a.inputs, 'conv_x').copy()).reshape(-1, 1, 28, 28)
    code = 30
    model = nn.Sequential(
        nn.Conv2d(1, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.LeakyReLU(0.2),
        nn.Conv2d(64, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
        nn.Conv2d(128, code, 7, 1, 0),
        nn.ConvTranspose2d(code, 128, 7, 1, 0), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
        nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.LeakyReLU(0.2),
        nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Sigmoid())
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    last = [0.0]

    def step():
        opt.zero_grad(set_to_none=True)
        loss = (model(x) - x).abs().mean()
        loss.backward()
        opt.step()
        last[0] = loss.item()
    t = time_steps(step, a.steps, a.warmup)
    return {'times_ms': t, 'loss': last[0]}


def glorot(i, o, g):
    lim = (6.0 / (i + o)) ** 0.5
    return nn.Parameter((torch.rand(i, o, generator=g) * 2 - 1) * lim)


def rda_outer():
    """One RDA outer iteration (see outer_common.md)."""
    X = torch.from_numpy(load(a.inputs, 'mnist5000').copy())
    N = X.shape[0]
    times, last = [], 0.0
    for r in range(a.repeats):
        g = torch.Generator().manual_seed(r)
        sizes = [784, 400, 200]
        W = [glorot(sizes[i], sizes[i + 1], g) for i in range(2)]
        be = [nn.Parameter(torch.zeros(sizes[i + 1])) for i in range(2)]
        bd = [nn.Parameter(torch.zeros(sizes[i])) for i in range(2)]

        def ae(h):
            for i in range(2):
                h = torch.sigmoid(h @ W[i] + be[i])
            for i in (1, 0):
                h = torch.sigmoid(h @ W[i].T + bd[i])
            return h
        t0 = time.perf_counter()
        S = torch.zeros_like(X)
        L = X - S
        opt = torch.optim.Adam(W + be + bd, lr=1e-3)
        for _ in range(5):
            tot = 0.0
            for s in range(0, N, 133):
                xb = L[s:s + 133]
                opt.zero_grad(set_to_none=True)
                loss = ((ae(xb) - xb) ** 2).mean()
                loss.backward()
                opt.step()
                tot += loss.item() * xb.shape[0]
            last = tot / N
        with torch.no_grad():
            L = ae(L)
            R = X - L
            norms = R.norm(dim=1, keepdim=True)
            t = 0.00095 * N
            S = R * torch.clamp(1 - t / torch.clamp(norms, min=1e-30), min=0)
            c1 = float((X - L - S).norm() / X.norm())
        times.append((time.perf_counter() - t0) * 1000.0)
    return {'times_ms': times, 'loss': last, 'c1': c1}


def rvae_outer():
    """One RVAE outer iteration (see outer_common.md)."""
    X = torch.from_numpy(load(a.inputs, 'mnist5000').copy())
    N = X.shape[0]
    times, last = [], 0.0
    mu_code = X.numel() / (4 * X.abs().sum(0).max().item())
    for r in range(a.repeats):
        torch.manual_seed(r)
        enc = nn.Sequential(nn.Linear(784, 512), nn.Sigmoid(), nn.Linear(512, 256), nn.Sigmoid())
        head_mu, head_lv = nn.Linear(256, 49), nn.Linear(256, 49)
        dec = nn.Sequential(nn.Linear(49, 256), nn.Sigmoid(), nn.Linear(256, 512), nn.Sigmoid(), nn.Linear(512, 784))
        params = list(enc.parameters()) + list(head_mu.parameters()) + list(head_lv.parameters()) + list(dec.parameters())
        opt = torch.optim.Adam(params, lr=1e-3)
        t0 = time.perf_counter()
        S = torch.zeros_like(X)
        L = X - S
        for _ in range(5):
            tot = 0.0
            for s in range(0, N, 200):
                xb = L[s:s + 200]
                opt.zero_grad(set_to_none=True)
                h = enc(xb)
                mu, lv = head_mu(h), head_lv(h)
                z = mu + torch.exp(0.5 * lv) * torch.randn_like(mu)
                logits = dec(z)
                recon = nn.functional.binary_cross_entropy_with_logits(logits, xb, reduction='none').sum(1)
                kl = -0.5 * (1 + lv - mu ** 2 - lv.exp()).sum(1)
                loss = (recon + kl).mean()
                loss.backward()
                opt.step()
                tot += loss.item() * xb.shape[0]
            last = tot / N
        with torch.no_grad():
            L = torch.sigmoid(dec(head_mu(enc(L))))
            R = X - L
            thr = 15 / mu_code
            S = torch.sign(R) * torch.clamp(R.abs() - thr, min=0)
        times.append((time.perf_counter() - t0) * 1000.0)
    return {'times_ms': times, 'loss': last}


for task in tasks:
    try:
        results[task] = {'mlp_step': mlp_step, 'conv_step': conv_step, 'rda_outer': rda_outer, 'rvae_outer': rvae_outer}[task]()
    except Exception as e:  # noqa: BLE001
        results[task] = {'error': f'{type(e).__name__}: {e}'}
emit(results, {'framework': f'PyTorch {torch.__version__}', 'threads': torch.get_num_threads(), 'interop_threads': torch.get_num_interop_threads()})
