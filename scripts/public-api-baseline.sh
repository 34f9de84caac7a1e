#!/usr/bin/env bash
# Writes the public API baselines (PublicAPI.Shipped.txt, PublicAPI.Unshipped.txt) of the libraries under src/.
#
#   scripts/public-api-baseline.sh [--shipped] [LIBRARY ...]     LIBRARY: RtcStack.Srtp (default: every library)
#
# The entries are the analyzer's own: Microsoft.CodeAnalysis.PublicApiAnalyzers reports each public symbol missing
# from both files as RS0016 with the exact line it expects ("Symbol '<entry>' is not part of the declared public
# API"), and each listed entry whose symbol is gone as RS0017. Its code fix, which writes those lines in an IDE, is
# not available from the command line, so this script builds the libraries with those diagnostics as warnings
# (not errors), reads them from the build log and edits the files:
#   default     adds every RS0016 entry to PublicAPI.Unshipped.txt and removes from it every RS0017 entry: run it
#               after an intended API change, then review the diff (`git diff -- '*PublicAPI*'`). A gone entry of
#               PublicAPI.Shipped.txt is reported and kept: removing shipped API is a breaking change, and the
#               analyzer's convention for it is a "*REMOVED*<entry>" line in PublicAPI.Unshipped.txt, by hand.
#   --shipped   starts the baseline afresh: both files are emptied and every public symbol goes to
#               PublicAPI.Shipped.txt (done once for issue 18; at a release, to move Unshipped into Shipped).
# Exits non-zero if the build fails for another reason, or if an RS0016/RS0017 is still reported after the edit.
set -euo pipefail
cd "$(dirname "$0")/.."

shipped=0
libs=()
for a in "$@"; do
  case "$a" in
    --shipped) shipped=1 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) libs+=("$(basename "${a%/}")") ;;
  esac
done
if [ ${#libs[@]} -eq 0 ]; then
  # Every project under src/ but the executables (the rtcstack tool) and those that opt out of the baseline.
  for f in src/*/*.csproj; do
    grep -qE '<OutputType>Exe</OutputType>|<RtcStackPublicApi>false</RtcStackPublicApi>' "$f" || libs+=("$(basename "$f" .csproj)")
  done
fi
for l in "${libs[@]}"; do
  [ -f "src/$l/$l.csproj" ] || { echo "error: no library src/$l" >&2; exit 2; }
done

header='#nullable enable'
for l in "${libs[@]}"; do
  for f in Shipped Unshipped; do
    p="src/$l/PublicAPI.$f.txt"
    if [ $shipped -eq 1 ] || [ ! -f "$p" ]; then printf '%s\n' "$header" > "$p"; fi
  done
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
log=$(mktemp)
mkdir -p artifacts
slnf=artifacts/public-api-baseline.slnf
trap 'rm -f "$log" "$slnf"' EXIT
# One build of the selected libraries (a solution filter), so a library shared by several is compiled once.
{
  echo '{"solution":{"path":"../RtcStack.sln","projects":['
  for l in "${libs[@]}"; do echo "\"src/$l/$l.csproj\""; done | paste -sd, -
  echo ']}}'
} > "$slnf"

# A full compile (no incremental skip, so every diagnostic is reported again), RS0016/RS0017 as warnings.
if ! dotnet build "$slnf" -c Release --no-incremental -nologo -tl:off -v minimal \
    -p:TreatWarningsAsErrors=false -p:WarningsAsErrors= > "$log" 2>&1; then
  grep -E ': error ' "$log" | sort -u | head -40 >&2
  echo "error: the build failed for a reason other than the API baseline (above)" >&2
  exit 1
fi

python3 - "$log" "$shipped" "${libs[@]}" <<'PY'
import os, re, sys
log, shipped, libs = sys.argv[1], sys.argv[2] == "1", sys.argv[3:]
missing = re.compile(r": (?:warning|error) RS0016: Symbol '(.*)' is not part of the declared public API.*\[(.*?\.csproj)")
gone = re.compile(r": (?:warning|error) RS0017: Symbol '(.*)' is part of the declared API, but is either not public or could not be found.*\[(.*?\.csproj)")
add = {l: set() for l in libs}
drop = {l: set() for l in libs}
for line in open(log, encoding="utf-8", errors="replace"):
    for rx, into in ((missing, add), (gone, drop)):
        m = rx.search(line)
        if m:
            lib = os.path.splitext(os.path.basename(m.group(2)))[0]
            if lib in into:
                into[lib].add(m.group(1))

def read(path):
    with open(path, encoding="utf-8") as f:
        return [l.rstrip("\n") for l in f if l.strip() and l.strip() != "#nullable enable"]

def write(path, entries):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("#nullable enable\n")
        for e in sorted(set(entries), key=lambda s: (s.removeprefix("*REMOVED*"), s)):
            f.write(e + "\n")

for lib in libs:
    shipped_path = f"src/{lib}/PublicAPI.Shipped.txt"
    unshipped_path = f"src/{lib}/PublicAPI.Unshipped.txt"
    if shipped:
        write(shipped_path, add[lib])
        write(unshipped_path, [])
        print(f"{lib}: {len(add[lib])} entries in PublicAPI.Shipped.txt")
        continue
    old = read(unshipped_path)
    kept = [e for e in old if e not in drop[lib]]
    write(unshipped_path, kept + sorted(add[lib]))
    stale_shipped = sorted(e for e in drop[lib] if e in set(read(shipped_path)))
    print(f"{lib}: +{len(add[lib])} -{len(old) - len(kept)} in PublicAPI.Unshipped.txt")
    for e in stale_shipped:
        print(f"  shipped entry gone (breaking; mark it *REMOVED* in PublicAPI.Unshipped.txt if intended): {e}")
PY

# The files must now describe the API exactly: rebuild with the baseline's diagnostics as errors again.
if ! dotnet build "$slnf" -c Release -nologo -tl:off -v minimal > "$log" 2>&1; then
  grep -E ': error ' "$log" | sort -u | head -40 >&2
  echo "error: the libraries still fail to build with the new baseline (above)" >&2
  exit 1
fi
echo "public API baselines written; review them with: git diff -- 'src/*/PublicAPI.*.txt'"
