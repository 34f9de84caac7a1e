#!/usr/bin/env bash
# Builds RtcStack in Release and runs every test. Installs its own prerequisites.
#   ./test.sh          everything (what CI runs), including interop tests with outside programs
#   ./test.sh --fast   leaves out [Trait("Category","Interop")], [Trait("Category","LongRun")], [Trait("Category","Packaging")]
#                      and [Trait("Category","Docs")] (the docfx site build) tests and the browser install
# Ends with one line "N passed, N failed, N skipped" and exits non-zero if anything failed.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/prereqs.sh

fast=0
extra=()
for a in "$@"; do
  case "$a" in
    --fast) fast=1 ;;
    *) extra+=("$a") ;;
  esac
done

# Libraries the unit tests bind (libopus for the Opus binding, libsrtp as the SRTP oracle).
pkgs=(libopus0 libsrtp2-1 openssl libicu72)
if [ $fast -eq 0 ]; then
  # Outside peers for interop tests (tshark, opus-tools, coturn, the browsers); iproute2 and nftables build the
  # network namespaces, veth pairs and NAT of the beyond-loopback tests (ServeBeyondLoopbackTests, run as root).
  pkgs+=(tshark opus-tools coturn chromium firefox-esr iproute2 nftables)
  # Non-browser WebRTC peers: Pion v3 (a Go program built in the test, GOPATH mode, no network) and
  # GStreamer webrtcbin driven from Python through gi (tests/RtcStack.Interop.Tests/Peers).
  pkgs+=(golang-go golang-github-pion-webrtc.v3-dev
    gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-nice
    gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0 gir1.2-gst-plugins-bad-1.0 gir1.2-nice-0.1 python3-gi)
  # The outside-controller example (samples/python), the scenario-schema check (SimControllerTests) and the Kubernetes manifest check (SimBatchTests).
  pkgs+=(python3 python3-jsonschema python3-yaml)
  # A one-node Slurm cluster (munge and slurm-wlm; started and stopped by SimBatchTests on 127.0.0.1) runs a sweep's job array.
  pkgs+=(slurm-wlm munge)
  # usrsctp in AF_CONN mode for the SCTP differential tests (tests/RtcStack.Interop.Tests/Sctp: the test compiles its small peer with gcc).
  pkgs+=(libusrsctp-dev build-essential)
  # The native AOT test of the packages (tests/RtcStack.Cli.Tests/Packaging): the ILCompiler links with clang and zlib.
  pkgs+=(clang zlib1g-dev)
fi
ensure_packages "${pkgs[@]}"
if [ $fast -eq 0 ]; then
  # The DTLS 1.3 peer of WolfSslDtls13Tests: wolfSSL from Debian's source package, built once into a cache
  # outside the work tree (/var/tmp/rtcstack-wolfssl-dtls13, or RTCSTACK_WOLFSSL_DIR). If the build fails,
  # those tests fail in CI and say so.
  wolf_log=$(mktemp)
  if ! scripts/build-wolfssl-dtls13.sh >/dev/null 2>"$wolf_log"; then
    tail -20 "$wolf_log" >&2
    echo "warning: scripts/build-wolfssl-dtls13.sh failed (above); the wolfSSL DTLS 1.3 tests will fail" >&2
  fi
  rm -f "$wolf_log"
fi

