using System.Buffers.Binary;
using RtcStack.Crypto;
using RtcStack.Srtp.Crypto;

namespace RtcStack.Srtp.Tests;

/// <summary>Every RFC vector under specs/vectors, through both the intrinsic and the portable crypto.</summary>
public class RfcVectorTests
{
    public static TheoryData<string, bool> KeystreamFiles => new()
    {
        { "rfc3711/aes-cm-keystream.txt", true },
        { "rfc3711/aes-cm-keystream.txt", false },
        { "rfc6188/aes-256-cm-keystream.txt", true },
        { "rfc6188/aes-256-cm-keystream.txt", false },
    };

    public static TheoryData<string, bool> KdfFiles => new()
    {
        { "rfc3711/key-derivation.txt", true },
        { "rfc3711/key-derivation.txt", false },
        { "rfc6188/key-derivation.txt", true },
        { "rfc6188/key-derivation.txt", false },
    };

    public static TheoryData<int, bool> Rfc7714Cases => new() { { 0, true }, { 0, false }, { 1, true }, { 1, false } };

    public static TheoryData<int, bool> Rfc7714RtcpCases => new()
    {
        { 0, true }, { 0, false }, { 1, true }, { 1, false }, { 2, true }, { 2, false }, { 3, true }, { 3, false },
    };

    [Theory]
    [MemberData(nameof(KeystreamFiles))]
    public void Aes_cm_keystream_segment_matches_the_rfc(string file, bool intrinsics)
    {
        Dictionary<string, string> v = VectorFile.Load(file.Split('/'))[0];
        byte[] key = v.Hex("session_key");
        byte[] salt = v.Hex("session_salt");

        // The cipher encrypts a 12-byte RTP header with SSRC 0 and SEQ 0 plus 65282 zero blocks:
        // the ciphertext is then the keystream segment the RFC tabulates.
        var cipher = new AesCmHmacSrtpCipher(10, key, salt, new byte[20], key, salt, new byte[20], intrinsics);
        var packet = new byte[12 + (65282 * 16) + 10];
        packet[0] = 0x80;
        cipher.ProtectRtp(packet.AsSpan(0, packet.Length - 10), 12, ssrc: 0, index: 0, packet.AsSpan(packet.Length - 10));
        int checkedBlocks = 0;
        foreach ((string name, string hex) in v)
        {
            if (name.StartsWith("block_", StringComparison.Ordinal))
            {
                int block = Convert.ToInt32(name[6..], 16);
                Assert.Equal(hex.ToLowerInvariant(), Convert.ToHexStringLower(packet.AsSpan(12 + (block * 16), 16)));
                checkedBlocks++;
            }
        }

        Assert.Equal(6, checkedBlocks);
        Assert.Equal(intrinsics, cipher.UsesIntrinsics);
    }

    [Theory]
    [MemberData(nameof(KdfFiles))]
    public void Key_derivation_matches_the_rfc(string file, bool intrinsics)
    {
        Dictionary<string, string> v = VectorFile.Load(file.Split('/'))[0];
        byte[] salt = v.Hex("master_salt");
        using var prf = new AesCtr(v.Hex("master_key"), intrinsics);
        byte[] expectedKey = v.Hex("cipher_key");
        byte[] expectedSalt = v.Hex("cipher_salt");
        byte[] expectedAuth = v.Hex("auth_key");
        var key = new byte[expectedKey.Length];
        var sessionSalt = new byte[expectedSalt.Length];
        var auth = new byte[expectedAuth.Length];
        SrtpKdf.Derive(prf, salt, SrtpKdf.RtpEncryption, key);
        SrtpKdf.Derive(prf, salt, SrtpKdf.RtpSalt, sessionSalt);
        SrtpKdf.Derive(prf, salt, SrtpKdf.RtpAuthentication, auth);
        Assert.Equal(expectedKey, key);
        Assert.Equal(expectedSalt, sessionSalt);
        Assert.Equal(expectedAuth, auth);
    }

