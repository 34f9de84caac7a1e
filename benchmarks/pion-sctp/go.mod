// Marks this directory as "new code" for the go command in GOPATH mode. benchmarks/datachannel-vs-pion.sh
// builds it with GO111MODULE=off against Debian's /usr/share/gocode (golang-github-pion-sctp-dev 1.8.6);
// there are no requirements to download.
module pionsctpbench

go 1.19
