using System.Buffers.Binary;

namespace RtcStack.Srtp.Tests;

/// <summary>Builders for plain RTP/RTCP packets used across the tests.</summary>
internal static class Packets
{
    public static byte[] Rtp(uint ssrc, ushort seq, int payloadLength, int csrcCount = 0, int extensionWords = -1, byte fill = 0xAB, uint timestamp = 1234)
    {
        int header = 12 + (csrcCount * 4) + (extensionWords >= 0 ? 4 + (extensionWords * 4) : 0);
        var p = new byte[header + payloadLength];
        p[0] = (byte)(0x80 | (extensionWords >= 0 ? 0x10 : 0) | csrcCount);
        p[1] = 96;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), seq);
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(4), timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(8), ssrc);
        for (int i = 0; i < csrcCount; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(12 + (i * 4)), 0x1000u + (uint)i);
        }

        if (extensionWords >= 0)
        {
            int o = 12 + (csrcCount * 4);
            p[o] = 0xBE;
            p[o + 1] = 0xDE;
            BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(o + 2), (ushort)extensionWords);
            for (int i = 0; i < extensionWords * 4; i++)
            {
                p[o + 4 + i] = (byte)(0x40 + i);
            }
        }

        p.AsSpan(header).Fill(fill);
        return p;
    }

    /// <summary>A receiver report with <paramref name="extra"/> bytes of body after the 8-byte header.</summary>
    public static byte[] Rtcp(uint ssrc, int extra = 24, byte fill = 0x5A)
    {
        extra &= ~3;
        var p = new byte[8 + extra];
        p[0] = 0x81;
        p[1] = 201;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), (ushort)(((8 + extra) / 4) - 1));
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(4), ssrc);
        p.AsSpan(8).Fill(fill);
        return p;
    }

    public static byte[] WithRoom(byte[] packet, int room = 64)
    {
        var b = new byte[packet.Length + room];
        packet.CopyTo(b, 0);
        return b;
    }

    public static (byte[] Key, byte[] Salt) Keys(SrtpProfile profile, int seed = 1)
    {
        var r = new Random(seed);
        var key = new byte[profile.MasterKeyLength()];
        var salt = new byte[profile.MasterSaltLength()];
        r.NextBytes(key);
        r.NextBytes(salt);
        return (key, salt);
    }

    public static IEnumerable<object[]> AllProfiles()
    {
        foreach (SrtpProfile p in SrtpProfileExtensions.All.ToArray())
        {
            yield return [p];
        }
    }

    public static IEnumerable<object[]> AllProfilesBothBackends()
    {
        foreach (SrtpProfile p in SrtpProfileExtensions.All.ToArray())
        {
            yield return [p, false];
            yield return [p, true];
        }
    }
}
