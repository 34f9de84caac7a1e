// Command whippeer is RtcStack's own WHIP client built on Pion WebRTC v3 (Debian's
// golang-github-pion-webrtc.v3-dev). The interop suite builds it in GOPATH mode, offline, and runs it
// against `rtcstack serve`: it offers one sendrecv Opus transceiver, POSTs the offer to the WHIP
// endpoint (RFC 9725 §4.2), applies the answer, sends the Opus packets of an Ogg file (one packet
// per page) in real time, writes the RTP packets it receives to a file (each as a 2-byte big-endian
// length and the packet, SRTP removed), DELETEs the session and prints one JSON summary line.
// Every socket it opens is on 127.0.0.1.
//
// Pion's oggwriter is not used for the received audio: it gives the first audio page granule
// position 1, fewer samples than the page holds, which RFC 7845 §4.5 requires a reader to reject.
package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/ice/v2"
	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v3"
	"github.com/pion/webrtc/v3/pkg/media"
	"github.com/pion/webrtc/v3/pkg/media/oggreader"
)

type summary struct {
	Connected       bool    `json:"connected"`
	ConnectedMs     float64 `json:"connectedMs"`
	WhipStatus      int     `json:"whipStatus"`
	DeleteStatus    int     `json:"deleteStatus"`
	PacketsSent     int64   `json:"packetsSent"`
	PacketsReceived int64   `json:"packetsReceived"`
	RtcpReceived    int64   `json:"rtcpReceived"`
	ReceivedCodec   string  `json:"receivedCodec"`
	ReceivedPT      uint8   `json:"receivedPayloadType"`
	SelectedPair    string  `json:"selectedPair"`
	DtlsState       string  `json:"dtlsState"`
	IceRole         string  `json:"iceRole"`
	Error           string  `json:"error,omitempty"`
}

func main() {
	whipURL := flag.String("whip", "", "WHIP endpoint URL (http://127.0.0.1:PORT/whip)")
	token := flag.String("token", "", "bearer token for the WHIP endpoint")
	in := flag.String("in", "", "Ogg Opus file to send, one 20 ms packet per page")
	out := flag.String("out", "", "file to write the received RTP packets to (length-prefixed)")
	offerOut := flag.String("offer-out", "", "file to write our offer to")
	answerOut := flag.String("answer-out", "", "file to write the WHIP answer to")
	tail := flag.Duration("tail", 600*time.Millisecond, "how long to keep receiving after the last packet is sent")
	timeout := flag.Duration("timeout", 15*time.Second, "give up when not connected after this long")
	flag.Parse()

	s := &summary{}
	err := run(s, *whipURL, *token, *in, *out, *offerOut, *answerOut, *tail, *timeout)
	if err != nil {
		s.Error = err.Error()
	}
	line, _ := json.Marshal(s)
	fmt.Println(string(line))
	if err != nil {
		os.Exit(1)
	}
}

func run(s *summary, whipURL, token, in, out, offerOut, answerOut string, tail, timeout time.Duration) error {
	if whipURL == "" || in == "" || out == "" {
		return errors.New("-whip, -in and -out are required")
	}

	packets, err := readOggPackets(in)
	if err != nil {
		return err
	}

	m := &webrtc.MediaEngine{}
	if err = m.RegisterDefaultCodecs(); err != nil {
		return err
	}
	registry := &interceptor.Registry{}
	if err = webrtc.RegisterDefaultInterceptors(m, registry); err != nil {
		return err
	}
	// Transport-wide sequence numbers on our audio too, so the far end's TWCC feedback is exercised.
	if err = webrtc.ConfigureTWCCHeaderExtensionSender(m, registry); err != nil {
		return err
	}

	se := webrtc.SettingEngine{}
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetIncludeLoopbackCandidate(true)
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)

	api := webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(registry), webrtc.WithSettingEngine(se))
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return err
	}
	defer pc.Close()

	track, err := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "audio", "rtcstack-pion-peer")
	if err != nil {
		return err
	}
	sender, err := pc.AddTrack(track)
	if err != nil {
		return err
	}
	go func() {
		buf := make([]byte, 1500)
		for {
			if _, _, rerr := sender.Read(buf); rerr != nil {
				return
			}
			atomic.AddInt64(&s.RtcpReceived, 1)
		}
	}()

	file, err := os.Create(out)
	if err != nil {
		return err
	}
	var fileMu sync.Mutex
	var receiving sync.WaitGroup
	pc.OnTrack(func(t *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		receiving.Add(1)
		defer receiving.Done()
		s.ReceivedCodec = t.Codec().MimeType
		s.ReceivedPT = uint8(t.PayloadType())
		for {
			p, _, rerr := t.ReadRTP()
			if rerr != nil {
				return
			}
			atomic.AddInt64(&s.PacketsReceived, 1)
			raw, merr := p.Marshal()
			if merr != nil {
				return
			}
			record := make([]byte, 2, 2+len(raw))
			binary.BigEndian.PutUint16(record, uint16(len(raw)))
			fileMu.Lock()
			_, werr := file.Write(append(record, raw...))
			fileMu.Unlock()
			if werr != nil {
				return
			}
		}
	})

	connected := make(chan struct{})
	failed := make(chan struct{})
	var once sync.Once
	pc.OnConnectionStateChange(func(st webrtc.PeerConnectionState) {
		switch st {
		case webrtc.PeerConnectionStateConnected:
			once.Do(func() { close(connected) })
		case webrtc.PeerConnectionStateFailed:
			select {
			case <-failed:
			default:
				close(failed)
			}
		}
	})

	offer, err := pc.CreateOffer(nil)
	if err != nil {
		return err
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err = pc.SetLocalDescription(offer); err != nil {
		return err
	}
	<-gathered
	local := pc.LocalDescription().SDP
	if offerOut != "" {
		if err = os.WriteFile(offerOut, []byte(local), 0o644); err != nil {
			return err
		}
	}

	start := time.Now()
	answer, location, status, err := post(whipURL, token, local)
	s.WhipStatus = status
	if err != nil {
		return err
	}
	if answerOut != "" {
		if err = os.WriteFile(answerOut, []byte(answer), 0o644); err != nil {
			return err
		}
	}
	if err = pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		return fmt.Errorf("applying the answer: %w", err)
	}

	select {
	case <-connected:
		s.Connected = true
		s.ConnectedMs = float64(time.Since(start).Microseconds()) / 1000
	case <-failed:
		return errors.New("the peer connection failed")
	case <-time.After(timeout):
		return fmt.Errorf("not connected after %v (state %s)", timeout, pc.ConnectionState())
	}

	// Real time, 20 ms per packet, on a schedule that catches up when the process is woken late.
	begin := time.Now()
	for i, p := range packets {
		if d := time.Until(begin.Add(time.Duration(i) * 20 * time.Millisecond)); d > 0 {
			time.Sleep(d)
		}
		if err = track.WriteSample(media.Sample{Data: p, Duration: 20 * time.Millisecond}); err != nil {
			return err
		}
		s.PacketsSent++
	}
	time.Sleep(tail)

	fillStats(s, pc)
	s.DeleteStatus = del(whipURL, location, token)
	err = pc.Close()
	receiving.Wait()
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	return err
}

