#!/usr/bin/env bash
# The main job. For now: `rtcstack pcap streams` on a capture (given, or generated).
#   ./run.sh [CAPTURE.pcap|pcapng] [extra rtcstack pcap streams options, e.g. --json]
# Without a capture it writes out/sample.pcap with `rtcstack pcap generate` (a 10 s call: two
# Opus-like streams with loss, reordering and duplicates, plus RTCP) and analyses that.
set -euo pipefail

# A capture path is relative to where the user stands, not to the repository.
capture=${1:-}
[ $# -gt 0 ] && shift
if [ -n "$capture" ]; then
  [ -e "$capture" ] || { echo "error: '$capture' does not exist (run ./run.sh without arguments to analyse a generated capture)" >&2; exit 2; }
  capture=$(realpath "$capture")
fi

cd "$(dirname "$0")"
source scripts/prereqs.sh
command -v dotnet >/dev/null || { echo "error: the .NET 10 SDK (dotnet) is required: https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if ! build_log=$(dotnet build src/RtcStack.Cli/RtcStack.Cli.csproj -c Release -nologo -v quiet 2>&1); then
  echo "$build_log" >&2
  echo "error: building the rtcstack CLI failed (output above)" >&2
  exit 1
fi
cli=(dotnet src/RtcStack.Cli/bin/Release/net10.0/rtcstack.dll)

if [ -z "$capture" ]; then
  mkdir -p out
  capture=out/sample.pcap
  "${cli[@]}" pcap generate "$capture"
  echo
fi
exec "${cli[@]}" pcap streams "$capture" "$@"
