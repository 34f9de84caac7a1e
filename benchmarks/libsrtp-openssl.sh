#!/bin/sh
# Builds libsrtp 2 from Debian's source package (bookworm: 2.5.0) configured with --enable-openssl,
# the build people deploy, into a cache directory outside the repository, and prints the path of the
# shared library. Idempotent: a second run only prints the path. Nothing of libsrtp is committed.
#
#   benchmarks/libsrtp-openssl.sh            # prints e.g. ~/.cache/rtcstack/libsrtp-openssl/libsrtp2-openssl.so
#   RTCSTACK_LIBSRTP_OPENSSL=$(benchmarks/libsrtp-openssl.sh) dotnet run -c Release --project benchmarks/RtcStack.Benchmarks -- --filter '*Srtp*'
#
# Needs root (or sudo) only the first time, to add a deb-src line and install libssl-dev.
set -eu

CACHE="${RTCSTACK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rtcstack}/libsrtp-openssl"
OUT="$CACHE/libsrtp2-openssl.so"

if [ -f "$OUT" ]; then
    echo "$OUT"
    exit 0
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi

# A deb-src line for bookworm, if apt has none.
if ! grep -rqs '^\(Types:.*deb-src\|deb-src\)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    echo "adding deb-src for bookworm" >&2
    printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
        | $SUDO tee /etc/apt/sources.list.d/rtcstack-deb-src.sources >/dev/null
    $SUDO apt-get update >&2
fi

need=""
dpkg -s libssl-dev >/dev/null 2>&1 || need="$need libssl-dev"
dpkg -s dpkg-dev >/dev/null 2>&1 || need="$need dpkg-dev"
command -v make >/dev/null 2>&1 || need="$need make"
command -v gcc >/dev/null 2>&1 || need="$need gcc"
command -v pkg-config >/dev/null 2>&1 || need="$need pkg-config"
if [ -n "$need" ]; then
    echo "installing$need" >&2
    $SUDO apt-get install -y $need >&2
fi

mkdir -p "$CACHE/src"
cd "$CACHE/src"
if ! ls -d libsrtp2-*/ >/dev/null 2>&1; then
    apt-get source libsrtp2 >&2
fi
SRC="$(ls -d "$CACHE"/src/libsrtp2-*/ | head -n 1)"
cd "$SRC"
echo "building $(basename "$SRC") with OpenSSL in $SRC" >&2
if [ ! -f Makefile ]; then
    ./configure --enable-openssl >&2
fi
grep -q '^#define OPENSSL 1' crypto/include/config.h 2>/dev/null || grep -q 'define OPENSSL 1' config.h 2>/dev/null || {
    echo "configure did not enable OpenSSL" >&2; exit 1; }
# A SONAME of its own: with Debian's libsrtp2.so.1 in the same process, the dynamic loader would
# otherwise treat the two as one library (it matches loaded libraries by SONAME).
rm -f libsrtp2.so.1 libsrtp2.so
make -j"$(nproc)" shared_library SHAREDLIB_LDFLAGS='-shared -Wl,-soname,libsrtp2-openssl.so' >&2
SO="$(ls "$SRC"/libsrtp2.so.* 2>/dev/null | head -n 1)"
[ -n "$SO" ] || SO="$SRC/libsrtp2.so"
cp "$SO" "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "$OUT"
