"""scikit-learn peer: IsolationForest (100 trees) and RandomForestClassifier (50 trees) on the outlier set.

X (5124 x 784) and y (1 = outlier, i.e. not the inlier digit) come from the bench's folder.
IsolationForest: fit on all of X (unsupervised), predict all; F1 of the outlier class (contamination = the
true outlier fraction, as a fair best case). RandomForest: fit on the even rows, predict the odd rows;
accuracy and F1 of the outlier class.
"""
import os
import sys
import time
sys.path.insert(0, os.path.dirname(__file__))
from common import args, load, emit, fail  # noqa: E402

a = args()
try:
    import numpy as np
    import sklearn
    from sklearn.ensemble import IsolationForest, RandomForestClassifier
    from sklearn.metrics import f1_score, accuracy_score
except Exception as e:  # noqa: BLE001
    fail(f'scikit-learn not importable: {e}')

X = load(a.inputs, 'outlier_X').astype(np.float32)
y = load(a.inputs, 'outlier_y').astype(np.int32)


def iforest():
    times, f1 = [], None
    for r in range(a.repeats):
        t0 = time.perf_counter()
        m = IsolationForest(n_estimators=100, contamination=float(y.mean()), random_state=r, n_jobs=a.threads)
        pred = (m.fit(X).predict(X) == -1).astype(np.int32)
        times.append((time.perf_counter() - t0) * 1000.0)
        f1 = float(f1_score(y, pred))
    return {'times_ms': times, 'f1': f1}


def rforest():
    tr, te = np.arange(0, len(y), 2), np.arange(1, len(y), 2)
    times, acc, f1 = [], None, None
    for r in range(a.repeats):
        t0 = time.perf_counter()
        m = RandomForestClassifier(n_estimators=50, random_state=r, n_jobs=a.threads)
        pred = m.fit(X[tr], y[tr]).predict(X[te])
        times.append((time.perf_counter() - t0) * 1000.0)
        acc, f1 = float(accuracy_score(y[te], pred)), float(f1_score(y[te], pred))
    return {'times_ms': times, 'accuracy': acc, 'f1': f1}


results = {}
for task in [t for t in a.tasks.split(',') if t]:
    try:
        results[task] = {'iforest': iforest, 'rforest': rforest}[task]()
    except Exception as e:  # noqa: BLE001
        results[task] = {'error': f'{type(e).__name__}: {e}'}
emit(results, {'framework': f'scikit-learn {sklearn.__version__}', 'n_jobs': a.threads})
