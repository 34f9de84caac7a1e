#!/usr/bin/env bash
# Builds wolfSSL's example DTLS client and server with DTLS 1.3 from Debian 12's source package
# (Debian's libwolfssl35 is built without DTLS 1.3), for the DTLS 1.3 interop tests
# (tests/RtcStack.Interop.Tests/Dtls/WolfSslDtls13Tests.cs). No wolfSSL code is kept in the
# repository: the source is fetched with apt-get source into a cache directory and built there.
#   scripts/build-wolfssl-dtls13.sh      prints the directory holding examples/server/server and
#                                        examples/client/client (and certs/), building it if needed
# The directory defaults to /var/tmp/rtcstack-wolfssl-dtls13; RTCSTACK_WOLFSSL_DIR overrides it
# (the tests read the same variable).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prereqs.sh
dir=${RTCSTACK_WOLFSSL_DIR:-/var/tmp/rtcstack-wolfssl-dtls13}
if [ -x "$dir/src/examples/client/client" ] && [ -x "$dir/src/examples/server/server" ]; then
  echo "$dir/src"
  exit 0
fi
ensure_packages dpkg-dev autoconf automake libtool build-essential
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
# apt-get source needs deb-src entries; add them for Debian 12 if none exist.
if ! grep -rqs "deb-src" /etc/apt/sources.list /etc/apt/sources.list.d/; then
  printf '%s\n' "Types: deb-src" "URIs: http://deb.debian.org/debian" "Suites: bookworm bookworm-updates" "Components: main" \
    "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" "" \
    "Types: deb-src" "URIs: http://deb.debian.org/debian-security" "Suites: bookworm-security" "Components: main" \
    "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" | "${sudo[@]}" tee /etc/apt/sources.list.d/rtcstack-deb-src.sources >/dev/null
  "${sudo[@]}" apt-get update -o DPkg::Lock::Timeout=900 >&2
fi
rm -rf "$dir" && mkdir -p "$dir"
(cd "$dir" && apt-get source -qq wolfssl >&2)
src=$(find "$dir" -maxdepth 1 -type d -name 'wolfssl-*' | head -1)
mv "$src" "$dir/src"
cd "$dir/src"
./autogen.sh >&2
./configure --enable-dtls --enable-dtls13 --enable-curve25519 --enable-srtp --disable-shared --enable-static --enable-examples >&2
make -j"$(nproc)" examples/server/server examples/client/client >&2
echo "$dir/src"
