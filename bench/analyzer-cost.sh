#!/usr/bin/env bash
# The analyzers' cost on real code, as issue 11 measures it: the trust folder's corpus runner with --time-compile on one
# repository of the corpus (default severities), Sluice's summed analyzer telemetry divided by the time binding the same
# code takes without analyzers, over several fresh processes, with the median. Not part of CI: the corpus needs the
# repositories' mirrors (lay it out once with bench/precision/run.sh).
#
# The telemetry is wall-clock time per callback, summed over threads: a callback preempted by another thread keeps its
# clock running, so on a machine with few cores the sum grows with the thread pool's size, which the runtime picks per
# process. --max-threads caps the pool (at the core count, the sum is close to the work done); see bench/README.md.
#
# usage: bench/analyzer-cost.sh [--repo jellyfin] [--runs 3] [--max-threads N] [--dll Sluice.Analyzers.dll]
#   CORPUS   where the corpus is laid out (default: ../precision-corpus beside the repository)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
corpus=${CORPUS:-$repo/../precision-corpus}
name=jellyfin runs=3 max_threads="" dll=""
while (($#)); do
  case $1 in
    --repo) name=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --max-threads) max_threads=$2; shift 2 ;;
    --dll) dll=$2; shift 2 ;;
    *) echo "unknown argument: $1 (see the usage at the top of $0)" >&2; exit 2 ;;
  esac
done
[[ -x $corpus/analyze-folder/analyze-folder ]] || { echo "no corpus at $corpus: lay it out with bench/precision/run.sh (MIRRORS=...) or set CORPUS" >&2; exit 1; }
[[ -d $corpus/$name ]] || { echo "no repository '$name' in $corpus (see the trust folder's corpus.tsv)" >&2; exit 1; }
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "--runs takes a positive whole number, not '$runs'" >&2; exit 2; }
[[ -z $max_threads || $max_threads =~ ^[1-9][0-9]*$ ]] || { echo "--max-threads takes a positive whole number, not '$max_threads'" >&2; exit 2; }

out=$(mktemp -d /tmp/sluice-cost.XXXXXX)
if [[ -z $dll ]]; then
  dotnet build "$repo/src/Analyzers" -c Release -o "$out/analyzers" -nologo -v q >/dev/null
  dll=$out/analyzers/Sluice.Analyzers.dll
fi

# The same references as the corpus runner's precision runs get, except jellyfin's SQLite swap: the issue's figures were
# taken against the shared reference folder.
refs=$corpus/refs; [[ $name == quartznet ]] && refs=$corpus/refs-noquartz
aspnet=$(dotnet --list-runtimes | awk '/^Microsoft.AspNetCore.App / {v=$2; p=$3} END {gsub(/[][]/, "", p); if (v != "") print p "/" v}')
pool="as the runtime decides"; [[ -n $max_threads ]] && pool="capped at $max_threads threads"
echo "$name, $runs run(s), thread pool $pool, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq 1 "$runs"); do
  ${max_threads:+env DOTNET_ThreadPool_ForceMaxWorkerThreads=$max_threads} \
    "$corpus/analyze-folder/analyze-folder" --src "$corpus/$name" --analyzers "$dll" --refs "$refs${aspnet:+,$aspnet}" \
    --out "$out/run-$i.json" --time-compile >/dev/null
done
python3 - "$out" "$runs" <<'EOF'
import json, statistics, sys
folder, runs = sys.argv[1], int(sys.argv[2])
ratios = []
for i in range(1, runs + 1):
    report = json.load(open(f"{folder}/run-{i}.json"))
    telemetry = sum(t["ms"] for t in report["times"])
    ratios.append(telemetry / report["compileMs"])
    print(f"run {i}: Sluice telemetry {telemetry:,.0f} ms, binding {report['compileMs']:,.0f} ms, ratio {ratios[-1]:.3f}")
print(f"median ratio {statistics.median(ratios):.3f} over {runs} run(s); reports in {folder}")
EOF