command -v dotnet >/dev/null || { echo "error: the .NET 10 SDK (dotnet) is required" >&2; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# A build that fails still ends with the summary line, so CI shows what happened.
if ! dotnet restore RtcStack.sln || ! dotnet build RtcStack.sln -c Release --no-restore -nologo -v minimal; then
  echo "error: restore or build failed (see above); no tests ran" >&2
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi

if [ $fast -eq 0 ] && ! dotnet tool restore >/dev/null; then
  # docfx for the reference docs test ([Trait("Category","Docs")]); it runs `dotnet tool restore` again and fails
  # with the reason if the tool is still missing.
  echo "warning: dotnet tool restore failed; the docs test will fail" >&2
fi

results=TestResults
rm -rf "$results"
mkdir -p "$results"
# Three passes. First every test assembly but the interop suite, side by side. Then the interop suite alone: its
# browser cells judge real-time behaviour (a video freeze over 1 s fails), and on 2 cores, beside another test
# assembly's CPU-bound tests, three cells froze for 1.0-1.2 s in the CI run of 5f1be57; runs here at load 10-14 showed
# such gaps with the frames already received by Chromium and not yet decoded (framesReceived ahead of framesDecoded,
# no loss, no PLI), so the browser was short of CPU, not of packets. Inside that pass the classes that run a browser or
# another real-time peer are one xUnit collection (RealTimePeersCollection), so two browsers never share the cores
# either (the CI run of 3a021d5 found a 1,017 ms H.264 freeze that way). Last the long runs
# ([Trait("Category","LongRun")]: the CI soak and churn), which judge delivery, RSS and descriptors of a server under
# its own load: beside the other test assemblies the soak's loop was starved and the kernel dropped what it could not read.
filter="Category!=LongRun"
[ $fast -eq 1 ] && filter="Category!=Interop&Category!=LongRun&Category!=Packaging&Category!=Docs"
# The first pass's solution filter, made from the solution so that a new test project is never left out.
{
  echo '{"solution":{"path":"../RtcStack.sln","projects":['
  dotnet sln RtcStack.sln list | grep '\.csproj$' | grep -v '^tests/RtcStack.Interop.Tests/' | sed 's/.*/"&"/' | paste -sd, -
  echo ']}}'
} > "$results/parallel.slnf"

run_pass() { # target filter
  dotnet test "$1" -c Release --no-build --nologo \
    --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" \
    --blame-hang-timeout 10m --filter "$2" "${extra[@]}" 2>&1 | tee -a "$results/console.log"
  return "${PIPESTATUS[0]}"
}

set +e
status=0
run_pass "$results/parallel.slnf" "$filter" || status=$?
run_pass tests/RtcStack.Interop.Tests "$filter" || status=$?
if [ $fast -eq 0 ]; then
  run_pass tests/RtcStack.Cli.Tests "Category=LongRun" || status=$?
fi
set -e

# Count from the TRX files, not from the runner's text.
passed=0; failed=0; skipped=0; aborted_runs=()
shopt -s nullglob
for trx in "$results"/*.trx; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" || true)
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  p=$(get passed); f=$(get failed); t=$(get total); e=$(get executed)
  x=$(get error); to=$(get timeout); ab=$(get aborted)
  passed=$((passed + p))
  failed=$((failed + f + x + to + ab))
  # A test host that crashed leaves a TRX whose run "Failed" with every counted test passed (the rest never ran).
  if grep -q '<ResultSummary outcome="Failed"' "$trx" && [ $((f + x + to + ab)) -eq 0 ]; then
    aborted_runs+=("$trx")
    failed=$((failed + 1))
  fi
  skipped=$((skipped + t - e))
done
if [ $status -ne 0 ] && [ $failed -eq 0 ]; then
  # The runner failed without a failing test (build error, crash, hang): count it.
  failed=1
fi
# One TRX per test assembly started; fewer means a test host died before writing its results.
trx_files=$(find "$results" -maxdepth 1 -name '*.trx' | wc -l)
assemblies=$(grep -c '^Test run for ' "$results/console.log" || true)
if [ "$trx_files" -lt "$assemblies" ]; then
  echo "error: $assemblies test assemblies reported but only $trx_files TRX files were written" >&2
  failed=$((failed + 1))
fi
# Name each failed test with the first lines of its message just above the summary, so a CI log cut to its tail
# still says what failed.
if [ $failed -gt 0 ]; then
  for trx in "$results"/*.trx; do
    if command -v python3 >/dev/null; then
      python3 - "$trx" <<'PY' || true
import sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for r in ET.parse(sys.argv[1]).getroot().iterfind(".//t:UnitTestResult", ns):
    if r.get("outcome") not in ("Passed", "NotExecuted"):
        m = r.find(".//t:Message", ns)
        text = (m.text or "").strip().splitlines()[:6] if m is not None else []
        print("FAILED " + r.get("testName", "?") + " (" + r.get("duration", "") + ")")
        for line in text:
            print("    " + line[:300])
PY
    else
      grep -o 'testName="[^"]*"[^>]*outcome="Failed"' "$trx" | sed 's/testName="\([^"]*\)".*/FAILED \1/' || true
    fi
  done
fi
for trx in "${aborted_runs[@]}"; do
  echo "FAILED test run aborted, the test host crashed: $(grep -o 'storage="[^"]*"' "$trx" | head -1 | sed 's/storage=//')"
done
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
