// Command whipendpoint is a small WHIP (RFC 9725) and WHEP endpoint on Pion WebRTC v3 (Debian's
// golang-github-pion-webrtc.v3-dev), written for RtcStack's interop tests: another stack's server for
// our WHIP/WHEP client to talk to. The tests build it in GOPATH mode, offline. It listens on
// 127.0.0.1 only and serves:
//
//	POST   /whip             an application/sdp offer; 201 + answer (all candidates gathered first),
//	                         Location /session/ID, ETag (our ICE ufrag); the Opus it receives is written to
//	                         DIR/ID.rtp (each RTP packet as a 2-byte big-endian length and the packet).
//	POST   /whep             the same, and the Opus packets of -in (an Ogg file, one packet per page) are
//	                         sent in real time, in a loop, from the moment the session connects.
//	PATCH  /session/ID       application/trickle-ice-sdpfrag (RFC 8840): If-Match required (428) and
//	                         checked (412); candidates → 204; new ice-ufrag/ice-pwd → ICE restart, 200 with
//	                         our new credentials and candidates and a new ETag.
//	DELETE /session/ID       closes the session, 200.
//	OPTIONS /whip, /whep     204 with Accept-Post; -options-link adds a Link header there.
//
// -token makes every request but OPTIONS need "Authorization: Bearer TOKEN" (401 otherwise).
// -link adds a Link header to every 201 (RFC 9725 §4.6 ICE servers).
//
// It prints one JSON object per line on stdout: "listening" (with the base URL) once, then one per
// request and per session event ("connected", "deleted" with what the session sent and received).
// It exits on SIGINT/SIGTERM or when stdin closes, closing every session.
package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pion/ice/v2"
	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v3"
	"github.com/pion/webrtc/v3/pkg/media"
	"github.com/pion/webrtc/v3/pkg/media/oggreader"
)

var (
	outMu    sync.Mutex
	token    string
	dir      string
	tone     [][]byte
	links    []string
	optLinks []string

	sessionsMu sync.Mutex
	sessions   = map[string]*session{}
)

type session struct {
	id       string
	kind     string
	pc       *webrtc.PeerConnection
	mu       sync.Mutex // one PATCH or DELETE at a time
	etag     string
	received int64
	sent     int64
	restarts int64
	codec    atomic.Value
	pt       int64
	closed   chan struct{}
	file     *os.File
	fileMu   sync.Mutex
	deleted  bool
}

func emit(fields map[string]interface{}) {
	line, _ := json.Marshal(fields)
	outMu.Lock()
	defer outMu.Unlock()
	fmt.Println(string(line))
}

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on (loopback only)")
	flag.StringVar(&token, "token", "", "bearer token every request but OPTIONS must carry")
	flag.StringVar(&dir, "dir", "", "directory for the received RTP dumps (required)")
	in := flag.String("in", "", "Ogg Opus file (one 20 ms packet per page) to send to WHEP players")
	var l, ol multi
	flag.Var(&l, "link", "a Link header value for every 201 (repeatable)")
	flag.Var(&ol, "options-link", "a Link header value for every OPTIONS answer (repeatable)")
	flag.Parse()
	links, optLinks = l, ol
	if err := run(*listen, *in); err != nil {
		emit(map[string]interface{}{"event": "error", "error": err.Error()})
		os.Exit(1)
	}
}

func run(listen, in string) error {
	if dir == "" {
		return errors.New("-dir is required")
	}
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%s is not a loopback address", host)
	}
	if in != "" {
		if tone, err = readOggPackets(in); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/whip", func(w http.ResponseWriter, r *http.Request) { endpoint(w, r, "whip") })
	mux.HandleFunc("/whep", func(w http.ResponseWriter, r *http.Request) { endpoint(w, r, "whep") })
	mux.HandleFunc("/session/", resource)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	emit(map[string]interface{}{"event": "listening", "url": "http://" + ln.Addr().String()})

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	stdinClosed := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		close(stdinClosed)
	}()
	select {
	case <-stop:
	case <-stdinClosed:
	}
	_ = srv.Close()
	sessionsMu.Lock()
	all := make([]*session, 0, len(sessions))
	for _, s := range sessions {
		all = append(all, s)
	}
	sessionsMu.Unlock()
	for _, s := range all {
		end(s, "shutdown")
	}
	emit(map[string]interface{}{"event": "stopped"})
	return nil
}

