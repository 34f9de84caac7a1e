using RtcStack.Stun;
using RtcStack.Stun.Turn;

namespace RtcStack.Fuzz.Targets;

/// <summary>
/// The byte stream from a TURN server over TCP or TLS (RFC 8656 §3.1): <see cref="TurnStreamFraming"/> cuts it into STUN
/// and padded ChannelData frames (§12.5) exactly as the IO layer does, whatever the read sizes (the first byte picks
/// one), and each frame goes to an allocated TCP-mode <see cref="TurnClient"/>. Every frame must lie inside the
/// stream and be at least a header long, the cut must not depend on the read sizes, and the client must never throw.
/// </summary>
[FuzzTarget("turn-stream")]
public sealed class TurnStreamTarget : IFuzzTarget
{
    private static readonly TransportAddress s_server = TransportAddress.Parse("192.0.2.10:3478");
    private static readonly TransportAddress s_local = TransportAddress.Parse("10.0.0.1:5000");

    /// <inheritdoc/>
    public void Run(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        int chunk = 1 + (data[0] % 32);
        ReadOnlySpan<byte> stream = data[1..];
        List<(int Offset, int Length)> whole = Cut(stream, stream.Length);
        List<(int Offset, int Length)> pieces = Cut(stream, chunk);
        if (whole.Count != pieces.Count)
        {
            throw new InvalidOperationException($"read size {chunk} cut {pieces.Count} frames, one read {whole.Count}");
        }

        var client = new TurnClient(s_server, s_local, "user", "pass", new TurnClientOptions { Transport = TurnTransport.Tcp });
        client.Allocate(TimeSpan.Zero);
        client.BindChannel(s_server.WithPort(9), TimeSpan.Zero);
        Span<byte> sink = stackalloc byte[1500];
        for (int i = 0; i < whole.Count; i++)
        {
            if (whole[i] != pieces[i])
            {
                throw new InvalidOperationException("the cut depends on the read size");
            }

            (int offset, int length) = whole[i];
            if (length < ChannelData.HeaderLength || length > TurnStreamFraming.MaxFrameLength || offset + length > stream.Length)
            {
                throw new InvalidOperationException($"frame {offset}+{length} out of bounds");
            }

            ReadOnlySpan<byte> frame = stream.Slice(offset, length);
            if (client.HandleDatagram(frame, TimeSpan.FromMilliseconds(i), out _, out ReadOnlySpan<byte> payload) == TurnDataResult.PeerData && payload.Length > frame.Length)
            {
                throw new InvalidOperationException("peer data larger than its frame");
            }

            while (client.TryPollTransmit(sink, out _))
            {
            }
        }

        client.HandleTimeout(TimeSpan.FromSeconds(40));
        client.HandleConnectionClosed("fuzz", TimeSpan.FromSeconds(41));
    }

    // The frames the IO layer would deliver when the stream arrives in reads of `chunk` bytes.
    private static List<(int, int)> Cut(ReadOnlySpan<byte> stream, int chunk)
    {
        var frames = new List<(int, int)>();
        int start = 0;
        int available = 0;
        while (available < stream.Length)
        {
            available = Math.Min(stream.Length, available + chunk);
            while (true)
            {
                TurnStreamFrameStatus status = TurnStreamFraming.TryGetFrameLength(stream[start..available], out int length);
                if (status == TurnStreamFrameStatus.Invalid)
                {
                    return frames;
                }

                if (status == TurnStreamFrameStatus.NeedMore || available - start < length)
                {
                    break;
                }

                frames.Add((start, length));
                start += length;
            }
        }

        return frames;
    }
}
