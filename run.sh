#!/usr/bin/env bash
# The main job: `rtcstack serve`, a WebRTC loopback-call server on http://127.0.0.1:8080 (open it,
# press Start: your microphone goes to an RtcStack session that echoes it back).
#   ./run.sh [rtcstack serve options]     e.g. ./run.sh --port 8081 --mode tone --record out/rec
#   ./run.sh pcap [CAPTURE] [options]     the earlier job: `rtcstack pcap streams` on a capture (given,
#                                         or out/sample.pcap written by `rtcstack pcap generate`)
set -euo pipefail

job=serve
if [ "${1:-}" = "pcap" ]; then
  job=pcap
  shift
fi

# A capture path is relative to where the user stands, not to the repository.
capture=
if [ "$job" = pcap ]; then
  capture=${1:-}
  [ $# -gt 0 ] && shift
  if [ -n "$capture" ]; then
    [ -e "$capture" ] || { echo "error: '$capture' does not exist (run ./run.sh pcap without a file to analyse a generated capture)" >&2; exit 2; }
    capture=$(realpath "$capture")
  fi
fi

cd "$(dirname "$0")"
source scripts/prereqs.sh
ensure_packages libopus0
command -v dotnet >/dev/null || { echo "error: the .NET 10 SDK (dotnet) is required: https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if ! build_log=$(dotnet build src/RtcStack.Cli/RtcStack.Cli.csproj -c Release -nologo -v quiet 2>&1); then
  echo "$build_log" >&2
  echo "error: building the rtcstack CLI failed (output above)" >&2
  exit 1
fi
cli=(dotnet src/RtcStack.Cli/bin/Release/net10.0/rtcstack.dll)

if [ "$job" = serve ]; then
  exec "${cli[@]}" serve "$@"
fi

if [ -z "$capture" ]; then
  mkdir -p out
  capture=out/sample.pcap
  "${cli[@]}" pcap generate "$capture"
  echo
fi
exec "${cli[@]}" pcap streams "$capture" "$@"