func authorized(w http.ResponseWriter, r *http.Request) bool {
	if token == "" || r.Header.Get("Authorization") == "Bearer "+token {
		return true
	}
	w.Header().Set("WWW-Authenticate", "Bearer")
	reply(w, r, http.StatusUnauthorized, "missing or wrong bearer token")
	return false
}

func reply(w http.ResponseWriter, r *http.Request, status int, body string) {
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
	emit(map[string]interface{}{"event": "request", "method": r.Method, "path": r.URL.Path, "status": status, "auth": r.Header.Get("Authorization"), "ifMatch": r.Header.Get("If-Match")})
}

func endpoint(w http.ResponseWriter, r *http.Request, kind string) {
	switch r.Method {
	case http.MethodOptions:
		w.Header().Set("Accept-Post", "application/sdp")
		for _, v := range optLinks {
			w.Header().Add("Link", v)
		}
		reply(w, r, http.StatusNoContent, "")
		return
	case http.MethodPost:
	default:
		reply(w, r, http.StatusMethodNotAllowed, "")
		return
	}
	if !authorized(w, r) {
		return
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/sdp") {
		reply(w, r, http.StatusUnsupportedMediaType, "an application/sdp offer is required")
		return
	}
	offer, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	if err != nil {
		reply(w, r, http.StatusBadRequest, err.Error())
		return
	}
	s, answer, err := create(kind, string(offer))
	if err != nil {
		reply(w, r, http.StatusBadRequest, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/sdp")
	w.Header().Set("Location", "/session/"+s.id)
	w.Header().Set("ETag", s.etag)
	for _, v := range links {
		w.Header().Add("Link", v)
	}
	reply(w, r, http.StatusCreated, answer)
	emit(map[string]interface{}{"event": "created", "id": s.id, "kind": kind, "offer": string(offer), "answer": answer})
}

func newAPI() (*webrtc.API, error) {
	m := &webrtc.MediaEngine{}
	if err := m.RegisterDefaultCodecs(); err != nil {
		return nil, err
	}
	registry := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(m, registry); err != nil {
		return nil, err
	}
	se := webrtc.SettingEngine{}
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetIncludeLoopbackCandidate(true)
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(registry), webrtc.WithSettingEngine(se)), nil
}

func create(kind, offer string) (*session, string, error) {
	api, err := newAPI()
	if err != nil {
		return nil, "", err
	}
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, "", err
	}
	idBytes := make([]byte, 16)
	if _, err = rand.Read(idBytes); err != nil {
		_ = pc.Close()
		return nil, "", err
	}
	s := &session{id: hex.EncodeToString(idBytes), kind: kind, pc: pc, closed: make(chan struct{})}
	s.codec.Store("")
	if s.file, err = os.Create(filepath.Join(dir, s.id+".rtp")); err != nil {
		_ = pc.Close()
		return nil, "", err
	}

	var track *webrtc.TrackLocalStaticSample
	if kind == "whep" {
		track, err = webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "audio", "pion-whep")
		if err == nil {
			_, err = pc.AddTrack(track)
		}
	} else {
		_, err = pc.AddTransceiverFromKind(webrtc.RTPCodecTypeAudio, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly})
	}
	if err != nil {
		end(s, "error")
		return nil, "", err
	}

	pc.OnTrack(func(t *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		s.codec.Store(t.Codec().MimeType)
		atomic.StoreInt64(&s.pt, int64(t.PayloadType()))
		for {
			p, _, rerr := t.ReadRTP()
			if rerr != nil {
				return
			}
			raw, merr := p.Marshal()
			if merr != nil {
				return
			}
			atomic.AddInt64(&s.received, 1)
			record := make([]byte, 2, 2+len(raw))
			binary.BigEndian.PutUint16(record, uint16(len(raw)))
			s.fileMu.Lock()
			if s.file != nil {
				_, _ = s.file.Write(append(record, raw...))
			}
			s.fileMu.Unlock()
		}
	})
	var once sync.Once
	pc.OnConnectionStateChange(func(st webrtc.PeerConnectionState) {
		emit(map[string]interface{}{"event": "state", "id": s.id, "state": st.String()})
		if st == webrtc.PeerConnectionStateConnected && track != nil {
			once.Do(func() { go sendLoop(s, track) })
		}
	})

	if err = pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		end(s, "error")
		return nil, "", fmt.Errorf("the offer does not apply: %w", err)
	}
	answer, err := answerGathered(pc)
	if err != nil {
		end(s, "error")
		return nil, "", err
	}
	s.etag = `"` + attribute(answer, "ice-ufrag") + `"`
	sessionsMu.Lock()
	sessions[s.id] = s
	sessionsMu.Unlock()
	return s, answer, nil
}

