#!/usr/bin/env python3
"""Helpers of the precision benchmark (run.sh).

verdicts.py merge SHARED.tsv OURS_DIR      prints one verdict file: the shared verdicts, then ours (ours win on the
                                           same repo, rule, file and line)
verdicts.py record SCORE_OUTPUT MEASURED.tsv
                                           keeps score.py's per-rule rows (findings, judged TPs kept, precision) in
                                           MEASURED.tsv, which the README table and the analysis modes are checked against
verdicts.py diff BASE_RESULTS NEW_RESULTS VERDICTS OUT [--only IDS]
                                           writes OUT/new.tsv (findings not in the baseline, with their verdict if one
                                           exists) and OUT/gone.tsv (judged findings no longer reported)
"""
import csv, glob, json, os, sys

COLUMNS = ['repo', 'rule', 'file', 'line', 'verdict', 'pattern', 'reason']


def read_verdicts(path):
    with open(path, newline='') as f:
        return [r for r in csv.DictReader(f, delimiter='\t') if r.get('repo') and not r['repo'].startswith('#')]


def key(row):
    return (row['repo'], row['rule'], row['file'], int(row['line']))


def findings(results, only):
    found = {}
    for path in sorted(glob.glob(os.path.join(results, '*.json'))):
        repo = os.path.basename(path)[:-5]
        for x in json.load(open(path))['results']:
            if x['id'].startswith('SLU') and (not only or x['id'] in only):
                found[(repo, x['id'], x['file'], x['line'])] = x
    return found


def main():
    if sys.argv[1] == 'merge':
        merged = {}
        for row in read_verdicts(sys.argv[2]):
            merged[key(row)] = row
        for path in sorted(glob.glob(os.path.join(sys.argv[3], '*.tsv'))):
            for row in read_verdicts(path):
                merged[key(row)] = row
        w = csv.DictWriter(sys.stdout, COLUMNS, delimiter='\t', extrasaction='ignore', lineterminator='\n')
        w.writeheader()
        for row in merged.values():
            w.writerow(row)
    elif sys.argv[1] == 'record':
        rows = []
        for line in open(sys.argv[2]):
            parts = line.split()
            if len(parts) == 7 and parts[0].startswith('SLU'):
                rule, now, tp, fp, noise, unjudged, precision = parts
                kept, judged = tp.split('/')
                rows.append([rule, now, kept, judged, precision])
        with open(sys.argv[3], 'w') as f:
            f.write('rule\tfindings\ttp_kept\ttp_judged\tprecision\n')
            for row in rows:
                f.write('\t'.join(row) + '\n')
    elif sys.argv[1] == 'diff':
        base, new, vfile, out = sys.argv[2:6]
        only = set(sys.argv[sys.argv.index('--only') + 1].split(',')) if '--only' in sys.argv else None
        verdicts = {key(r): r for r in read_verdicts(vfile)}
        before, after = findings(base, only), findings(new, only)
        with open(os.path.join(out, 'new.tsv'), 'w') as f:
            f.write('\t'.join(['repo', 'rule', 'file', 'line', 'verdict', 'message', 'code']) + '\n')
            for k in sorted(set(after) - set(before)):
                x = after[k]
                f.write('\t'.join([*map(str, k), verdicts.get(k, {}).get('verdict', ''), x['message'], x['code']]) + '\n')
        with open(os.path.join(out, 'gone.tsv'), 'w') as f:
            f.write('\t'.join(['repo', 'rule', 'file', 'line', 'verdict', 'pattern', 'reason']) + '\n')
            for k in sorted(set(before) - set(after)):
                if k in verdicts:
                    v = verdicts[k]
                    f.write('\t'.join([*map(str, k), v['verdict'], v.get('pattern', ''), v.get('reason', '')]) + '\n')
        print(f"{len(set(after) - set(before))} new findings (new.tsv), {sum(1 for k in set(before) - set(after) if k in verdicts)} judged findings gone (gone.tsv)")


if __name__ == '__main__':
    main()
