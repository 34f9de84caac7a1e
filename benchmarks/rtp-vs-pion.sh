#!/usr/bin/env bash
# RTP, RTCP and STUN parse and write: RtcStack (BenchmarkDotNet: benchmarks/RtcStack.Benchmarks/Rtp and Stun)
# against Pion (benchmarks/pion-rtp: Debian's pion/rtp, pion/rtcp, pion/stun, pion/ice/v2 attribute types and
# pion/interceptor's twcc recorder), on identical bytes, in the same minutes, both pinned to CPU 0 (issue 19).
#   benchmarks/rtp-vs-pion.sh               build both, export our inputs, run Pion, ours, Pion again, print the table
#   benchmarks/rtp-vs-pion.sh --build-only  build both sides, export the inputs, check Pion reads and writes our bytes
# Our BenchmarkDotNet classes write the exact packets they use (`RtcStack.Benchmarks export-pion-inputs DIR`); the
# Pion program checks that it writes the same RTP packet and STUN request byte for byte and reports the same TWCC
# results, then times each case with testing.Benchmark (GOMAXPROCS=1). Go builds offline in GOPATH mode.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prereqs.sh
source scripts/go-offline.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

build_only=0
[ "${1:-}" = "--build-only" ] && build_only=1

ensure_packages golang-go golang-github-pion-rtp-dev golang-github-pion-rtcp-dev golang-github-pion-stun-dev \
  golang-github-pion-webrtc.v3-dev python3 util-linux
command -v dotnet >/dev/null || { echo "error: the .NET 10 SDK (dotnet) is required" >&2; exit 1; }

work=$(mktemp -d -t rtcstack-rtp-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "building the Pion side (go $(go env GOVERSION); pion/rtp $(dpkg-query -W -f='${Version}' golang-github-pion-rtp-dev)," \
  "pion/rtcp $(dpkg-query -W -f='${Version}' golang-github-pion-rtcp-dev), pion/stun $(dpkg-query -W -f='${Version}' golang-github-pion-stun-dev))"
go_build_offline benchmarks/pion-rtp "$work" pionrtpbench

echo "building RtcStack.Benchmarks (Release)"
dotnet build benchmarks/RtcStack.Benchmarks/RtcStack.Benchmarks.csproj -c Release -nologo -v quiet
dotnet benchmarks/RtcStack.Benchmarks/bin/Release/net10.0/RtcStack.Benchmarks.dll export-pion-inputs "$work/inputs"

if [ "$build_only" = 1 ]; then
  # A short run of each Pion case proves the inputs and the checks; timings of a build-only run mean nothing.
  GOMAXPROCS=1 "$work/pionrtpbench" bench "$work/inputs" --check >/dev/null
  echo "both sides built; Pion reads and writes our bytes"
  exit 0
fi

echo "load average at the start: $(cat /proc/loadavg)"
echo "== Pion (before) =="
GOMAXPROCS=1 taskset -c 0 "$work/pionrtpbench" bench "$work/inputs" | tee "$work/pion-before.txt"

echo "== RtcStack =="
taskset -c 0 dotnet run -c Release --no-build --project benchmarks/RtcStack.Benchmarks -- \
  --filter '*RtpPacketBenchmarks*' '*RtcpBenchmarks*' '*StunBindingBenchmarks.ParseAndVerify*' '*StunBindingBenchmarks.BuildRequest*' \
  --inProcess --artifacts "$work/bdn" | tee "$work/ours.txt"

echo "== Pion (after) =="
GOMAXPROCS=1 taskset -c 0 "$work/pionrtpbench" bench "$work/inputs" | tee "$work/pion-after.txt"
echo "load average at the end: $(cat /proc/loadavg)"

python3 - "$work" <<'PY'
import glob, os, re, sys
work = sys.argv[1]
def pion(path):
    rows = {}
    for line in open(path):
        m = re.match(r"pion (\S+): ([0-9.]+) ns/op, (\d+) B/op, (\d+) allocs/op", line)
        if m:
            rows[m.group(1)] = (float(m.group(2)), int(m.group(3)), int(m.group(4)))
    return rows
before, after = pion(os.path.join(work, "pion-before.txt")), pion(os.path.join(work, "pion-after.txt"))
units = {"ns": 1, "μs": 1e3, "us": 1e3, "ms": 1e6, "s": 1e9}
ours = {}
for report in glob.glob(os.path.join(work, "bdn", "results", "*-report-github.md")):
    klass = {"RtpPacketBenchmarks": "RtpPacket", "RtcpBenchmarks": "Rtcp", "StunBindingBenchmarks": "Stun"}
    prefix = next((v for k, v in klass.items() if k in report), None)
    header = None
    for line in open(report, encoding="utf-8"):
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
            continue
        if set(line.strip()) <= set("|-: "):
            continue
        row = dict(zip(header, cells))
        mean = row.get("Mean", "").replace(",", "").split()
        if len(mean) == 2 and prefix:
            ours[prefix + "." + row["Method"]] = (float(mean[0]) * units[mean[1]], row.get("Allocated", "?"))
print()
print("| case | RtcStack | allocated | Pion (before / after) | Pion allocated | RtcStack / Pion |")
print("|---|---:|---:|---:|---:|---:|")
# Our STUN rows come twice: with the raw key (HMAC keyed per message, like Pion's MessageIntegrity) and with a
# prepared StunIntegrityKey (keyed once, what our ICE agent uses); both are set against Pion's one row.
for ours_name, pion_name in [(n, n) for n in before] + [("Stun.ParseAndVerifyPreparedKey", "Stun.ParseAndVerify"), ("Stun.BuildRequestPreparedKey", "Stun.BuildRequest")]:
    if pion_name not in before:
        continue
    if ours_name not in ours:
        print(f"| {ours_name} | (no BenchmarkDotNet row) | | | | |")
        continue
    o, alloc = ours[ours_name]
    b, a = before[pion_name][0], after.get(pion_name, before[pion_name])[0]
    p = (b + a) / 2
    print(f"| {ours_name} | {o:.1f} ns | {alloc} | {p:.1f} ns ({b:.1f} / {a:.1f}) | {before[pion_name][1]} B, {before[pion_name][2]} allocs | {o / p:.2f} |")
PY
