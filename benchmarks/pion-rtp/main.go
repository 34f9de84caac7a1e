// Command pionrtpbench is the Pion side of benchmarks/rtp-vs-pion.sh: RTP, RTCP and STUN parse and write with
// Debian's pion/rtp, pion/rtcp, pion/stun and pion/interceptor (twcc), on the exact bytes RtcStack's
// BenchmarkDotNet classes use (written by `RtcStack.Benchmarks export-pion-inputs DIR`).
//
//	pionrtpbench bench DIR   checks that Pion reads and writes the same bytes as ours, then prints one line per
//	                         case: name, ns/op, B/op, allocs/op (testing.Benchmark, GOMAXPROCS as given);
//	                         with --check, one iteration per case (a smoke run; its times mean nothing)
//
// Each case does what the RtcStack benchmark of the same name does, the way a Pion user would write it, reusing
// what Pion lets a caller reuse (one rtp.Packet, one stun.Message, one output buffer):
//
//	RtpPacket.Parse                rtp.Packet.Unmarshal; sequence number + payload length
//	RtpPacket.ParseWithExtensions  the same, then audio level, transport-wide sequence and MID through
//	                               GetExtension and the typed Unmarshal methods
//	RtpPacket.WriteWithExtensions  header fields, the four extensions marshalled and set, MarshalTo
//	Rtcp.CompoundParse             rtcp.Unmarshal of the compound; every field ours reads, every TWCC result
//	Rtcp.TwccBuild                 interceptor/twcc Recorder: Record each received packet, BuildFeedbackPacket,
//	                               Marshal (RtcStack writes the same feedback from the arrival list)
//	Rtcp.TwccParse                 rtcp.TransportLayerCC.Unmarshal; walk the chunks and deltas to every arrival time
//	Stun.ParseAndVerify            stun.Message.Decode, FINGERPRINT and MESSAGE-INTEGRITY checks, USERNAME,
//	                               ICE-CONTROLLING, USE-CANDIDATE, PRIORITY (pion/ice's attribute types)
//	Stun.BuildRequest              stun.Message.Build with the same attributes (pion/ice's types, as its agent
//	                               builds a check), MESSAGE-INTEGRITY and FINGERPRINT
package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/pion/ice/v2"
	"github.com/pion/interceptor/pkg/twcc"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/stun"
)

var sink int64

