#!/usr/bin/env bash
# Data channel throughput against Chromium (issue 15): one reliable ordered channel, MIB MiB in 64 KiB messages, the
# sender's buffered amount kept under 4 MiB (refilled at 2 MiB on bufferedamountlow), over loopback, in one run:
#   Chromium->Chromium  two RTCPeerConnections in one headless Chromium page (the reference)
#   RtcStack->Chromium  a WebRtcSession (UdpSessionHost, event loop where supported) sends, the page receives
#   Chromium->RtcStack  the page sends, the session receives
#   RtcStack->RtcStack  `rtcstack bench datachannel` (two processes, CPUs DC_CPUS), unless OURS=0
# The three browser rows are BrowserDataChannelThroughputTests (tests/RtcStack.Interop.Tests; Pages/dc-throughput.html),
# which CI runs with 4 MiB to check completeness and the checksum; here RTCSTACK_DC_BENCH_MIB sets the size and each
# test appends its row to RTCSTACK_DC_BENCH_OUT. Mbit/s runs from the sender's first send to the receiver's "done"
# (a text message back on the channel after the last byte); CPU is between the page's start and end marks (a little
# wider than the transfer): Chromium = user+system time of the browser's process tree (/proc/PID/stat), "test process"
# = the .NET test host (the session, its UDP loop, Kestrel and xUnit). Every receiver checks the sequence and a
# checksum of every byte. The browser processes are not pinned.
#   benchmarks/datachannel-vs-chromium.sh            build, run, print the table
# Environment: MIB (default 256), OURS (1: also the RtcStack->RtcStack row), DC_CPUS (0,1), OUT (a folder to keep the
# outputs; default a temporary one).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prereqs.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

mib=${MIB:-256}
ours=${OURS:-1}
dc_cpus=${DC_CPUS:-0,1}
ensure_packages chromium
command -v dotnet >/dev/null || { echo "error: the .NET 10 SDK (dotnet) is required" >&2; exit 1; }

work=$(mktemp -d -t rtcstack-dc-chromium-XXXXXX)
trap 'rm -rf "$work"' EXIT
out=${OUT:-$work}
mkdir -p "$out"
rows="$out/rows.tsv"
: > "$rows"

echo "uptime: $(uptime)"
echo "chromium $(dpkg-query -W -f='${Version}' chromium), $(nproc) CPUs"
echo "building the interop tests (Release)"
dotnet build tests/RtcStack.Interop.Tests/RtcStack.Interop.Tests.csproj -c Release -nologo -v quiet

echo "== browser rows: $mib MiB each =="
RTCSTACK_DC_BENCH_MIB=$mib RTCSTACK_DC_BENCH_OUT=$rows CI=true \
  dotnet test tests/RtcStack.Interop.Tests/RtcStack.Interop.Tests.csproj -c Release --no-build -nologo \
  --filter "FullyQualifiedName~BrowserDataChannelThroughputTests" --logger "console;verbosity=detailed" | tee "$out/browser.txt" \
  || echo "warning: some browser rows failed (see above)"

if [ "$ours" = 1 ]; then
  echo "== RtcStack->RtcStack: rtcstack bench datachannel, $mib MiB, CPUs $dc_cpus =="
  cli=$(ls src/RtcStack.Cli/bin/Release/net*/rtcstack.dll | head -1)
  dotnet "$cli" bench datachannel --mib "$mib" --message-size 65536 --cpu "$dc_cpus" | tee "$out/ours.txt" \
    || echo "warning: rtcstack bench datachannel failed"
fi

echo
echo "== Summary ($mib MiB in 64 KiB messages; uptime: $(uptime | sed 's/.*load/load/')) =="
printf '%-20s %9s %9s %12s %12s %10s\n' "direction" "seconds" "Mbit/s" "chromium cpu" "rtcstack cpu" "checksum"
for d in ChromiumToChromium RtcStackToChromium ChromiumToRtcStack; do
  # columns: direction MiB size seconds Mbit/s wall chromium-cpu-s chromium-% ours-cpu-s ours-% checksum
  awk -F'\t' -v d="$d" '$1 == d {
      name = d; sub("To", "->", name)
      ours = (d == "ChromiumToChromium") ? "-" : sprintf("%.2fs %s%%", $9, $10)
      printf "%-20s %9s %9s %12s %12s %10s\n", name, $4, $5, sprintf("%.2fs %s%%", $7, $8), ours, $11
    }' "$rows"
  grep -q "^$d	" "$rows" || printf '%-20s %s\n' "$d" "FAILED (no row; see $out/browser.txt)"
done
if [ "$ours" = 1 ]; then
  # `bench datachannel` rows: "  sender  BYTES MESSAGES SECONDS MBIT/S CPU_S CPU_%"
  awk '/^ *sender +[0-9]/ { s = $4; m = $5; sc = $6; sp = $7 } /^ *receiver +[0-9]/ { rc = $6; rp = $7 }
       END { if (m != "") printf "%-20s %9s %9s %12s %12s %10s\n", "RtcStack->RtcStack", s, m, "-", sprintf("%.2fs+%.2fs", sc, rc), "" }' "$out/ours.txt"
  grep '^checksum:' "$out/ours.txt" || true
fi
echo "cpu: seconds of CPU between the start and end marks and its share of that wall time (100 % = one core);"
echo "RtcStack->RtcStack: sender + receiver process CPU seconds (each pinned to one core)."