// answerGathered makes the answer and waits (at most 5 s) until every candidate is in it.
func answerGathered(pc *webrtc.PeerConnection) (string, error) {
	answer, err := pc.CreateAnswer(nil)
	if err != nil {
		return "", err
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err = pc.SetLocalDescription(answer); err != nil {
		return "", err
	}
	select {
	case <-gathered:
	case <-time.After(5 * time.Second):
	}
	return pc.LocalDescription().SDP, nil
}

func sendLoop(s *session, track *webrtc.TrackLocalStaticSample) {
	if len(tone) == 0 {
		return
	}
	begin := time.Now()
	for i := 0; ; i++ {
		if d := time.Until(begin.Add(time.Duration(i) * 20 * time.Millisecond)); d > 0 {
			select {
			case <-s.closed:
				return
			case <-time.After(d):
			}
		}
		select {
		case <-s.closed:
			return
		default:
		}
		if err := track.WriteSample(media.Sample{Data: tone[i%len(tone)], Duration: 20 * time.Millisecond}); err != nil {
			return
		}
		atomic.AddInt64(&s.sent, 1)
	}
}

func resource(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/session/")
	sessionsMu.Lock()
	s := sessions[id]
	sessionsMu.Unlock()
	if r.Method == http.MethodOptions {
		w.Header().Set("Accept-Patch", "application/trickle-ice-sdpfrag")
		reply(w, r, http.StatusNoContent, "")
		return
	}
	if !authorized(w, r) {
		return
	}
	if s == nil {
		reply(w, r, http.StatusNotFound, "no such session")
		return
	}
	switch r.Method {
	case http.MethodDelete:
		end(s, "deleted")
		reply(w, r, http.StatusOK, "")
	case http.MethodPatch:
		patch(w, r, s)
	default:
		reply(w, r, http.StatusMethodNotAllowed, "")
	}
}

func patch(w http.ResponseWriter, r *http.Request, s *session) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/trickle-ice-sdpfrag") {
		reply(w, r, http.StatusUnsupportedMediaType, "application/trickle-ice-sdpfrag required")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	if err != nil {
		reply(w, r, http.StatusBadRequest, err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	match := r.Header.Get("If-Match")
	if match == "" {
		reply(w, r, http.StatusPreconditionRequired, "If-Match required")
		return
	}
	if match != "*" && match != s.etag {
		reply(w, r, http.StatusPreconditionFailed, "")
		return
	}
	frag := string(body)
	ufrag, pwd := attribute(frag, "ice-ufrag"), attribute(frag, "ice-pwd")
	var candidates []string
	mid := ""
	for _, line := range lines(frag) {
		if strings.HasPrefix(line, "a=candidate:") {
			candidates = append(candidates, strings.TrimPrefix(line, "a="))
		} else if strings.HasPrefix(line, "a=mid:") && mid == "" {
			mid = strings.TrimPrefix(line, "a=mid:")
		}
	}
	remote := s.pc.RemoteDescription()
	if remote == nil {
		reply(w, r, http.StatusConflict, "no remote description")
		return
	}
	oldUfrag, oldPwd := attribute(remote.SDP, "ice-ufrag"), attribute(remote.SDP, "ice-pwd")
	if ufrag != "" && pwd != "" && (ufrag != oldUfrag || pwd != oldPwd) {
		restart(w, r, s, remote.SDP, ufrag, pwd, candidates)
		return
	}
	for _, c := range candidates {
		m := mid
		if err = s.pc.AddICECandidate(webrtc.ICECandidateInit{Candidate: c, SDPMid: &m}); err != nil {
			emit(map[string]interface{}{"event": "candidate-refused", "id": s.id, "candidate": c, "error": err.Error()})
		}
	}
	emit(map[string]interface{}{"event": "trickle", "id": s.id, "candidates": len(candidates), "body": frag})
	reply(w, r, http.StatusNoContent, "")
}

// restart applies the client's new credentials as a new remote offer (the old one with them, its
// candidates replaced by the PATCH's), which makes Pion restart its ICE agent with new local
// credentials, then answers the PATCH with those and the candidates gathered for them.
func restart(w http.ResponseWriter, r *http.Request, s *session, oldOffer, ufrag, pwd string, candidates []string) {
	var b strings.Builder
	for _, line := range lines(oldOffer) {
		switch {
		case strings.HasPrefix(line, "a=ice-ufrag:"):
			line = "a=ice-ufrag:" + ufrag
		case strings.HasPrefix(line, "a=ice-pwd:"):
			line = "a=ice-pwd:" + pwd
		case strings.HasPrefix(line, "a=candidate:"), line == "a=end-of-candidates":
			continue
		}
		b.WriteString(line + "\r\n")
		if strings.HasPrefix(line, "a=ice-pwd:") {
			for _, c := range candidates {
				b.WriteString("a=" + c + "\r\n")
			}
		}
	}
	if err := s.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: b.String()}); err != nil {
		reply(w, r, http.StatusUnprocessableEntity, "restart refused: "+err.Error())
		return
	}
	answer, err := answerGathered(s.pc)
	if err != nil {
		reply(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	newUfrag, newPwd := attribute(answer, "ice-ufrag"), attribute(answer, "ice-pwd")
	s.etag = `"` + newUfrag + `"`
	atomic.AddInt64(&s.restarts, 1)
	var frag strings.Builder
	frag.WriteString("a=ice-ufrag:" + newUfrag + "\r\na=ice-pwd:" + newPwd + "\r\n")
	mediaStarted := false
	for _, line := range lines(answer) {
		if strings.HasPrefix(line, "m=") {
			if mediaStarted {
				break
			}
			mediaStarted = true
			frag.WriteString(line + "\r\n")
		} else if mediaStarted && (strings.HasPrefix(line, "a=mid:") || strings.HasPrefix(line, "a=candidate:")) {
			frag.WriteString(line + "\r\n")
		}
	}
	frag.WriteString("a=end-of-candidates\r\n")
	w.Header().Set("Content-Type", "application/trickle-ice-sdpfrag")
	w.Header().Set("ETag", s.etag)
	emit(map[string]interface{}{"event": "restart", "id": s.id, "remoteUfrag": ufrag, "localUfrag": newUfrag, "body": frag.String()})
	reply(w, r, http.StatusOK, frag.String())
}

func end(s *session, reason string) {
	sessionsMu.Lock()
	_, present := sessions[s.id]
	delete(sessions, s.id)
	sessionsMu.Unlock()
	s.mu.Lock()
	if s.deleted {
		s.mu.Unlock()
		return
	}
	s.deleted = true
	s.mu.Unlock()
	close(s.closed)
	_ = s.pc.Close()
	s.fileMu.Lock()
	if s.file != nil {
		_ = s.file.Close()
		s.file = nil
	}
	s.fileMu.Unlock()
	if present {
		emit(map[string]interface{}{
			"event": "ended", "id": s.id, "kind": s.kind, "reason": reason,
			"packetsReceived": atomic.LoadInt64(&s.received), "packetsSent": atomic.LoadInt64(&s.sent),
			"codec": s.codec.Load(), "payloadType": atomic.LoadInt64(&s.pt), "restarts": atomic.LoadInt64(&s.restarts),
			"dump": filepath.Join(dir, s.id+".rtp"),
		})
	}
}

func lines(sdp string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(sdp))
	for sc.Scan() {
		if line := strings.TrimRight(sc.Text(), "\r"); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// attribute returns the value of the first a=NAME: line.
func attribute(sdp, name string) string {
	for _, line := range lines(sdp) {
		if strings.HasPrefix(line, "a="+name+":") {
			return strings.TrimPrefix(line, "a="+name+":")
		}
	}
	return ""
}

// readOggPackets returns the Opus packets of an Ogg Opus file whose pages each hold one packet.
func readOggPackets(path string) ([][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, _, err := oggreader.NewWith(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var packets [][]byte
	for {
		payload, _, perr := r.ParseNextPage()
		if errors.Is(perr, io.EOF) {
			break
		}
		if perr != nil {
			return nil, fmt.Errorf("%s: %w", path, perr)
		}
		if len(payload) == 0 || bytes.HasPrefix(payload, []byte("OpusTags")) {
			continue
		}
		packets = append(packets, payload)
	}
	if len(packets) == 0 {
		return nil, fmt.Errorf("%s: no audio packets", path)
	}
	return packets, nil
}
