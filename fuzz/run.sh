#!/usr/bin/env bash
# Runs one SharpFuzz target under AFL++ for a fixed time and prints the exec count and result.
#   fuzz/run.sh TARGET SECONDS        e.g. fuzz/run.sh rtp-packet 600
#   fuzz/run.sh list                  names of the targets
# Installs its own prerequisites: AFL++ (Debian package afl++) and the SharpFuzz instrumenter
# (the local dotnet tool pinned in .config/dotnet-tools.json). Seeds come from fuzz/corpus/TARGET;
# findings go to fuzz/out/TARGET/findings (crashes/ and hangs/ hold the inputs to replay with the
# uninstrumented copy: `dotnet fuzz/out/TARGET/plain/RtcStack.Fuzz.dll TARGET --replay FILE`).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prereqs.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
command -v dotnet >/dev/null || { echo "error: the .NET 10 SDK (dotnet) is required" >&2; exit 1; }

usage() { echo "usage: fuzz/run.sh TARGET SECONDS   (fuzz/run.sh list shows the targets)" >&2; exit 2; }
[ $# -ge 1 ] || usage
target=$1

out=fuzz/out/${target}
bin=$out/bin
build() {
  rm -rf "$bin"
  dotnet publish fuzz/RtcStack.Fuzz/RtcStack.Fuzz.csproj -c Release -o "$bin" -nologo -v quiet
}

if [ "$target" = list ]; then
  out=fuzz/out/list; bin=$out/bin; build
  dotnet "$bin/RtcStack.Fuzz.dll" list
  exit 0
fi
[ $# -eq 2 ] || usage
seconds=$2
[[ "$seconds" =~ ^[0-9]+$ ]] && [ "$seconds" -gt 0 ] || { echo "error: SECONDS must be a positive whole number" >&2; exit 2; }

ensure_packages afl++
dotnet tool restore >/dev/null

build
if ! dotnet "$bin/RtcStack.Fuzz.dll" list | grep -qx "$target"; then
  echo "error: no fuzz target '$target'; the targets are:" >&2
  dotnet "$bin/RtcStack.Fuzz.dll" list >&2
  exit 2
fi

# Keep an uninstrumented copy for replaying findings: instrumented code writes to AFL's shared
# coverage map and fails with an access violation when run outside afl-fuzz.
plain=$out/plain
rm -rf "$plain"
cp -r "$bin" "$plain"

# Instrument every RtcStack library in the published folder (the fuzz host itself stays plain):
# SharpFuzz rewrites the IL so that each branch updates AFL's shared coverage map.
for dll in "$bin"/RtcStack.*.dll; do
  [ "$(basename "$dll")" = RtcStack.Fuzz.dll ] && continue
  dotnet tool run sharpfuzz "$dll" >/dev/null
done

corpus=fuzz/corpus/$target
if [ ! -d "$corpus" ] || [ -z "$(ls -A "$corpus" 2>/dev/null)" ]; then
  echo "warning: no seeds in $corpus; starting from a single empty-ish input" >&2
  corpus=$out/seed
  mkdir -p "$corpus"
  printf 'x' >"$corpus/empty"
fi

findings=$out/findings
rm -rf "$findings"
echo "fuzzing $target for $seconds s (AFL++ $(afl-fuzz -h 2>&1 | grep -o 'afl-fuzz++[0-9.a-z]*' | head -1 | sed 's/afl-fuzz++//'), seeds: $corpus)"
# AFL_SKIP_BIN_CHECK: the target is `dotnet`, instrumented by SharpFuzz rather than afl-cc.
# AFL_NO_AFFINITY: the machine is shared; do not insist on a free core.
# AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES / AFL_SKIP_CPUFREQ: no root-only kernel tuning needed.
set +e
AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 \
AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
  afl-fuzz -i "$corpus" -o "$findings" -V "$seconds" -t 5000 -m none \
  -- "$(command -v dotnet)" "$bin/RtcStack.Fuzz.dll" "$target" >"$out/afl.log" 2>&1
afl_status=$?
set -e

stats=$findings/default/fuzzer_stats
if [ ! -f "$stats" ] || [ "$(awk -F' *: *' '$1 == "execs_done" { print $2 }' "$stats")" = 0 ]; then
  echo "error: afl-fuzz did not start (exit $afl_status); the last lines of $out/afl.log:" >&2
  tail -n 25 "$out/afl.log" >&2
  exit 1
fi

stat() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
execs=$(stat execs_done)
run_time=$(stat run_time)
speed=$(stat execs_per_sec)
paths=$(stat corpus_count)
crashes=$(stat saved_crashes)
hangs=$(stat saved_hangs)
[ -n "$crashes" ] || crashes=$(stat unique_crashes)
[ -n "$hangs" ] || hangs=$(stat unique_hangs)

echo "$target: ${execs} execs in ${run_time} s (${speed}/s), corpus ${paths}, crashes ${crashes}, hangs ${hangs}"
if [ "${crashes:-0}" -gt 0 ] || [ "${hangs:-0}" -gt 0 ]; then
  echo "FINDINGS in $findings/default/crashes and $findings/default/hangs" >&2
  # Replay the first of each in-process on the uninstrumented build: a crash shows its exception
  # and stack; a hang that finishes at once here was a timeout of a loaded machine, not a loop.
  for kind in crashes hangs; do
    first=$(ls "$findings/default/$kind"/id:* 2>/dev/null | head -1 || true)
    [ -n "$first" ] || continue
    echo "first of $kind, input (hex): $(od -An -tx1 -v "$first" | tr -d ' \n' | head -c 2000)" >&2
    start=$(date +%s.%N)
    timeout 60 dotnet "$plain/RtcStack.Fuzz.dll" "$target" --replay "$first" >&2 || echo "replay exit $?" >&2
    echo "replay took $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s" >&2
  done
  exit 1
fi
echo "result: no crashes, no hangs"
