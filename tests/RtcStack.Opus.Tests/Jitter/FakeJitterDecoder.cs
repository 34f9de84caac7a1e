using System.Buffers.Binary;
using RtcStack.Opus.Jitter;

namespace RtcStack.Opus.Tests.Jitter;

/// <summary>
/// A decoder for test packets: byte 0 is the duration in ms, byte 1 bit 0 says "carries FEC for the previous packet",
/// bytes 2-5 the big-endian RTP timestamp. It decodes to a tone whose phase follows the timestamp (so playout order
/// and continuity can be checked), conceals by continuing the tone at half amplitude, and counts its calls. A
/// one-byte packet is a DTX packet and decodes to silence. Byte 0 of 0 or above 120 is malformed.
/// </summary>
internal sealed class FakeJitterDecoder : IJitterBufferDecoder
{
    public const short Amplitude = 8000;
    public const double Frequency = 200; // 5 ms period
    private long _position;

    public FakeJitterDecoder(int sampleRate = 48000, int channels = 1)
    {
        SampleRate = sampleRate;
        Channels = channels;
    }

    public int SampleRate { get; }

    public int Channels { get; }

    public int Decodes { get; private set; }

    public int Conceals { get; private set; }

    public int FecDecodes { get; private set; }

    public int Resets { get; private set; }

    public static byte[] Packet(uint timestamp, int durationMs = 20, bool fec = false)
    {
        var packet = new byte[6];
        packet[0] = (byte)durationMs;
        packet[1] = (byte)(fec ? 1 : 0);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(2), timestamp);
        return packet;
    }

    public static void WritePacket(Span<byte> packet, uint timestamp, int durationMs = 20, bool fec = false)
    {
        packet[0] = (byte)durationMs;
        packet[1] = (byte)(fec ? 1 : 0);
        BinaryPrimitives.WriteUInt32BigEndian(packet[2..], timestamp);
    }

    public static short ToneAt(long sample, int sampleRate, double amplitude = Amplitude) =>
        (short)Math.Round(amplitude * Math.Sin(2 * Math.PI * Frequency * sample / sampleRate));

    public int GetDuration(ReadOnlySpan<byte> packet) =>
        packet.IsEmpty || packet[0] == 0 || packet[0] > 120 || packet[0] % 5 != 0 ? -1 : packet[0] * SampleRate / 1000;

    public bool HasFec(ReadOnlySpan<byte> packet) => packet.Length >= 6 && (packet[1] & 1) != 0;

    public int Decode(ReadOnlySpan<byte> packet, Span<short> pcm)
    {
        int n = GetDuration(packet);
        if (n < 0 || pcm.Length < n * Channels)
        {
            return -4;
        }

        Decodes++;
        if (packet.Length < 6)
        {
            pcm[..(n * Channels)].Clear();
            return n;
        }

        long start = (long)BinaryPrimitives.ReadUInt32BigEndian(packet[2..]) * SampleRate / 48000;
        Fill(pcm[..(n * Channels)], start, Amplitude);
        _position = start + n;
        return n;
    }

    public int DecodeFec(ReadOnlySpan<byte> nextPacket, Span<short> pcm)
    {
        if (nextPacket.Length < 6)
        {
            return -4;
        }

        FecDecodes++;
        int n = pcm.Length / Channels;
        long start = ((long)BinaryPrimitives.ReadUInt32BigEndian(nextPacket[2..]) * SampleRate / 48000) - n;
        Fill(pcm, start, Amplitude);
        _position = start + n;
        return n;
    }

    public int Conceal(Span<short> pcm)
    {
        Conceals++;
        int n = pcm.Length / Channels;
        Fill(pcm, _position, Amplitude / 2);
        _position += n;
        return n;
    }

    public void Reset()
    {
        Resets++;
        _position = 0;
    }

    private void Fill(Span<short> pcm, long start, double amplitude)
    {
        int n = pcm.Length / Channels;
        for (int i = 0; i < n; i++)
        {
            short v = ToneAt(start + i, SampleRate, amplitude);
            for (int c = 0; c < Channels; c++)
            {
                pcm[(i * Channels) + c] = v;
            }
        }
    }
}