// readOggPackets returns the Opus packets of an Ogg Opus file whose pages each hold one packet
// (Pion's reader returns page payloads, not packets), skipping the OpusTags header page.
func readOggPackets(path string) ([][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, head, err := oggreader.NewWith(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if head.SampleRate == 0 {
		return nil, errors.New("no OpusHead")
	}
	var packets [][]byte
	var last uint64
	for {
		payload, page, perr := r.ParseNextPage()
		if errors.Is(perr, io.EOF) {
			break
		}
		if perr != nil {
			return nil, fmt.Errorf("%s: %w", path, perr)
		}
		if len(payload) == 0 || bytes.HasPrefix(payload, []byte("OpusTags")) {
			continue // the comment header, or an empty end-of-stream page
		}
		if len(packets) > 0 && page.GranulePosition-last != 960 {
			return nil, fmt.Errorf("%s: page %d covers %d samples; one 20 ms packet per page expected", path, len(packets), page.GranulePosition-last)
		}
		last = page.GranulePosition
		packets = append(packets, payload)
	}
	if len(packets) == 0 {
		return nil, fmt.Errorf("%s: no audio packets", path)
	}
	return packets, nil
}

func post(whipURL, token, offer string) (string, string, int, error) {
	req, err := http.NewRequest(http.MethodPost, whipURL, strings.NewReader(offer))
	if err != nil {
		return "", "", 0, err
	}
	req.Header.Set("Content-Type", "application/sdp")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", "", 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", "", resp.StatusCode, err
	}
	if resp.StatusCode != http.StatusCreated {
		return "", "", resp.StatusCode, fmt.Errorf("WHIP POST answered %d: %s", resp.StatusCode, strings.TrimSpace(string(body)))
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/sdp") {
		return "", "", resp.StatusCode, fmt.Errorf("WHIP answer has content type %q", ct)
	}
	return string(body), resp.Header.Get("Location"), resp.StatusCode, nil
}

func del(whipURL, location, token string) int {
	if location == "" {
		return 0
	}
	base, err := url.Parse(whipURL)
	if err != nil {
		return 0
	}
	ref, err := url.Parse(location)
	if err != nil {
		return 0
	}
	req, err := http.NewRequest(http.MethodDelete, base.ResolveReference(ref).String(), nil)
	if err != nil {
		return 0
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

func fillStats(s *summary, pc *webrtc.PeerConnection) {
	// Pion 3.1.56 leaves the transport stats' DTLS state and ICE role empty: ask the transports.
	dtls := pc.SCTP().Transport()
	s.DtlsState = dtls.State().String()
	s.IceRole = dtls.ICETransport().Role().String()
	report := pc.GetStats()
	for _, v := range report {
		if pair, ok := v.(webrtc.ICECandidatePairStats); ok && pair.Nominated {
			s.SelectedPair = describe(report, pair.LocalCandidateID) + " -> " + describe(report, pair.RemoteCandidateID)
		}
	}
}

func describe(report webrtc.StatsReport, id string) string {
	if c, ok := report[id].(webrtc.ICECandidateStats); ok {
		return fmt.Sprintf("%s:%d (%s)", c.IP, c.Port, c.CandidateType)
	}
	return id
}
