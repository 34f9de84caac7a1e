// Marks this directory as "new code" for the go command in GOPATH mode. benchmarks/video-vs-pion.sh
// builds it with GO111MODULE=off against Debian's /usr/share/gocode (golang-github-pion-rtp-dev);
// there are no requirements to download.
module pionvideobench

go 1.19
