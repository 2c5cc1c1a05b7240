import json, sys, datetime
M = 1048576
for n in sys.argv[1:]:
    rows = []
    for l in open(f'health-{n}.log'):
        t, j = l.split(' ', 1)
        try: rows.append((datetime.datetime.strptime(t, '%H:%M:%S'), json.loads(j)))
        except Exception: pass
    t0 = rows[0][0]
    def at(sec):
        return min(rows, key=lambda r: abs((r[0] - t0).total_seconds() - sec))[1]
    try:
        r = json.load(open(f'soak-{n}.json')); req = sum(x['requests'] for x in r['service']); fail = sum(x['failures'] for x in r['service'])
        end = 600
    except Exception:
        req = fail = None; end = 600
    b = at(30)['residentBytes']
    pts = {s: at(s) for s in (0, 30, 120, 290, 330, 450, end)}
    print(n, ' '.join(f"{s}s {p['residentBytes']/M:.1f}" for s, p in pts.items()), f"| 30s->290s {100*(at(290)['residentBytes']/b-1):+.1f}% 30s->end {100*(at(end)['residentBytes']/b-1):+.1f}%",
          f"native 30s {(b-at(30)['managedCommittedBytes'])/M:.1f} end {(at(end)['residentBytes']-at(end)['managedCommittedBytes'])/M:.1f}", f"requests {req} failed {fail}")
