namespace RtcStack.Srtp.Tests;

/// <summary>Names, identifiers and lengths of the profiles (RFC 5764 §4.1.2, RFC 6188, RFC 7714 §14).</summary>
public class ProfileTests
{
    [Theory]
    [InlineData((ushort)0x0001, "SRTP_AES128_CM_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_80", 16, 14, 10, 10)]
    [InlineData((ushort)0x0002, "SRTP_AES128_CM_HMAC_SHA1_32", "AES_CM_128_HMAC_SHA1_32", 16, 14, 4, 10)]
    [InlineData((ushort)0x0005, "SRTP_NULL_HMAC_SHA1_80", "NULL_HMAC_SHA1_80", 16, 14, 10, 10)]
    [InlineData((ushort)0x0006, "SRTP_NULL_HMAC_SHA1_32", "NULL_HMAC_SHA1_32", 16, 14, 4, 10)]
    [InlineData((ushort)0x0007, "SRTP_AEAD_AES_128_GCM", "AEAD_AES_128_GCM", 16, 12, 16, 16)]
    [InlineData((ushort)0x0008, "SRTP_AEAD_AES_256_GCM", "AEAD_AES_256_GCM", 32, 12, 16, 16)]
    public void Dtls_srtp_registry_profiles_have_their_iana_ids_names_and_lengths(ushort id, string dtlsName, string sdesName, int key, int salt, int rtpTag, int rtcpTag)
    {
        Assert.True(SrtpProfileExtensions.TryFromDtlsSrtpId(id, out SrtpProfile p));
        Assert.Equal(id, (ushort)p);
        Assert.True(p.IsDtlsSrtp());
        Assert.Equal(dtlsName, p.DtlsName());
        Assert.Equal(sdesName, p.SdesName());
        Assert.Equal(key, p.MasterKeyLength());
        Assert.Equal(salt, p.MasterSaltLength());
        Assert.Equal(rtpTag, p.SrtpTagLength());
        Assert.Equal(rtcpTag, p.SrtcpTagLength());
        Assert.True(SrtpProfileExtensions.TryParse(dtlsName, out SrtpProfile byName) && byName == p);
        Assert.True(SrtpProfileExtensions.TryParse(sdesName.ToLowerInvariant(), out SrtpProfile bySdes) && bySdes == p);
        Assert.True(SrtpProfileExtensions.TryParse("0x" + id.ToString("x4", System.Globalization.CultureInfo.InvariantCulture), out SrtpProfile byId) && byId == p);
    }

    [Theory]
    [InlineData("AES_256_CM_HMAC_SHA1_80", 10)]
    [InlineData("AES_256_CM_HMAC_SHA1_32", 4)]
    public void Rfc6188_profiles_have_sdes_names_and_no_dtls_code_point(string name, int rtpTag)
    {
        Assert.True(SrtpProfileExtensions.TryParse(name, out SrtpProfile p));
        Assert.False(p.IsDtlsSrtp());
        Assert.Equal(32, p.MasterKeyLength());
        Assert.Equal(14, p.MasterSaltLength());
        Assert.Equal(rtpTag, p.SrtpTagLength());
        Assert.Equal(10, p.SrtcpTagLength());
        Assert.False(SrtpProfileExtensions.TryFromDtlsSrtpId((ushort)p, out _));
    }

    [Theory]
    [InlineData((ushort)0)]
    [InlineData((ushort)3)]
    [InlineData((ushort)4)]
    [InlineData((ushort)9)]
    [InlineData((ushort)0xFF01)]
    public void Unassigned_or_unsupported_ids_are_refused(ushort id)
    {
        Assert.False(SrtpProfileExtensions.TryFromDtlsSrtpId(id, out _));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("AES_CM_128_HMAC_SHA1_81")]
    [InlineData("0x10000")]
    [InlineData("-1")]
    public void Unknown_names_do_not_parse(string? text)
    {
        Assert.False(SrtpProfileExtensions.TryParse(text, out _));
    }

    [Fact]
    public void Export_lengths_follow_rfc5764_section_4_2()
    {
        Assert.Equal(60, SrtpKeyingMaterial.ExportLength(SrtpProfile.Aes128CmHmacSha1_80));
        Assert.Equal(56, SrtpKeyingMaterial.ExportLength(SrtpProfile.AeadAes128Gcm));
        Assert.Equal(88, SrtpKeyingMaterial.ExportLength(SrtpProfile.AeadAes256Gcm));
        Assert.Equal(92, SrtpKeyingMaterial.ExportLength(SrtpProfile.Aes256CmHmacSha1_80));
    }

    [Fact]
    public void Export_is_split_client_key_server_key_client_salt_server_salt()
    {
        byte[] export = Enumerable.Range(0, 60).Select(i => (byte)i).ToArray();
        SrtpKeyingMaterial client = SrtpKeyingMaterial.Split(SrtpProfile.Aes128CmHmacSha1_80, export, isClient: true);
        Assert.Equal(export[..16], client.LocalMasterKey.ToArray());
        Assert.Equal(export[16..32], client.RemoteMasterKey.ToArray());
        Assert.Equal(export[32..46], client.LocalMasterSalt.ToArray());
        Assert.Equal(export[46..60], client.RemoteMasterSalt.ToArray());
        SrtpKeyingMaterial server = SrtpKeyingMaterial.Split(SrtpProfile.Aes128CmHmacSha1_80, export, isClient: false);
        Assert.Equal(client.LocalMasterKey.ToArray(), server.RemoteMasterKey.ToArray());
        Assert.Equal(client.RemoteMasterSalt.ToArray(), server.LocalMasterSalt.ToArray());
        Assert.Throws<ArgumentException>(() => SrtpKeyingMaterial.Split(SrtpProfile.Aes128CmHmacSha1_80, export.AsSpan(0, 56), true));
    }
}
