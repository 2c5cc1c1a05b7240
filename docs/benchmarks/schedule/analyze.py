import json, os, statistics, sys
D = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))   # the reports: here, or the directory given
T = 4.302652729911275  # Student's t, 0.975, 2 degrees of freedom
S = ['constant', 'cosine', 'constant-then-cosine']
def load(sc, e, s):
    p = f'{D}/{sc}-{e}-{s}.json'
    return json.load(open(p)) if os.path.exists(p) else None
def per_seed(r, key):
    # mean accuracy over (task, level) of each seed's run, in points
    return {run['seed']: 100 * statistics.mean(l['accuracy'] for l in run[key]['levels']) for run in r['runs']}
def paired(a, b):
    d = [a[k] - b[k] for k in sorted(a)]
    m = statistics.mean(d); h = T * statistics.stdev(d) / len(d) ** 0.5
    return m, m - h, m + h, d
for sc in (sys.argv[2].split(',') if len(sys.argv) > 2 else ['fmnist-3tasks', 'fmnist-4tasks']):   # e.g. fmnist-3tasks-cnn for the CNN reports
    print(f'## {sc}')
    print('| epochs | DVN constant | DVN cosine | DVN constant-then-cosine | new - constant [95%] | new - cosine [95%] | DVN - independent: constant / cosine / new |')
    print('|---|---:|---:|---:|---:|---:|---|')
    for e in ['quick', '1', '3', '5', '10']:
        rs = {s: load(sc, e, s) for s in S}
        if any(r is None for r in rs.values()):
            print(f'| {e} | (missing: {[s for s in S if rs[s] is None]}) |'); continue
        dv = {s: per_seed(rs[s], 'dvn') for s in S}
        mean = {s: statistics.mean(dv[s].values()) for s in S}
        a = paired(dv['constant-then-cosine'], dv['constant']); b = paired(dv['constant-then-cosine'], dv['cosine'])
        gap = ' / '.join(f"{rs[s]['meanDifference']['mean']:+.2f} [{rs[s]['meanDifference']['low']:+.2f}, {rs[s]['meanDifference']['high']:+.2f}]" for s in S)
        print(f"| {e} | {mean['constant']:.2f} | {mean['cosine']:.2f} | {mean['constant-then-cosine']:.2f} | {a[0]:+.2f} [{a[1]:+.2f}, {a[2]:+.2f}] | {b[0]:+.2f} [{b[1]:+.2f}, {b[2]:+.2f}] | {gap} |")
