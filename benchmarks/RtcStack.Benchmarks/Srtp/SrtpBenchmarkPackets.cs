using System.Buffers.Binary;
using RtcStack.Srtp;
using RtcStack.TestSupport.LibSrtp;

namespace RtcStack.Benchmarks.Srtp;

/// <summary>Keys, packets and the libsrtp profile mapping shared by the SRTP benchmarks.</summary>
internal static class SrtpBenchmarkPackets
{
    public const uint Ssrc = 0x1234_5678;

    public static (byte[] Key, byte[] Salt) Keys(SrtpProfile profile)
    {
        var r = new Random(42);
        var key = new byte[profile.MasterKeyLength()];
        var salt = new byte[profile.MasterSaltLength()];
        r.NextBytes(key);
        r.NextBytes(salt);
        return (key, salt);
    }

    /// <summary>A 12-byte RTP header followed by <paramref name="payload"/> bytes.</summary>
    public static byte[] Rtp(int payload, ushort seq)
    {
        var p = new byte[12 + payload];
        new Random(7).NextBytes(p);
        p[0] = 0x80;
        p[1] = 111;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), seq);
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(8), Ssrc);
        return p;
    }

    /// <summary>A 100-byte RTCP compound: a sender report with two report blocks (76 bytes) and an SDES CNAME chunk (24 bytes).</summary>
    public static byte[] RtcpCompound()
    {
        var p = new byte[100];
        new Random(9).NextBytes(p);
        p[0] = 0x82;
        p[1] = 200;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), (76 / 4) - 1);
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(4), Ssrc);
        p[76] = 0x81;
        p[77] = 202;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(78), (24 / 4) - 1);
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(80), Ssrc);
        return p;
    }

    /// <summary>
    /// Protects <paramref name="plain"/> with ours and with both libsrtp builds (fresh sessions) and
    /// throws unless all three give the same bytes: the baselines do the work ours does.
    /// </summary>
    public static void CheckSameBytes(SrtpProfile profile, byte[] plain)
    {
        (byte[] key, byte[] salt) = Keys(profile);
        using var ours = new SrtpContext(profile, key, salt);
        var expected = new byte[plain.Length + 64];
        plain.CopyTo(expected, 0);
        if (ours.ProtectRtp(expected, plain.Length, out int expectedLength) != SrtpStatus.Ok)
        {
            throw new InvalidOperationException("could not protect the check packet");
        }

        foreach (LibSrtpLibrary library in new[] { LibSrtpLibrary.OpenSsl(), LibSrtpLibrary.Debian })
        {
            using var session = new LibSrtpSession(Map(profile), key, salt, outbound: true, library: library);
            var actual = new byte[plain.Length + 64];
            plain.CopyTo(actual, 0);
            int length = plain.Length;
            if (session.Protect(actual, ref length) != LibSrtpSession.StatusOk
                || !actual.AsSpan(0, length).SequenceEqual(expected.AsSpan(0, expectedLength)))
            {
                throw new InvalidOperationException($"{library.Name} and RtcStack protect {profile} differently");
            }
        }
    }

    public static LibSrtpProfile Map(SrtpProfile profile) => profile switch
    {
        SrtpProfile.Aes128CmHmacSha1_80 => LibSrtpProfile.AesCm128HmacSha1_80,
        SrtpProfile.Aes128CmHmacSha1_32 => LibSrtpProfile.AesCm128HmacSha1_32,
        SrtpProfile.Aes256CmHmacSha1_80 => LibSrtpProfile.AesCm256HmacSha1_80,
        SrtpProfile.Aes256CmHmacSha1_32 => LibSrtpProfile.AesCm256HmacSha1_32,
        SrtpProfile.AeadAes128Gcm => LibSrtpProfile.AeadAes128Gcm,
        SrtpProfile.AeadAes256Gcm => LibSrtpProfile.AeadAes256Gcm,
        SrtpProfile.NullHmacSha1_80 => LibSrtpProfile.NullHmacSha1_80,
        _ => LibSrtpProfile.NullHmacSha1_32,
    };
}
