// Command pionvideobench is the Pion side of benchmarks/video-vs-pion.sh: "depacketize plus frame
// assembly per packet" for VP8, H.264 and AV1 with Pion's codecs (Debian's golang-github-pion-rtp-dev),
// on the same input packets RtcStack's BenchmarkDotNet class reads.
//
//	pionvideobench gen DIR     writes DIR/vp8.bin, DIR/h264.bin and DIR/av1.bin: deterministic synthetic frames
//	                           (30 fps, a key frame every 30) cut into RTP payloads by Pion's payloaders,
//	                           and the frames themselves (DIR/vp8-frames.bin, DIR/h264-frames.bin: count
//	                           u32, then length u32 and bytes per frame; for AV1, DIR/av1-frames.bin holds
//	                           each unit in low-overhead form: a temporal delimiter, then every OBU with
//	                           obu_size), which RtcStack's interop test
//	                           compares with what its assembler makes of Pion's packets
//	pionvideobench bench DIR   per packet: codecs.VP8Packet / codecs.H264Packet Unmarshal, then the
//	                           payload appended to a reusable frame buffer, the frame counted at the
//	                           marker bit; for AV1, codecs.AV1Packet Unmarshal and frame.AV1 ReadFrames
//	                           (Pion's OBU reassembly), each complete OBU appended; prints ns, bytes and
//	                           allocations per packet
//
// AV1 temporal units are OBUs without obu_size (obu_has_size_field 0, as AV1 RTP §5 sends them): a
// sequence header OBU (type 1) on key frames, then one frame OBU (type 6); each OBU is cut by Pion's
// AV1Payloader (one OBU element per packet, W = 0, Z/Y for fragments), the marker on the unit's last packet.
//
// Input file layout (little-endian): "RTCVID1\x00", codec byte (0 VP8, 1 H.264, 2 AV1), packet count u32,
// then per packet: sequence number u16, timestamp u32, marker u8, payload length u16, payload.
package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/pion/rtp/codecs"
	"github.com/pion/rtp/pkg/frame"
)

const (
	mtu       = 1200
	frameRate = 30
	frames    = 300
)

type packet struct {
	seq     uint16
	ts      uint32
	marker  bool
	payload []byte
}