func main() {
	if len(os.Args) < 3 || len(os.Args) > 4 || os.Args[1] != "bench" || len(os.Args) == 4 && os.Args[3] != "--check" {
		fmt.Fprintln(os.Stderr, "usage: pionrtpbench bench DIR [--check]")
		os.Exit(2)
	}
	testing.Init()
	if len(os.Args) == 4 {
		// --check: the byte checks and one iteration of each case, no timing.
		_ = flag.Set("test.benchtime", "1x")
	}
	if err := run(os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func read(dir, name string) []byte {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	return b
}

type rawAttr struct {
	t stun.AttrType
	v []byte
}

func (a rawAttr) AddTo(m *stun.Message) error {
	m.Add(a.t, a.v)
	return nil
}

func run(dir string) error {
	rtpIn := read(dir, "rtp.bin")
	payload := read(dir, "rtp-payload.bin")
	compound := read(dir, "rtcp-compound.bin")
	twccIn := read(dir, "twcc.bin")
	arrivalBytes := read(dir, "twcc-arrivals.bin")
	stunIn := read(dir, "stun-request.bin")
	key := read(dir, "stun-key.bin")

	arrivals := make([]int64, len(arrivalBytes)/8)
	for i := range arrivals {
		arrivals[i] = int64(binary.LittleEndian.Uint64(arrivalBytes[i*8:]))
	}

	// Same packet both ways: Pion's writer must produce our bytes for sequence number 1.
	var w rtp.Packet
	out := make([]byte, 1500)
	n, err := writeRTP(&w, payload, 1, out)
	if err != nil {
		return err
	}
	if !bytes.Equal(out[:n], rtpIn) {
		return fmt.Errorf("pion's RTP packet differs from ours:\n pion %x\n ours %x", out[:n], rtpIn)
	}
	if parseRTP(rtpIn, &rtp.Packet{}, true) == 0 {
		return errors.New("pion did not read the extensions of our RTP packet")
	}

	// TWCC: both feedback packets must report the same packets received and lost. Arrival times are compared with
	// the true ones (relative to the first packet): ours must be within one 250 µs tick of them; Pion's recorder
	// truncates each delta to the tick and carries the error on (its last timestamp is the true one, not the
	// reported one), so its drift is printed, not checked.
	oursReported, err := twccArrivals(twccIn)
	if err != nil {
		return err
	}
	rec := twcc.NewRecorder(1)
	pionFb, err := buildTWCC(rec, arrivals, 0)
	if err != nil {
		return err
	}
	pionReported, err := twccArrivals(pionFb)
	if err != nil {
		return err
	}
	if len(oursReported) != len(arrivals) || len(pionReported) != len(arrivals) {
		return fmt.Errorf("TWCC: %d packets sent, ours reports %d, pion's %d", len(arrivals), len(oursReported), len(pionReported))
	}
	var pionDrift int64
	for i, at := range arrivals {
		if (oursReported[i] < 0) != (at < 0) || (pionReported[i] < 0) != (at < 0) {
			return fmt.Errorf("TWCC: packet %d: sent %d, ours reports %d, pion's %d", i, at, oursReported[i], pionReported[i])
		}
		if at < 0 {
			continue
		}
		ours := (oursReported[i] - oursReported[0]) - (at - arrivals[0])
		pion := (pionReported[i] - pionReported[0]) - (at - arrivals[0])
		if ours > 250 || ours < -250 {
			return fmt.Errorf("TWCC: packet %d: ours reports %d µs from the first, the truth is %d", i, oursReported[i]-oursReported[0], at-arrivals[0])
		}
		if pion < 0 {
			pion = -pion
		}
		if pion > pionDrift {
			pionDrift = pion
		}
	}
	fmt.Printf("TWCC: same %d packets reported by both; ours within 250 µs of the true arrivals, pion's up to %d µs off\n", len(arrivals), pionDrift)

	// STUN: Pion must verify our request and build the same bytes with our transaction id.
	var tid [stun.TransactionIDSize]byte
	copy(tid[:], stunIn[8:20])
	integrity := stun.NewShortTermIntegrity(string(key))
	var sm stun.Message
	if parseSTUN(&sm, stunIn, integrity) != 1845501695 {
		return errors.New("pion did not verify our STUN request")
	}
	var bm stun.Message
	if err := buildSTUN(&bm, tid, integrity); err != nil {
		return err
	}
	if !bytes.Equal(bm.Raw, stunIn) {
		return fmt.Errorf("pion's STUN request differs from ours:\n pion %x\n ours %x", bm.Raw, stunIn)
	}

	fmt.Printf("inputs: RTP %d B, RTCP compound %d B, TWCC %d B (%d packets), STUN %d B; pion's bytes match ours\n",
		len(rtpIn), len(compound), len(twccIn), len(arrivals), len(stunIn))

	cases := []struct {
		name string
		f    func(b *testing.B)
	}{
		{"RtpPacket.Parse", func(b *testing.B) {
			var p rtp.Packet
			for i := 0; i < b.N; i++ {
				sink += parseRTP(rtpIn, &p, false)
			}
		}},
		{"RtpPacket.ParseWithExtensions", func(b *testing.B) {
			var p rtp.Packet
			for i := 0; i < b.N; i++ {
				sink += parseRTP(rtpIn, &p, true)
			}
		}},
		{"RtpPacket.WriteWithExtensions", func(b *testing.B) {
			var p rtp.Packet
			for i := 0; i < b.N; i++ {
				n, _ := writeRTP(&p, payload, uint16(i), out)
				sink += int64(n)
			}
		}},
		{"Rtcp.CompoundParse", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				sink += parseCompound(compound)
			}
		}},
		{"Rtcp.TwccBuild", func(b *testing.B) {
			r := twcc.NewRecorder(1)
			for i := 0; i < b.N; i++ {
				fb, _ := buildTWCC(r, arrivals, uint16(i*len(arrivals)))
				sink += int64(len(fb))
			}
		}},
		{"Rtcp.TwccParse", func(b *testing.B) {
			var cc rtcp.TransportLayerCC
			for i := 0; i < b.N; i++ {
				sink += parseTWCC(twccIn, &cc)
			}
		}},
		{"Stun.ParseAndVerify", func(b *testing.B) {
			var m stun.Message
			for i := 0; i < b.N; i++ {
				sink += int64(parseSTUN(&m, stunIn, integrity))
			}
		}},
		{"Stun.BuildRequest", func(b *testing.B) {
			var m stun.Message
			for i := 0; i < b.N; i++ {
				_ = buildSTUN(&m, tid, integrity)
				sink += int64(len(m.Raw))
			}
		}},
	}
	for _, c := range cases {
		f := c.f
		r := testing.Benchmark(func(b *testing.B) {
			b.ReportAllocs()
			f(b)
		})
		fmt.Printf("pion %s: %.1f ns/op, %d B/op, %d allocs/op (%d ops)\n", c.name, float64(r.T.Nanoseconds())/float64(r.N), r.AllocedBytesPerOp(), r.AllocsPerOp(), r.N)
	}
	return nil
}

