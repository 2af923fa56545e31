"""Shared plumbing for the benchmark peers (run by `npm run bench`, scripts/bench.ts).

Inputs come from the folder the bench writes (manifest.json + raw little-endian arrays), so the peers and the
TypeScript side time the SAME data. Each peer prints ONE line of JSON on stdout: {"ok": true, "results": {...}}
or {"ok": false, "error": "..."}; logs go to stderr.
"""
import json
import os
import sys
import time

import numpy as np


def args():
    import argparse
    p = argparse.ArgumentParser()
    p.add_argument('--inputs', required=True, help='folder with manifest.json written by scripts/bench.ts')
    p.add_argument('--tasks', default='', help='comma-separated task names')
    p.add_argument('--steps', type=int, default=20)
    p.add_argument('--warmup', type=int, default=5)
    p.add_argument('--repeats', type=int, default=1, help='repeats of the slow (non-step) tasks')
    p.add_argument('--threads', type=int, default=os.cpu_count() or 1)
    return p.parse_args()


def load(folder, name):
    with open(os.path.join(folder, 'manifest.json')) as f:
        man = json.load(f)
    e = man[name]
    arr = np.fromfile(os.path.join(folder, e['file']), dtype=e['dtype'])
    return arr.reshape(e['shape'])


def manifest(folder):
    with open(os.path.join(folder, 'manifest.json')) as f:
        return json.load(f)


def time_steps(step, steps, warmup):
    """Calls step() warmup times, then `steps` timed calls; returns the list of milliseconds."""
    for _ in range(warmup):
        step()
    out = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        out.append((time.perf_counter() - t0) * 1000.0)
    return out


def emit(results, info=None):
    sys.stdout.write(json.dumps({'ok': True, 'results': results, 'info': info or {}}) + '\n')
    sys.stdout.flush()


def fail(msg):
    sys.stdout.write(json.dumps({'ok': False, 'error': msg}) + '\n')
    sys.stdout.flush()
    sys.exit(0)
