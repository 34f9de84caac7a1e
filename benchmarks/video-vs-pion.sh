#!/usr/bin/env bash
# Depacketize + frame assembly per packet, VP8, H.264 and AV1: RtcStack (BenchmarkDotNet,
# benchmarks/RtcStack.Benchmarks/Video) against Pion's codecs (benchmarks/pion-video, Debian's
# golang-github-pion-rtp-dev), on the same input packets, in the same minutes, on this machine.
#   benchmarks/video-vs-pion.sh               build both, generate the input, run Pion, ours, Pion again
#   benchmarks/video-vs-pion.sh --build-only  build both sides and stop
# The input (deterministic: fixed seed, 300 frames at 30 fps, key frame every 30, 1,200-byte payloads cut
# by Pion's payloaders) is written by the Pion program to a temporary folder that both sides read
# (RTCSTACK_VIDEO_INPUT_DIR for ours). Go builds offline in GOPATH mode, as the interop suite's Pion peer does.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prereqs.sh
source scripts/go-offline.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

build_only=0
[ "${1:-}" = "--build-only" ] && build_only=1

ensure_packages golang-go golang-github-pion-rtp-dev
command -v dotnet >/dev/null || { echo "error: the .NET 10 SDK (dotnet) is required" >&2; exit 1; }

work=$(mktemp -d -t rtcstack-video-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "building the Pion side (go $(go env GOVERSION), pion/rtp $(dpkg-query -W -f='${Version}' golang-github-pion-rtp-dev))"
go_build_offline benchmarks/pion-video "$work" pionvideobench

echo "building RtcStack.Benchmarks (Release)"
dotnet build benchmarks/RtcStack.Benchmarks/RtcStack.Benchmarks.csproj -c Release -nologo -v quiet

if [ "$build_only" = 1 ]; then
  echo "both sides built"
  exit 0
fi

"$work/pionvideobench" gen "$work"
echo "input: $(ls -l "$work"/vp8.bin "$work"/h264.bin "$work"/av1.bin | awk '{ print $NF ": " $5 " bytes" }' | tr '\n' ' ')"

echo "== Pion (before) =="
"$work/pionvideobench" bench "$work" | tee "$work/pion-before.txt"

echo "== RtcStack =="
RTCSTACK_VIDEO_INPUT_DIR="$work" dotnet run -c Release --no-build --project benchmarks/RtcStack.Benchmarks -- \
  --filter '*Vp8DepacketizeBenchmarks*' '*Vp8CopyFloorBenchmarks*' '*H264DepacketizeBenchmarks*' '*Av1DepacketizeBenchmarks*' --inProcess --artifacts "$work/bdn" | tee "$work/ours.txt"

echo "== Pion (after) =="
"$work/pionvideobench" bench "$work" | tee "$work/pion-after.txt"

# Ours: BenchmarkDotNet's Mean is per pass over all packets (taken from its GitHub-markdown report, whose
# columns are separated by '|'); Pion prints ns per packet and the packet count.
to_ns() { awk '{ v = $1; u = $2; gsub(",", "", v); f = (u == "us" || u == "μs") ? 1000 : (u == "ms") ? 1000000 : (u == "s") ? 1e9 : 1; printf "%.1f", v * f }'; }
column() { # column FILE NAME -> the value of column NAME in the first data row of a markdown table
  awk -F'|' -v name="$2" '
    /^\|/ && !header { for (i = 1; i <= NF; i++) { h = $i; gsub(/^ +| +$/, "", h); if (h == name) col = i } header = 1; next }
    /^\|[-: |]+$/ { next }
    /^\|/ && header && col { v = $col; gsub(/^ +| +$/, "", v); print v; exit }' "$1"
}
for codec in VP8 H.264 AV1; do
  class=$(case "$codec" in VP8) echo Vp8 ;; H.264) echo H264 ;; *) echo Av1 ;; esac)
  packets=$(grep "^pion $codec:" "$work/pion-before.txt" | awk '{ print $3 }')
  pion_before=$(grep "^pion $codec:" "$work/pion-before.txt" | sed 's/.* passes, \([0-9.]*\) ns\/packet.*/\1/')
  pion_after=$(grep "^pion $codec:" "$work/pion-after.txt" | sed 's/.* passes, \([0-9.]*\) ns\/packet.*/\1/')
  report=$(ls "$work"/bdn/results/*"${class}DepacketizeBenchmarks"*-report-github.md 2>/dev/null | head -1 || true)
  if [ -z "$report" ]; then
    echo "$codec: no BenchmarkDotNet report found under $work/bdn/results" >&2
    continue
  fi
  mean=$(column "$report" Mean | to_ns)
  allocated=$(column "$report" Allocated)
  awk -v c="$codec" -v m="$mean" -v n="$packets" -v a="$pion_before" -v b="$pion_after" -v al="$allocated" 'BEGIN {
    ours = m / n; pion = (a + b) / 2;
    printf "%s: RtcStack %.1f ns/packet (allocated %s per pass of %d packets), Pion %.1f ns/packet (before %.1f, after %.1f), ratio ours/Pion %.2f\n", c, ours, al, n, pion, a, b, ours / pion }'
done

# The floor: VP8 payload data copied once into a frame buffer in .NET (what the Pion side does per packet).
floor_report=$(ls "$work"/bdn/results/*Vp8CopyFloorBenchmarks*-report-github.md 2>/dev/null | head -1 || true)
vp8_report=$(ls "$work"/bdn/results/*Vp8DepacketizeBenchmarks*-report-github.md 2>/dev/null | head -1 || true)
if [ -n "$floor_report" ] && [ -n "$vp8_report" ]; then
  packets=$(grep "^pion VP8:" "$work/pion-before.txt" | awk '{ print $3 }')
  floor=$(column "$floor_report" Mean | to_ns)
  ours=$(column "$vp8_report" Mean | to_ns)
  awk -v f="$floor" -v o="$ours" -v n="$packets" 'BEGIN {
    printf "VP8 copy floor (.NET, descriptor + one copy): %.1f ns/packet; RtcStack / floor %.2f\n", f / n, o / f }'
fi
