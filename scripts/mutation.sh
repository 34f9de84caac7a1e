#!/usr/bin/env bash
# Mutation testing with Stryker.NET (issue 21): how many deliberate mistakes in a module its own unit tests catch.
# Not part of CI (a module takes tens of minutes on 2 cores). Scores go to tests/README.md with the date and command.
#   scripts/mutation.sh               every module below, one after another
#   scripts/mutation.sh Stun Srtp     only these
#   scripts/mutation.sh Srtp-protocol Srtp without its crypto primitives (AES, GHASH, SHA-1, HMAC under
#                                     Crypto/, which nearly every test covers, so each of their ~900 mutants
#                                     costs a full test run: the whole module does not fit in an hour on a
#                                     shared 2-core machine); they are checked against FIPS/RFC vectors and
#                                     System.Security.Cryptography
#   scripts/mutation.sh Srtp-state    Srtp's ROC estimation and replay window only (SrtpStream.cs,
#                                     ReplayWindow.cs): what fits in half an hour on a loaded machine
# Each module's report (HTML, JSON and the console summary) lands in artifacts/mutation/<module>/.
# The tool is the repository's local tool (.config/dotnet-tools.json, dotnet-stryker 5.1.0).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
command -v dotnet >/dev/null || { echo "error: the .NET 10 SDK (dotnet) is required" >&2; exit 1; }
dotnet tool restore >/dev/null

# module -> the files mutated, space separated, ! excludes (the Dtls run is its record layer only, as
# issue 21 names it). A name with a suffix (Srtp-protocol) runs the tests of the module before the dash.
declare -A mutate=(
  [Srtp]='**/*.cs'
  [Srtp-protocol]='**/*.cs !**/Crypto/Aes*.cs !**/Crypto/GHash.cs !**/Crypto/HmacSha1.cs !**/Crypto/Sha1*.cs'
  [Srtp-state]='**/SrtpStream.cs **/ReplayWindow.cs'
  [Rtp]='**/*.cs'
  [Stun]='**/*.cs'
  [Dtls]='**/Records/**/*.cs'
  [Congestion]='**/*.cs'
)
modules=("$@")
[ ${#modules[@]} -eq 0 ] && modules=(Srtp Stun Rtp Dtls Congestion)

for m in "${modules[@]}"; do
  [ -n "${mutate[$m]:-}" ] || { echo "unknown module $m (one of: ${!mutate[*]})" >&2; exit 2; }
  out="$PWD/artifacts/mutation/$m"
  rm -rf "$out"; mkdir -p "$out"
  echo "== $m ($(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)) =="
  project="${m%%-*}"
  read -r -a globs <<< "${mutate[$m]}"   # no pathname expansion of the patterns
  patterns=()
  for g in "${globs[@]}"; do patterns+=(--mutate "$g"); done
  (cd "tests/RtcStack.$project.Tests" && dotnet dotnet-stryker \
      --project "RtcStack.$project.csproj" \
      --configuration Release \
      "${patterns[@]}" \
      --concurrency "${STRYKER_CONCURRENCY:-$(nproc)}" \
      --reporter html --reporter json --reporter cleartext --reporter progress --reporter dots \
      --output "$out") 2>&1 | tee "$out/console.txt"
  grep -E "The final mutation score is" "$out/console.txt" || true
done
