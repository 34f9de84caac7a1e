# Sourced by the benchmarks/*-vs-pion.sh scripts: builds one of the Go programs under benchmarks/ offline, in GOPATH
# mode, against Debian's Go packages in /usr/share/gocode (no module download).
#   go_build_offline SOURCE_DIR WORK NAME   copies SOURCE_DIR/main.go and go.mod to WORK/gopath/src/NAME and builds
#                                           WORK/NAME (cache: $TMPDIR/rtcstack-NAME-gocache)
go_build_offline() {
  local source=$1 work=$2 name=$3
  local package="$work/gopath/src/$name"
  mkdir -p "$package"
  cp "$source/main.go" "$source/go.mod" "$package/"
  (cd "$package" && env GOPATH="$work/gopath:/usr/share/gocode" GO111MODULE=off GOPROXY=off GOFLAGS= GOENV=off \
    CGO_ENABLED=0 GOCACHE="${TMPDIR:-/tmp}/rtcstack-$name-gocache" go build -o "$work/$name" .)
}
