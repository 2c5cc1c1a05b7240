import sys, re, collections
def load(p):
    out = collections.Counter(); name = None
    for line in open(p):
        if re.match(r'^[0-9a-f]+-[0-9a-f]+ ', line):
            parts = line.split()
            path = parts[5] if len(parts) > 5 else '[anon]'
            if path.startswith('/'):
                path = path.rsplit('/', 1)[-1]
            name = path
        elif line.startswith('Rss:'):
            out[name] += int(line.split()[1])
    return out
a, b = load(sys.argv[1]), load(sys.argv[2])
print(f"total {sum(a.values())/1024:.1f} -> {sum(b.values())/1024:.1f} MiB")
for k in sorted(set(a) | set(b), key=lambda k: -(b[k] - a[k]))[:12]:
    print(f"  {k:50s} {a[k]/1024:8.1f} -> {b[k]/1024:8.1f}  ({(b[k]-a[k])/1024:+.1f})")
