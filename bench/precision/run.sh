#!/usr/bin/env bash
# The precision benchmark: runs Sluice's analyzers over the real-code corpus (ten open-source codebases pinned in the
# trust folder's corpus.tsv) with every rule at warning, and scores the findings against the verdicts read by hand —
# the trust folder's verdicts.tsv plus this folder's verdicts/*.tsv (our judgments of the findings the rules report
# since; where both judge a finding, ours wins). Not part of CI: the corpus needs the repositories' mirrors.
#
# usage: bench/precision/run.sh [--only SLU201,SLU202] [--out DIR] [--baseline DIR] [--dll Sluice.Analyzers.dll] [--record]
#   TRUST    the trust folder (default: ../shared/trust beside the repository): corpus.tsv, layout.sh, analyze-folder, score.py
#   CORPUS   where the corpus is laid out (default: ../precision-corpus beside the repository)
#   MIRRORS  a folder of bare mirrors, MIRRORS/<owner>+<name>/repo; needed only the first time, to lay the corpus out
#   --only   analyze these rules only (faster); the score still covers every rule's verdicts
#   --out    where results go (default: a new folder under /tmp)
#   --baseline  a previous --out folder: findings not reported there are listed in DIR/new.tsv (to judge), and judged
#            findings reported there but not any more in DIR/gone.tsv
#   --dll    score this analyzer assembly instead of building src/Analyzers in Release
#   --record write the per-rule figures to bench/precision/measured.tsv (a full run: not with --only), which the README's
#            rule table and the analysis modes' rule sets are checked against
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
trust=${TRUST:-$repo/../shared/trust}
corpus=${CORPUS:-$repo/../precision-corpus}
only="" out="" baseline="" dll="" record=""
while (($#)); do
  case $1 in
    --only) only=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --baseline) baseline=$2; shift 2 ;;
    --dll) dll=$2; shift 2 ;;
    --record) record=1; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
[[ -f $trust/corpus.tsv ]] || { echo "no trust folder at $trust (set TRUST)" >&2; exit 1; }
out=${out:-$(mktemp -d /tmp/sluice-precision.XXXXXX)}
mkdir -p "$out/results"

if [[ ! -x $corpus/analyze-folder/analyze-folder ]]; then
  [[ -n ${MIRRORS:-} ]] || { echo "the corpus is not laid out at $corpus: set MIRRORS to a folder of mirrors (see $trust/README.md)" >&2; exit 1; }
  "$trust/layout.sh" "$MIRRORS" "$corpus"
fi

if [[ -z $dll ]]; then
  dotnet build "$repo/src/Analyzers" -c Release -o "$out/analyzers" -nologo -v q >/dev/null
  dll=$out/analyzers/Sluice.Analyzers.dll
fi

# jellyfin's own build references SQLite and no network database (its one provider calls UseSqlite), and SLU303 reads
# that from the references; the shared folder has Npgsql and SqlClient and no SQLite, so jellyfin gets a copy of it with
# the network providers swapped for EF Core's SQLite provider (restored once, from the package registry).
if [[ ! -d $corpus/refs-jellyfin ]]; then
  restore=$(mktemp -d)
  printf '%s\n' '<Project Sdk="Microsoft.NET.Sdk">' \
    '  <PropertyGroup><TargetFramework>net10.0</TargetFramework><NoWarn>NU1603;NU1608;NU1701</NoWarn></PropertyGroup>' \
    '  <ItemGroup><PackageReference Include="Microsoft.EntityFrameworkCore.Sqlite" Version="10.0.14" /></ItemGroup>' \
    '</Project>' > "$restore/refs-jellyfin.csproj"
  dotnet publish "$restore/refs-jellyfin.csproj" -c Release -o "$restore/out" -nologo -v q >/dev/null
  mkdir -p "$corpus/refs-jellyfin.tmp"
  cp "$corpus/refs"/*.dll "$corpus/refs-jellyfin.tmp/"
  rm -f "$corpus/refs-jellyfin.tmp"/Npgsql* "$corpus/refs-jellyfin.tmp"/Microsoft.Data.SqlClient* "$corpus/refs-jellyfin.tmp"/Microsoft.EntityFrameworkCore.SqlServer*
  cp "$restore/out"/Microsoft.Data.Sqlite.dll "$restore/out"/Microsoft.EntityFrameworkCore.Sqlite.dll "$restore/out"/SQLitePCLRaw.*.dll "$corpus/refs-jellyfin.tmp/"
  mv "$corpus/refs-jellyfin.tmp" "$corpus/refs-jellyfin"
  rm -rf "$restore"
fi

aspnet=$(dotnet --list-runtimes | awk '/^Microsoft.AspNetCore.App / {v=$2; p=$3} END {gsub(/[][]/, "", p); if (v != "") print p "/" v}')
while IFS=$'\t' read -r name _ _; do
  [[ $name == \#* || -z $name ]] && continue
  name=${name#*/}; refs=$corpus/refs; [[ $name == quartznet ]] && refs=$corpus/refs-noquartz
  [[ $name == jellyfin ]] && refs=$corpus/refs-jellyfin
  "$corpus/analyze-folder/analyze-folder" --src "$corpus/$name" --analyzers "$dll" --refs "$refs${aspnet:+,$aspnet}" \
    --out "$out/results/$name.json" ${only:+--only "$only"} --all-warnings
done < "$trust/corpus.tsv"

python3 "$repo/bench/precision/verdicts.py" merge "$trust/verdicts.tsv" "$repo/bench/precision/verdicts" > "$out/verdicts.tsv"
python3 "$trust/score.py" "$out/results" --verdicts "$out/verdicts.tsv" | tee "$out/score.txt" || true
if [[ -n $record ]]; then
  [[ -z $only ]] || { echo "--record needs a full run (no --only)" >&2; exit 2; }
  python3 "$repo/bench/precision/verdicts.py" record "$out/score.txt" "$repo/bench/precision/measured.tsv"
fi
if [[ -n $baseline ]]; then
  python3 "$repo/bench/precision/verdicts.py" diff "$baseline/results" "$out/results" "$out/verdicts.tsv" "$out" ${only:+--only "$only"}
fi
echo "results in $out"
