using System.Buffers.Binary;
using RtcStack.Opus.Jitter;

namespace RtcStack.NetSim.Tests.JitterBuffer;

/// <summary>
/// A stand-in decoder for the quality runs (no libopus needed): a 6-byte packet (duration ms, flags, big-endian RTP
/// timestamp) decodes to a 200 Hz tone at the timestamp's phase; concealment continues the tone at half amplitude.
/// The jitter buffer's decisions and counters do not depend on what the audio sounds like, except that time-stretching
/// needs audio that repeats (speech's voiced parts do; the tone always does).
/// </summary>
internal sealed class ToneDecoder : IJitterBufferDecoder
{
    private long _position;

    public int SampleRate => 48000;

    public int Channels => 1;

    public static byte[] Packet(uint timestamp)
    {
        var packet = new byte[6];
        packet[0] = 20;
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(2), timestamp);
        return packet;
    }

    public int GetDuration(ReadOnlySpan<byte> packet) => packet.Length == 6 && packet[0] == 20 ? 960 : -1;

    public bool HasFec(ReadOnlySpan<byte> packet) => false;

    public int Decode(ReadOnlySpan<byte> packet, Span<short> pcm)
    {
        if (GetDuration(packet) != 960 || pcm.Length < 960)
        {
            return -4;
        }

        _position = BinaryPrimitives.ReadUInt32BigEndian(packet[2..]);
        Fill(pcm[..960], 8000);
        return 960;
    }

    public int DecodeFec(ReadOnlySpan<byte> nextPacket, Span<short> pcm) => -4;

    public int Conceal(Span<short> pcm)
    {
        Fill(pcm, 4000);
        return pcm.Length;
    }

    public void Reset() => _position = 0;

    private void Fill(Span<short> pcm, double amplitude)
    {
        for (int i = 0; i < pcm.Length; i++)
        {
            pcm[i] = (short)(amplitude * Math.Sin(2 * Math.PI * 200 * (_position + i) / 48000));
        }

        _position += pcm.Length;
    }
}