    [Theory]
    [MemberData(nameof(Rfc7714Cases))]
    public void Rfc7714_srtp_protects_and_unprotects_byte_for_byte(int record, bool intrinsics)
    {
        Dictionary<string, string> v = VectorFile.Load("rfc7714", "srtp.txt")[record];
        Assert.True(SrtpProfileExtensions.TryParse(v["profile"], out SrtpProfile profile));
        byte[] plain = v.Hex("plain");
        byte[] expected = v.Hex("protected");

        var iv = new byte[12];
        AesGcmSrtpCipher.BuildRtpIv(v.Hex("session_salt"), BinaryPrimitives.ReadUInt32BigEndian(plain.AsSpan(8)), BinaryPrimitives.ReadUInt16BigEndian(plain.AsSpan(2)), iv);
        Assert.Equal(v.Hex("iv"), iv);

        using SrtpContext sender = SessionKeyContext(profile, v, intrinsics);
        byte[] buffer = Packets.WithRoom(plain);
        Assert.Equal(SrtpStatus.Ok, sender.ProtectRtp(buffer, plain.Length, out int n));
        Assert.Equal(expected, buffer[..n]);

        using SrtpContext receiver = SessionKeyContext(profile, v, intrinsics);
        byte[] wire = (byte[])expected.Clone();
        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(wire, wire.Length, out int m));
        Assert.Equal(plain, wire[..m]);
    }

    [Theory]
    [MemberData(nameof(Rfc7714RtcpCases))]
    public void Rfc7714_srtcp_protects_and_unprotects_byte_for_byte_including_authentication_only(int record, bool intrinsics)
    {
        Dictionary<string, string> v = VectorFile.Load("rfc7714", "srtcp.txt")[record];
        Assert.True(SrtpProfileExtensions.TryParse(v["profile"], out SrtpProfile profile));
        byte[] plain = v.Hex("plain");
        byte[] expected = v.Hex("protected");
        uint index = BinaryPrimitives.ReadUInt32BigEndian(v.Hex("srtcp_index"));
        bool encrypted = v["encrypted"] == "1";
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(plain.AsSpan(4));

        var iv = new byte[12];
        AesGcmSrtpCipher.BuildRtcpIv(v.Hex("session_salt"), ssrc, index, iv);
        Assert.Equal(v.Hex("iv"), iv);

        using SrtpContext sender = SessionKeyContext(profile, v, intrinsics, new SrtpOptions { EncryptRtcp = encrypted });
        sender.SetNextSrtcpIndex(ssrc, index);
        byte[] buffer = Packets.WithRoom(plain);
        Assert.Equal(SrtpStatus.Ok, sender.ProtectRtcp(buffer, plain.Length, out int n));
        Assert.Equal(expected, buffer[..n]);

        using SrtpContext receiver = SessionKeyContext(profile, v, intrinsics);
        byte[] wire = (byte[])expected.Clone();
        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtcp(wire, wire.Length, out int m));
        Assert.Equal(plain, wire[..m]);

        // The same packet again is a replay; a flipped bit in the authenticated-only body fails.
        wire = (byte[])expected.Clone();
        Assert.Equal(SrtpStatus.Replayed, receiver.UnprotectRtcp(wire, wire.Length, out _));
        using SrtpContext fresh = SessionKeyContext(profile, v, intrinsics);
        wire[20] ^= 1;
        byte[] before = (byte[])wire.Clone();
        Assert.Equal(SrtpStatus.AuthenticationFailed, fresh.UnprotectRtcp(wire, wire.Length, out _));
        Assert.Equal(before, wire);
    }

    private static SrtpContext SessionKeyContext(SrtpProfile profile, Dictionary<string, string> v, bool intrinsics, SrtpOptions? options = null)
    {
        byte[] key = v.Hex("session_key");
        byte[] salt = v.Hex("session_salt");
        Assert.Equal(profile.MasterKeyLength(), key.Length);
        return new SrtpContext(profile, new AesGcmSrtpCipher(key, salt, key, salt, intrinsics), options);
    }
}
