// Command pionsctpbench is the Pion side of benchmarks/datachannel-vs-pion.sh: the small-message rate of an SCTP
// association alone (no DTLS, no sockets), two of Pion's associations (Debian's golang-github-pion-sctp-dev, 1.8.6)
// talking over an in-memory, datagram-preserving pipe in this one process. Run it with GOMAXPROCS=1 (the script
// does) and pinned to one CPU, so that everything, Pion's read and write loops of both associations included,
// shares one core.
//
//	pionsctpbench [-messages N] [-size BYTES] [-buffered BYTES] [-warmup N]
//
// The sender writes N messages of BYTES bytes on one stream, ordered and reliable (Pion's default), each carrying
// its sequence number in its first 8 bytes (little-endian); it keeps the stream's buffered amount under -buffered
// and refills when Pion's buffered-amount-low callback fires (threshold: half the bound). The receiver reads every
// message (Stream.Read), checks its length and sequence number, and counts it. Time runs from the first write to
// the last message read. A first, unreported run of -warmup messages on another pair of associations comes first.
//
// Output (one line, parsed by the script):
//
//	pion sctp: N messages of S bytes in T s: R messages/s, cpu C s (P % of one core), K packets: D sender to receiver, B back, GOMAXPROCS=1
package main

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pion/logging"
	"github.com/pion/sctp"
)

// pipeEnd is one end of an in-memory packet pipe: each Write is one datagram, each Read returns one whole datagram
// (SCTP needs datagram boundaries, which net.Pipe, a byte stream, does not keep).
type pipeEnd struct {
	in     <-chan []byte
	out    chan<- []byte
	closed chan struct{}
	once   *sync.Once
	writes int64 // datagrams written by this end (read after the run)
}

type pipeAddr struct{}

func (pipeAddr) Network() string { return "memory" }
func (pipeAddr) String() string  { return "memory" }

func newPipe() (*pipeEnd, *pipeEnd) {
	ab := make(chan []byte, 4096)
	ba := make(chan []byte, 4096)
	closed := make(chan struct{})
	once := &sync.Once{}
	return &pipeEnd{in: ba, out: ab, closed: closed, once: once}, &pipeEnd{in: ab, out: ba, closed: closed, once: once}
}

func (p *pipeEnd) Read(b []byte) (int, error) {
	select {
	case d := <-p.in:
		if len(d) > len(b) {
			return 0, errors.New("datagram larger than the read buffer")
		}
		return copy(b, d), nil
	case <-p.closed:
		return 0, io.EOF
	}
}

func (p *pipeEnd) Write(b []byte) (int, error) {
	d := make([]byte, len(b)) // the wire's copy: the caller may reuse b
	copy(d, b)
	atomic.AddInt64(&p.writes, 1)
	select {
	case p.out <- d:
		return len(b), nil
	case <-p.closed:
		return 0, io.ErrClosedPipe
	}
}

func (p *pipeEnd) Close() error {
	p.once.Do(func() { close(p.closed) })
	return nil
}

func (p *pipeEnd) LocalAddr() net.Addr                { return pipeAddr{} }
func (p *pipeEnd) RemoteAddr() net.Addr               { return pipeAddr{} }
func (p *pipeEnd) SetDeadline(t time.Time) error      { return nil }
func (p *pipeEnd) SetReadDeadline(t time.Time) error  { return nil }
func (p *pipeEnd) SetWriteDeadline(t time.Time) error { return nil }

func cpuTime() time.Duration {
	var r syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &r); err != nil {
		return 0
	}
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}

type result struct {
	elapsed   time.Duration
	cpu       time.Duration
	toReceive int64 // datagrams the sender's association wrote during the timed run
	back      int64 // datagrams the receiver's association wrote
}