func main() {
	if len(os.Args) != 3 || (os.Args[1] != "gen" && os.Args[1] != "bench") {
		fmt.Fprintln(os.Stderr, "usage: pionvideobench gen|bench DIR")
		os.Exit(2)
	}
	dir := os.Args[2]
	var err error
	if os.Args[1] == "gen" {
		err = generate(dir)
	} else {
		err = benchAll(dir)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

// nonZero fills b with bytes 1..255, so that no start code or emulation-prevention pattern appears.
func nonZero(r *rand.Rand, b []byte) {
	for i := range b {
		b[i] = byte(1 + r.Intn(255))
	}
}

func frameSize(r *rand.Rand, i int) int {
	if i%frameRate == 0 {
		return 40000 + r.Intn(20000)
	}
	return 3000 + r.Intn(7000)
}

func vp8Frame(r *rand.Rand, i int) []byte {
	n := frameSize(r, i)
	f := make([]byte, n)
	nonZero(r, f)
	key := i%frameRate == 0
	size := n
	if size > 0x7FFFF {
		size = 0x7FFFF
	}
	tag := uint32(1<<4) | uint32(size)<<5 // show_frame, first partition size
	if !key {
		tag |= 1
	}
	f[0], f[1], f[2] = byte(tag), byte(tag>>8), byte(tag>>16)
	if key {
		copy(f[3:], []byte{0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01}) // 640x480
	}
	return f
}

func h264Frame(r *rand.Rand, i int) []byte {
	var au []byte
	nal := func(header byte, n int, firstSlice bool) {
		b := make([]byte, n)
		nonZero(r, b)
		b[0] = header
		if firstSlice {
			b[1] |= 0x80 // first_mb_in_slice = 0
		}
		au = append(au, 0, 0, 0, 1)
		au = append(au, b...)
	}
	n := frameSize(r, i)
	if i%frameRate == 0 {
		au = append(au, 0, 0, 0, 1, 0x67, 0x42, 0xe0, 0x1f, 0x8c, 0x8d, 0x40)
		au = append(au, 0, 0, 0, 1, 0x68, 0xce, 0x3c, 0x80)
		nal(0x65, n, true)
	} else {
		// Two slices per picture, as multi-slice encoders send.
		nal(0x41, n/2, true)
		nal(0x41, n-n/2, false)
	}
	return au
}

// av1Unit is one temporal unit as OBUs without obu_size: a sequence header on key frames, then a frame OBU.
func av1Unit(r *rand.Rand, i int) [][]byte {
	var obus [][]byte
	if i%frameRate == 0 {
		seq := make([]byte, 12)
		nonZero(r, seq)
		seq[0] = 1 << 3 // OBU_SEQUENCE_HEADER, no extension, no size field
		obus = append(obus, seq)
	}
	f := make([]byte, frameSize(r, i))
	nonZero(r, f)
	f[0] = 6 << 3 // OBU_FRAME
	return append(obus, f)
}

func appendLeb128(b []byte, v int) []byte {
	for v >= 0x80 {
		b = append(b, byte(v&0x7f)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func generate(dir string) error {
	r := rand.New(rand.NewSource(20261206))
	var vp8 []packet
	var h264 []packet
	var vp8Frames, h264Frames [][]byte
	vp := &codecs.VP8Payloader{EnablePictureID: true}
	hp := &codecs.H264Payloader{}
	seqV, seqH := uint16(65000), uint16(65000)
	for i := 0; i < frames; i++ {
		ts := uint32(i * 90000 / frameRate)
		vf, hf := vp8Frame(r, i), h264Frame(r, i)
		vp8Frames, h264Frames = append(vp8Frames, vf), append(h264Frames, hf)
		payloads := vp.Payload(mtu, vf)
		for j, p := range payloads {
			vp8 = append(vp8, packet{seqV, ts, j == len(payloads)-1, p})
			seqV++
		}
		payloads = hp.Payload(mtu, hf)
		for j, p := range payloads {
			h264 = append(h264, packet{seqH, ts, j == len(payloads)-1, p})
			seqH++
		}
	}
	if err := write(filepath.Join(dir, "vp8.bin"), 0, vp8); err != nil {
		return err
	}
	if err := write(filepath.Join(dir, "h264.bin"), 1, h264); err != nil {
		return err
	}
	// AV1 from its own generator (after the others, so their bytes do not change).
	ra := rand.New(rand.NewSource(20261207))
	ap := &codecs.AV1Payloader{}
	var av1 []packet
	var av1Frames [][]byte
	seqA := uint16(65000)
	for i := 0; i < frames; i++ {
		ts := uint32(i * 90000 / frameRate)
		var payloads [][]byte
		lowOverhead := []byte{0x12, 0x00} // the temporal delimiter a decoder-form unit starts with
		for _, o := range av1Unit(ra, i) {
			payloads = append(payloads, ap.Payload(mtu, o)...)
			lowOverhead = append(lowOverhead, o[0]|0x02) // obu_has_size_field
			lowOverhead = appendLeb128(lowOverhead, len(o)-1)
			lowOverhead = append(lowOverhead, o[1:]...)
		}
		av1Frames = append(av1Frames, lowOverhead)
		for j, p := range payloads {
			av1 = append(av1, packet{seqA, ts, j == len(payloads)-1, p})
			seqA++
		}
	}
	if err := write(filepath.Join(dir, "av1.bin"), 2, av1); err != nil {
		return err
	}
	if err := writeFrames(filepath.Join(dir, "av1-frames.bin"), av1Frames); err != nil {
		return err
	}
	if err := writeFrames(filepath.Join(dir, "vp8-frames.bin"), vp8Frames); err != nil {
		return err
	}
	return writeFrames(filepath.Join(dir, "h264-frames.bin"), h264Frames)
}

func writeFrames(path string, frames [][]byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	binary.Write(w, binary.LittleEndian, uint32(len(frames)))
	for _, frame := range frames {
		binary.Write(w, binary.LittleEndian, uint32(len(frame)))
		w.Write(frame)
	}
	return w.Flush()
}

func write(path string, codec byte, packets []packet) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	w.WriteString("RTCVID1\x00")
	w.WriteByte(codec)
	binary.Write(w, binary.LittleEndian, uint32(len(packets)))
	for _, p := range packets {
		binary.Write(w, binary.LittleEndian, p.seq)
		binary.Write(w, binary.LittleEndian, p.ts)
		m := byte(0)
		if p.marker {
			m = 1
		}
		w.WriteByte(m)
		binary.Write(w, binary.LittleEndian, uint16(len(p.payload)))
		w.Write(p.payload)
	}
	return w.Flush()
}

func read(path string) (byte, []packet, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, nil, err
	}
	if len(data) < 13 || string(data[:8]) != "RTCVID1\x00" {
		return 0, nil, errors.New(path + ": not a video benchmark input")
	}
	codec := data[8]
	count := int(binary.LittleEndian.Uint32(data[9:]))
	data = data[13:]
	packets := make([]packet, 0, count)
	for i := 0; i < count; i++ {
		if len(data) < 9 {
			return 0, nil, io.ErrUnexpectedEOF
		}
		n := int(binary.LittleEndian.Uint16(data[7:]))
		if len(data) < 9+n {
			return 0, nil, io.ErrUnexpectedEOF
		}
		packets = append(packets, packet{binary.LittleEndian.Uint16(data), binary.LittleEndian.Uint32(data[2:]), data[6] == 1, data[9 : 9+n]})
		data = data[9+n:]
	}
	return codec, packets, nil
}

// pass depacketizes every packet once and joins each frame's payloads in a reusable buffer.
type assembler struct {
	vp8    codecs.VP8Packet
	h264   codecs.H264Packet
	av1    codecs.AV1Packet
	av1f   frame.AV1
	frame  []byte
	frames int
	bytes  int
}

func (a *assembler) pass(codec byte, packets []packet) error {
	for i := range packets {
		var data []byte
		var err error
		switch codec {
		case 0:
			data, err = a.vp8.Unmarshal(packets[i].payload)
		case 1:
			data, err = a.h264.Unmarshal(packets[i].payload)
		default:
			if _, err = a.av1.Unmarshal(packets[i].payload); err == nil {
				var obus [][]byte
				if obus, err = a.av1f.ReadFrames(&a.av1); err == nil {
					for _, o := range obus {
						a.frame = append(a.frame, o...)
					}
				}
			}
		}
		if err != nil {
			return err
		}
		a.frame = append(a.frame, data...)
		if packets[i].marker {
			a.frames++
			a.bytes += len(a.frame)
			a.frame = a.frame[:0]
		}
	}
	return nil
}

func benchAll(dir string) error {
	for _, name := range []string{"vp8.bin", "h264.bin", "av1.bin"} {
		codec, packets, err := read(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		a := &assembler{frame: make([]byte, 0, 1<<20)}
		for i := 0; i < 3; i++ { // warm-up
			if err := a.pass(codec, packets); err != nil {
				return err
			}
		}
		a.frames, a.bytes = 0, 0
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		passes := 0
		for time.Since(start) < 3*time.Second {
			if err := a.pass(codec, packets); err != nil {
				return err
			}
			passes++
		}
		elapsed := time.Since(start)
		runtime.ReadMemStats(&after)
		total := float64(passes * len(packets))
		label := map[byte]string{0: "VP8", 1: "H.264", 2: "AV1"}[codec]
		fmt.Printf("pion %s: %d packets x %d passes, %.1f ns/packet, %.1f B/packet, %.3f allocs/packet, %d frames (%d B per pass)\n",
			label, len(packets), passes, float64(elapsed.Nanoseconds())/total,
			float64(after.TotalAlloc-before.TotalAlloc)/total, float64(after.Mallocs-before.Mallocs)/total,
			a.frames/passes, a.bytes/passes)
	}
	fmt.Println("pion go:", runtime.Version())
	return nil
}