func parseRTP(buf []byte, p *rtp.Packet, extensions bool) int64 {
	if err := p.Unmarshal(buf); err != nil {
		return 0
	}
	if !extensions {
		return int64(p.SequenceNumber) + int64(len(p.Payload))
	}
	var level rtp.AudioLevelExtension
	var tw rtp.TransportCCExtension
	if level.Unmarshal(p.GetExtension(1)) != nil || tw.Unmarshal(p.GetExtension(3)) != nil {
		return 0
	}
	mid := int64(0)
	if bytes.Equal(p.GetExtension(4), []byte("0")) {
		mid = 1
	}
	return int64(level.Level) + int64(tw.TransportSequence) + mid + int64(len(p.Payload))
}

// writeRTP writes what RtcStack's WriteOne writes: PT 111, the sequence number, timestamp seq × 960, SSRC
// 0x92D8E21A, one-byte extensions 1 audio level (voice, 30), 2 abs-send-time 0x123456, 3 transport-wide seq, 4 MID
// "0", and the payload.
func writeRTP(p *rtp.Packet, payload []byte, seq uint16, out []byte) (int, error) {
	p.Version = 2
	p.PayloadType = 111
	p.SequenceNumber = seq
	p.Timestamp = uint32(seq) * 960
	p.SSRC = 0x92D8E21A
	level, err := rtp.AudioLevelExtension{Level: 30, Voice: true}.Marshal()
	if err != nil {
		return 0, err
	}
	abs, _ := rtp.AbsSendTimeExtension{Timestamp: 0x123456}.Marshal()
	tw, _ := rtp.TransportCCExtension{TransportSequence: seq}.Marshal()
	for _, e := range []struct {
		id uint8
		v  []byte
	}{{1, level}, {2, abs}, {3, tw}, {4, []byte("0")}} {
		if err := p.SetExtension(e.id, e.v); err != nil {
			return 0, err
		}
	}
	p.Payload = payload
	return p.MarshalTo(out)
}

func parseCompound(buf []byte) int64 {
	pkts, err := rtcp.Unmarshal(buf)
	if err != nil {
		return 0
	}
	var sum int64
	for _, pkt := range pkts {
		switch p := pkt.(type) {
		case *rtcp.SenderReport:
			sum += int64(p.PacketCount)
			for _, r := range p.Reports {
				sum += int64(r.Jitter)
			}
		case *rtcp.SourceDescription:
			for _, c := range p.Chunks {
				for _, item := range c.Items {
					if item.Type == rtcp.SDESCNAME {
						sum += int64(len(item.Text))
					}
				}
			}
		case *rtcp.ReceiverEstimatedMaximumBitrate:
			sum += int64(p.Bitrate)
		case *rtcp.TransportLayerNack:
			for _, pair := range p.Nacks {
				pair.Range(func(s uint16) bool {
					sum += int64(s)
					return true
				})
			}
		case *rtcp.TransportLayerCC:
			sum += walkTWCC(p)
		}
	}
	return sum
}

func parseTWCC(buf []byte, cc *rtcp.TransportLayerCC) int64 {
	if err := cc.Unmarshal(buf); err != nil {
		return 0
	}
	return walkTWCC(cc)
}