func run(messages, size, buffered int) (result, error) {
	c0, c1 := newPipe()
	lf := logging.NewDefaultLoggerFactory()
	lf.DefaultLogLevel = logging.LogLevelError

	type accepted struct {
		a   *sctp.Association
		err error
	}
	serverCh := make(chan accepted, 1)
	go func() {
		a, err := sctp.Server(sctp.Config{NetConn: c1, LoggerFactory: lf})
		serverCh <- accepted{a, err}
	}()
	a0, err := sctp.Client(sctp.Config{NetConn: c0, LoggerFactory: lf})
	if err != nil {
		return result{}, fmt.Errorf("client: %w", err)
	}
	s := <-serverCh
	if s.err != nil {
		return result{}, fmt.Errorf("server: %w", s.err)
	}
	a1 := s.a
	defer func() {
		_ = a0.Close()
		_ = a1.Close()
	}()

	stream, err := a0.OpenStream(1, sctp.PayloadTypeWebRTCBinary)
	if err != nil {
		return result{}, fmt.Errorf("open stream: %w", err)
	}
	low := make(chan struct{}, 1)
	stream.SetBufferedAmountLowThreshold(uint64(buffered / 2))
	stream.OnBufferedAmountLow(func() {
		select {
		case low <- struct{}{}:
		default:
		}
	})

	done := make(chan error, 1)
	go func() {
		in, err := a1.AcceptStream()
		if err != nil {
			done <- fmt.Errorf("accept stream: %w", err)
			return
		}
		buf := make([]byte, 65536)
		for i := 0; i < messages; i++ {
			n, err := in.Read(buf)
			if err != nil {
				done <- fmt.Errorf("read message %d: %w", i, err)
				return
			}
			if n != size || binary.LittleEndian.Uint64(buf[:8]) != uint64(i) {
				done <- fmt.Errorf("message %d arrived out of order or damaged (%d bytes)", i, n)
				return
			}
		}
		done <- nil
	}()

	msg := make([]byte, size)
	for i := 8; i < size; i++ {
		msg[i] = byte(i * 7)
	}
	writes0, writes1 := atomic.LoadInt64(&c0.writes), atomic.LoadInt64(&c1.writes)
	startCPU := cpuTime()
	start := time.Now()
	for i := 0; i < messages; i++ {
		for stream.BufferedAmount() >= uint64(buffered) {
			<-low
		}
		binary.LittleEndian.PutUint64(msg[:8], uint64(i))
		if _, err := stream.Write(msg); err != nil {
			return result{}, fmt.Errorf("write message %d: %w", i, err)
		}
	}
	select {
	case err := <-done:
		if err != nil {
			return result{}, err
		}
	case <-time.After(120 * time.Second):
		return result{}, errors.New("the receiver did not get every message within 120 s")
	}
	elapsed, cpu := time.Since(start), cpuTime()-startCPU
	return result{elapsed: elapsed, cpu: cpu, toReceive: atomic.LoadInt64(&c0.writes) - writes0, back: atomic.LoadInt64(&c1.writes) - writes1}, nil
}

func main() {
	messages := flag.Int("messages", 1000000, "messages to send")
	size := flag.Int("size", 64, "bytes per message (at least 8)")
	buffered := flag.Int("buffered", 1024*1024, "bound on the stream's buffered amount (bytes)")
	warmup := flag.Int("warmup", 100000, "messages of the unreported first run (0: none)")
	flag.Parse()
	if *messages < 1 || *size < 8 || *size > 65536 || *buffered < *size || *warmup < 0 {
		fmt.Fprintln(os.Stderr, "error: -messages at least 1, -size 8-65536, -buffered at least -size, -warmup not negative")
		os.Exit(2)
	}
	if *warmup > 0 {
		if _, err := run(*warmup, *size, *buffered); err != nil {
			fmt.Fprintln(os.Stderr, "error (warm-up):", err)
			os.Exit(1)
		}
	}
	r, err := run(*messages, *size, *buffered)
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	secs := r.elapsed.Seconds()
	fmt.Printf("pion sctp: %d messages of %d bytes in %.3f s: %.0f messages/s, cpu %.3f s (%.1f %% of one core), %d packets: %d sender to receiver, %d back, GOMAXPROCS=%d\n",
		*messages, *size, secs, float64(*messages)/secs, r.cpu.Seconds(), 100*r.cpu.Seconds()/secs, r.toReceive+r.back, r.toReceive, r.back, runtime.GOMAXPROCS(0))
}
