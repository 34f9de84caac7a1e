using RtcStack.Stun;
using RtcStack.WebRtc.Io;

namespace RtcStack.Cli.Commands;

/// <summary>
/// The load test's control: an endpoint that does no protocol work (no ICE, DTLS, SRTP, RTCP), so a run
/// with it measures only what <see cref="UdpSessionHost"/> and the kernel cost per datagram. It sends one
/// datagram of the sessions' wire size to a fixed peer per <see cref="Queue"/> and counts what arrives.
/// </summary>
internal sealed class BenchNullEndpoint : IIceDatagramEndpoint
{
    private readonly byte[] _packet;
    private readonly Action _onReceive;
    private int _pending;
    private bool _sentFirst;

    public BenchNullEndpoint(string ufrag, int size, Action onReceive)
    {
        LocalIceUfrag = ufrag;
        _packet = new byte[size];
        new Random(ufrag.GetHashCode(StringComparison.Ordinal)).NextBytes(_packet);
        _onReceive = onReceive;
    }

    public string LocalIceUfrag { get; }

    public TransportAddress Local { get; set; }

    public void AddLocalAddress(TransportAddress address) => Local = address;

    public TransportAddress Peer { get; set; }

    /// <summary>Queues one datagram to <see cref="Peer"/> (the host sends it when the call returns).</summary>
    public bool Queue()
    {
        _pending++;
        return true;
    }

    public void HandleDatagram(TransportAddress local, TransportAddress remote, ReadOnlySpan<byte> datagram, TimeSpan now) => _onReceive();

    public void HandleTimeout(TimeSpan now)
    {
    }

    public TimeSpan? PollTimeout() => null;

    public bool TryPollTransmit(Span<byte> buffer, out DatagramTransmit transmit)
    {
        if (_pending == 0)
        {
            transmit = default;
            return false;
        }

        _pending--;
        _packet.CopyTo(buffer);

        // The first datagram starts like a STUN Binding request (RFC 8489 §5: type 0x0001, class request), so a
        // shared-socket host learns the route back (as it does for a session's connectivity checks); later ones look
        // like RTP. Only the first byte was set before: the second was random, and with its 0x10 bit set (the class's C0
        // bit: an indication or response) the host learnt no route, so half the endpoints on the shared socket heard
        // nothing at all in a control run.
        buffer[0] = _sentFirst ? (byte)0x80 : (byte)0x00;
        if (!_sentFirst)
        {
            buffer[1] = 0x01;
        }
        _sentFirst = true;
        transmit = new DatagramTransmit(Local, Peer, _packet.Length);
        return true;
    }
}
