namespace RtcStack.Srtp.Tests;

/// <summary>RFC 9335 cryptex: the Appendix A vectors, and the marking rules.</summary>
public class CryptexTests
{
    public static TheoryData<int, bool> Cases()
    {
        var data = new TheoryData<int, bool>();
        for (int i = 0; i < 12; i++)
        {
            data.Add(i, true);
            data.Add(i, false);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Appendix_a_vectors_protect_and_unprotect_byte_for_byte(int record, bool intrinsics)
    {
        Dictionary<string, string> v = VectorFile.Load("rfc9335", "cryptex.txt")[record];
        Assert.True(SrtpProfileExtensions.TryParse(v["profile"], out SrtpProfile profile));
        var options = new SrtpOptions { Cryptex = true, ForcePortableCrypto = !intrinsics };
        byte[] plain = v.Hex("plain");
        byte[] expected = v.Hex("protected");

        using var tx = new SrtpContext(profile, v.Hex("master_key"), v.Hex("master_salt"), options);
        byte[] buf = Packets.WithRoom(plain);
        Assert.Equal(SrtpStatus.Ok, tx.ProtectRtp(buf, plain.Length, out int n));
        Assert.Equal(Convert.ToHexStringLower(expected), Convert.ToHexStringLower(buf.AsSpan(0, n)));

        using var rx = new SrtpContext(profile, v.Hex("master_key"), v.Hex("master_salt"), options);
        byte[] wire = (byte[])expected.Clone();
        Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(wire, wire.Length, out int m));
        Assert.Equal(plain, wire[..m]);

        // A flipped bit in the encrypted CSRC/extension area fails and leaves the bytes alone.
        using var rx2 = new SrtpContext(profile, v.Hex("master_key"), v.Hex("master_salt"), options);
        byte[] forged = (byte[])expected.Clone();
        forged[13] ^= 0x20;
        byte[] before = (byte[])forged.Clone();
        Assert.Equal(SrtpStatus.AuthenticationFailed, rx2.UnprotectRtp(forged, forged.Length, out _));
        Assert.Equal(before, forged);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(10)]
    public void Csrcs_without_an_extension_get_an_empty_cryptex_extension(int record)
    {
        // RFC 9335 §4: the same packet as A.x.5 but without its empty extension protects to A.x.5.
        Dictionary<string, string> v = VectorFile.Load("rfc9335", "cryptex.txt")[record];
        Assert.True(SrtpProfileExtensions.TryParse(v["profile"], out SrtpProfile profile));
        byte[] withEmpty = v.Hex("plain");
        byte[] plain = [.. withEmpty[..12], .. withEmpty[12..20], .. withEmpty[24..]];
        plain[0] &= 0xEF;
        using var tx = new SrtpContext(profile, v.Hex("master_key"), v.Hex("master_salt"), new SrtpOptions { Cryptex = true });
        byte[] tight = new byte[plain.Length + tx.RtpOverhead];
        plain.CopyTo(tight, 0);
        Assert.Equal(SrtpStatus.BufferTooSmall, tx.ProtectRtp(tight, plain.Length, out _));
        Assert.Equal(plain, tight[..plain.Length]);
        byte[] buf = Packets.WithRoom(plain);
        Assert.Equal(SrtpStatus.Ok, tx.ProtectRtp(buf, plain.Length, out int n));
        Assert.Equal(v["protected"], Convert.ToHexStringLower(buf.AsSpan(0, n)));
    }

    [Fact]
    public void Non_rfc8285_extensions_cannot_be_sent_with_cryptex_and_plain_packets_still_work()
    {
        (byte[] key, byte[] salt) = Packets.Keys(SrtpProfile.AeadAes128Gcm);
        var options = new SrtpOptions { Cryptex = true };
        using var tx = new SrtpContext(SrtpProfile.AeadAes128Gcm, key, salt, options);
        using var rx = new SrtpContext(SrtpProfile.AeadAes128Gcm, key, salt, options);
        byte[] odd = Packets.WithRoom(Packets.Rtp(1, 1, 10, extensionWords: 1));
        odd[12] = 0x12;
        odd[13] = 0x34;
        Assert.Equal(SrtpStatus.Malformed, tx.ProtectRtp(odd, 12 + 8 + 10, out _));

        // No CSRCs, no extension: nothing in the header to encrypt, plain SRTP.
        byte[] plain = Packets.Rtp(1, 2, 10);
        byte[] buf = Packets.WithRoom(plain);
        Assert.Equal(SrtpStatus.Ok, tx.ProtectRtp(buf, plain.Length, out int n));
        Assert.Equal(SrtpStatus.Ok, rx.UnprotectRtp(buf, n, out int m));
        Assert.Equal(plain, buf[..m]);
    }
}
