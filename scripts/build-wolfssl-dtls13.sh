#!/usr/bin/env bash
# Builds the DTLS 1.3 peer of the wolfSSL interop tests (tests/RtcStack.Interop.Tests/Dtls/WolfSslDtls13Tests.cs):
# wolfSSL's library from Debian 12's source package (Debian's libwolfssl35 is built without DTLS 1.3),
# configured with DTLS 1.3, SRTP, X25519, the RFC 5705/8446 exporter and debug logging, and linked with
# our own small peer program (tests/RtcStack.Interop.Tests/Dtls/wolfssl-dtls13-peer.c). No wolfSSL code
# is kept in the repository: the source is fetched with apt-get source into a cache directory outside
# the work tree and built there; test.sh runs this script, and a second run reuses the build (the
# library is rebuilt only when the configure line changes, the peer when its source changes).
#   scripts/build-wolfssl-dtls13.sh      builds if needed and prints the cache directory, which holds
#                                        wolfssl-dtls13-peer and src/certs/
# The directory defaults to /var/tmp/rtcstack-wolfssl-dtls13; RTCSTACK_WOLFSSL_DIR overrides it
# (the tests read the same variable).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
source scripts/prereqs.sh
dir=${RTCSTACK_WOLFSSL_DIR:-/var/tmp/rtcstack-wolfssl-dtls13}
peer_src=$repo/tests/RtcStack.Interop.Tests/Dtls/wolfssl-dtls13-peer.c
# --enable-keying-material with HAVE_SECRET_CALLBACK: wolfSSL_set_tls13_secret_cb hands the peer wolfSSL's exporter_master_secret
# (wolfSSL 5.5.4's own 1.3 exporter refuses DTLS 1.3 and would use the "tls13 " label prefix; see the
# peer's source); --enable-debug: wolfSSL_Debugging_ON for the peer's --debug log.
config="--enable-dtls --enable-dtls13 --enable-curve25519 --enable-srtp --enable-keying-material --enable-debug --disable-shared --enable-static --disable-examples --disable-crypttests --disable-benchmark CFLAGS=-DHAVE_SECRET_CALLBACK"

ensure_packages dpkg-dev autoconf automake libtool build-essential

if [ ! -f "$dir/src/src/.libs/libwolfssl.a" ] || [ "$(cat "$dir/config.stamp" 2>/dev/null)" != "$config" ]; then
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
  if [ ! -x "$dir/src/configure" ] && [ ! -x "$dir/src/autogen.sh" ]; then
    rm -rf "$dir" && mkdir -p "$dir"
    (cd "$dir" && apt-get source -qq wolfssl >&2)
    src=$(find "$dir" -maxdepth 1 -type d -name 'wolfssl-*' | head -1)
    mv "$src" "$dir/src"
  fi
  rm -f "$dir/config.stamp"
  (
    cd "$dir/src"
    [ -x configure ] || ./autogen.sh >&2
    # shellcheck disable=SC2086
    ./configure $config >&2
    make -j"$(nproc)" src/libwolfssl.la >&2
  )
  echo "$config" > "$dir/config.stamp"
fi

peer_hash=$( (cat "$peer_src"; echo "$config") | sha256sum | cut -d' ' -f1)
if [ ! -x "$dir/wolfssl-dtls13-peer" ] || [ "$(cat "$dir/peer.stamp" 2>/dev/null)" != "$peer_hash" ]; then
  gcc -O1 -g -Wall -Werror -I"$dir/src" -o "$dir/wolfssl-dtls13-peer" "$peer_src" "$dir/src/src/.libs/libwolfssl.a" -lm -lpthread >&2
  echo "$peer_hash" > "$dir/peer.stamp"
fi
echo "$dir"
