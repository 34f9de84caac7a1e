using System.Buffers.Binary;
using FsCheck;
using FsCheck.Fluent;
using RtcStack.Rtp;

namespace RtcStack.WebRtc.Tests.Streams;

/// <summary>RTP packets and full-range generators shared by the stream tests.</summary>
internal static class StreamTestPackets
{
    /// <summary>Any uint, uniformly over the whole range (FsCheck's default stays near 0).</summary>
    public static Gen<uint> AnyUInt => Gen.Choose(int.MinValue, int.MaxValue).Select(i => unchecked((uint)i));

    /// <summary>Any ushort, uniformly over the whole range.</summary>
    public static Gen<ushort> AnyUShort => Gen.Choose(0, ushort.MaxValue).Select(i => (ushort)i);

    public static byte[] Rtp(byte payloadType, ushort seq, uint timestamp, uint ssrc, ReadOnlySpan<byte> payload, bool marker = false, uint[]? csrcs = null, byte[]? extensionBody = null, int padding = 0)
    {
        byte[] buffer = new byte[12 + 60 + 4 + (extensionBody?.Length ?? 0) + payload.Length + padding];
        var writer = new RtpPacketWriter(buffer);
        writer.TryWriteHeader(new RtpHeader(payloadType, seq, timestamp, ssrc, marker), csrcs ?? []);
        if (extensionBody is not null)
        {
            writer.TryWriteRawHeaderExtension(0xBEDE, extensionBody);
        }

        writer.TryWritePayload(payload);
        if (padding > 0)
        {
            writer.TryWritePadding(padding);
        }

        return buffer[..writer.Length];
    }

    public static ushort Seq(ReadOnlySpan<byte> packet) => BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty));
}