// visitTWCC calls visit for every packet the feedback reports, in order: received or not, and the arrival time of a
// received one (reference time × 64 ms plus the running sum of the deltas, µs).
func visitTWCC(cc *rtcp.TransportLayerCC, visit func(received bool, at int64)) {
	t := int64(cc.ReferenceTime) * 64000
	d := 0
	left := int(cc.PacketStatusCount)
	one := func(symbol uint16) {
		if left == 0 {
			return
		}
		left--
		if symbol != rtcp.TypeTCCPacketNotReceived && d < len(cc.RecvDeltas) {
			t += cc.RecvDeltas[d].Delta
			d++
			visit(true, t)
		} else {
			visit(false, 0)
		}
	}
	for _, chunk := range cc.PacketChunks {
		switch c := chunk.(type) {
		case *rtcp.RunLengthChunk:
			for i := 0; i < int(c.RunLength); i++ {
				one(c.PacketStatusSymbol)
			}
		case *rtcp.StatusVectorChunk:
			for _, s := range c.SymbolList {
				if c.SymbolSize == rtcp.TypeTCCSymbolSizeOneBit && s == 1 {
					s = rtcp.TypeTCCPacketReceivedSmallDelta
				}
				one(s)
			}
		}
	}
}

// walkTWCC sums the arrival times of the received packets, as RtcStack's enumerator gives them.
func walkTWCC(cc *rtcp.TransportLayerCC) int64 {
	var sum int64
	visitTWCC(cc, func(received bool, at int64) {
		if received {
			sum += at
		}
	})
	return sum
}

// twccArrivals returns what a feedback packet reports per packet: the arrival time in µs, or -1 when lost.
func twccArrivals(buf []byte) ([]int64, error) {
	var cc rtcp.TransportLayerCC
	if err := cc.Unmarshal(buf); err != nil {
		return nil, err
	}
	var res []int64
	visitTWCC(&cc, func(received bool, at int64) {
		if !received {
			at = -1
		}
		res = append(res, at)
	})
	return res, nil
}

// buildTWCC records the received packets (sequence numbers from base, arrival times in µs) and writes the feedback.
func buildTWCC(r *twcc.Recorder, arrivals []int64, base uint16) ([]byte, error) {
	for i, at := range arrivals {
		if at >= 0 {
			r.Record(7, base+uint16(i), at)
		}
	}
	pkts := r.BuildFeedbackPacket()
	if len(pkts) != 1 {
		return nil, fmt.Errorf("TWCC: pion built %d packets", len(pkts))
	}
	return pkts[0].Marshal()
}

func parseSTUN(m *stun.Message, buf []byte, integrity stun.MessageIntegrity) uint32 {
	m.Raw = buf
	if m.Decode() != nil || stun.Fingerprint.Check(m) != nil || integrity.Check(m) != nil {
		return 0
	}
	var user stun.Username
	var controlling ice.AttrControlling
	var prio ice.PriorityAttr
	if user.GetFrom(m) != nil || len(user) == 0 || controlling.GetFrom(m) != nil || !ice.UseCandidate().IsSet(m) || prio.GetFrom(m) != nil {
		return 0
	}
	return uint32(prio)
}

var (
	username    = stun.NewUsername("RxfTnWYz:c3uLqmh8")
	networkInfo = rawAttr{0xC057, []byte{0x00, 0x01, 0x00, 0x0A}}
)

// buildSTUN writes what RtcStack's Build writes, with pion/ice's attribute types as Pion's agent does: USERNAME,
// GOOG-NETWORK-INFO, ICE-CONTROLLING, USE-CANDIDATE, PRIORITY, MESSAGE-INTEGRITY, FINGERPRINT.
func buildSTUN(m *stun.Message, tid [stun.TransactionIDSize]byte, integrity stun.MessageIntegrity) error {
	return m.Build(stun.BindingRequest, stun.NewTransactionIDSetter(tid), username, networkInfo,
		ice.AttrControlling(0x1122334455667788), ice.UseCandidate(), ice.PriorityAttr(1845501695),
		integrity, stun.Fingerprint)
}
