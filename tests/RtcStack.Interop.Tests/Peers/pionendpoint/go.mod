// Marks this directory as "new code" for the go command in GOPATH mode, so the /v3 in Pion's import
// path resolves to Debian's github.com/pion/webrtc (minimal module compatibility). The interop test
// builds with GO111MODULE=off against /usr/share/gocode; there are no requirements to download.
module whipendpoint

go 1.19
