#!/usr/bin/env bash
# The main job. For now: `rtcstack pcap streams` on a capture (given, or generated).
#   ./run.sh [CAPTURE.pcap|pcapng] [extra rtcstack pcap streams options]
set -euo pipefail
cd "$(dirname "$0")"
source scripts/prereqs.sh
command -v dotnet >/dev/null || { echo "error: the .NET 10 SDK (dotnet) is required" >&2; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build src/RtcStack.Cli/RtcStack.Cli.csproj -c Release -nologo -v quiet
cli=(dotnet src/RtcStack.Cli/bin/Release/net10.0/rtcstack.dll)

capture=${1:-}
[ $# -gt 0 ] && shift
if [ -z "$capture" ]; then
  mkdir -p out
  capture=out/sample.pcap
  "${cli[@]}" pcap generate "$capture"
fi
exec "${cli[@]}" pcap streams "$capture" "$@"
