#!/usr/bin/env bash
# Data channel speed (issue 15), both parts:
#  1. Small-message rate of an SCTP association alone, RtcStack against Pion (Debian's golang-github-pion-sctp-dev,
#     1.8.6): two associations back to back in memory in one process on one core (taskset -c $SCTP_CPU, Go with
#     GOMAXPROCS=1), 64-byte messages ordered and reliable on one stream, the buffered amount kept under 1 MiB, the
#     receiver reading and checking every message. Ours is `rtcstack bench sctp-messages` (a plain timed loop), Pion's
#     benchmarks/pion-sctp (an in-memory datagram pipe between its two associations). Run order: Pion, ours, Pion.
#  2. Data channel throughput between two RtcStack processes over loopback (ICE, DTLS, SCTP), each pinned to one CPU:
#     `rtcstack bench datachannel`.
#   benchmarks/datachannel-vs-pion.sh               build both sides, run both parts, print a table
#   benchmarks/datachannel-vs-pion.sh --build-only  build both sides and stop
# Environment: MESSAGES (default 1000000), SIZE (64), WARMUP (100000), SCTP_CPU (0), MIB (1024), DC_CPUS (0,1),
# DC_MESSAGE_SIZE (65536), OUT (a folder to keep the outputs and datachannel.json; default a temporary one).
# Go builds offline in GOPATH mode, as benchmarks/video-vs-pion.sh and the interop suite's Pion peer do.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prereqs.sh
source scripts/go-offline.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

build_only=0
[ "${1:-}" = "--build-only" ] && build_only=1
messages=${MESSAGES:-1000000}
size=${SIZE:-64}
warmup=${WARMUP:-100000}
sctp_cpu=${SCTP_CPU:-0}
mib=${MIB:-1024}
dc_cpus=${DC_CPUS:-0,1}
dc_size=${DC_MESSAGE_SIZE:-65536}

ensure_packages golang-go golang-github-pion-sctp-dev
command -v dotnet >/dev/null || { echo "error: the .NET 10 SDK (dotnet) is required" >&2; exit 1; }
command -v taskset >/dev/null || { echo "error: taskset (util-linux) is required" >&2; exit 1; }

work=$(mktemp -d -t rtcstack-dc-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
out=${OUT:-$work}
mkdir -p "$out"

echo "building the Pion side (go $(go env GOVERSION), pion/sctp $(dpkg-query -W -f='${Version}' golang-github-pion-sctp-dev))"
go_build_offline benchmarks/pion-sctp "$work" pionsctpbench

echo "building rtcstack (Release)"
dotnet build src/RtcStack.Cli/RtcStack.Cli.csproj -c Release -nologo -v quiet
cli=$(ls src/RtcStack.Cli/bin/Release/net*/rtcstack.dll | head -1)

if [ "$build_only" = 1 ]; then
  echo "both sides built"
  exit 0
fi

echo "== SCTP small messages: $messages messages of $size bytes, one core (CPU $sctp_cpu), warm-up $warmup =="
echo "-- Pion (before) --"
GOMAXPROCS=1 taskset -c "$sctp_cpu" "$work/pionsctpbench" -messages "$messages" -size "$size" -warmup "$warmup" | tee "$out/pion-before.txt"
echo "-- RtcStack --"
taskset -c "$sctp_cpu" dotnet "$cli" bench sctp-messages --messages "$messages" --size "$size" --warmup "$warmup" | tee "$out/ours.txt"
echo "-- Pion (after) --"
GOMAXPROCS=1 taskset -c "$sctp_cpu" "$work/pionsctpbench" -messages "$messages" -size "$size" -warmup "$warmup" | tee "$out/pion-after.txt"

echo "== Data channel throughput, two processes over loopback (CPUs $dc_cpus), $mib MiB in $dc_size-byte messages =="
dotnet "$cli" bench datachannel --mib "$mib" --message-size "$dc_size" --cpu "$dc_cpus" --json "$out/datachannel.json" | tee "$out/datachannel.txt"

# Each output line: "... in T s: R messages/s, cpu C s (P % of one core) ..."
rate() { sed -n 's/.*: \([0-9]*\) messages\/s.*/\1/p' "$1"; }
share() { sed -n 's/.*(\([0-9.]*\) % of one core).*/\1/p' "$1"; }
echo
echo "== Summary =="
printf '%-28s %14s %10s\n' "SCTP, $size-byte messages" "messages/s" "cpu %"
printf '%-28s %14s %10s\n' "Pion (before)" "$(rate "$out/pion-before.txt")" "$(share "$out/pion-before.txt")"
printf '%-28s %14s %10s\n' "RtcStack" "$(rate "$out/ours.txt")" "$(share "$out/ours.txt")"
printf '%-28s %14s %10s\n' "Pion (after)" "$(rate "$out/pion-after.txt")" "$(share "$out/pion-after.txt")"
awk -v o="$(rate "$out/ours.txt")" -v a="$(rate "$out/pion-before.txt")" -v b="$(rate "$out/pion-after.txt")" \
  'BEGIN { p = (a + b) / 2; if (p > 0) printf "ratio RtcStack / Pion (mean of before and after): %.2f\n", o / p }'
echo
printf "%-28s %10s %8s\n" "Data channel, two processes" "Mbit/s" "cpu %"
awk '/^ *(sender|receiver) +[0-9]/ { printf "%-28s %10s %8s\n", $1, $5, $7 }' "$out/datachannel.txt"
grep '^checksum:' "$out/datachannel.txt"
