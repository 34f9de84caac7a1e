using RtcStack.Srtp;

namespace RtcStack.Fuzz.Targets;

/// <summary>
/// SRTP/SRTCP unprotect with a fixed key. The first input byte picks the profile and whether the
/// rest is RTP or RTCP; the rest is the packet. A context per profile lives across inputs, so
/// stream state (ROC, replay windows) is fuzzed too. Any exception is a finding; so is a packet
/// that authenticates, since without the key that should not happen: the target throws for any
/// authenticated packet that is not one of the seeds built with the key (<see cref="s_seedDigests"/>).
/// </summary>
[FuzzTarget("srtp-unprotect")]
public sealed class SrtpUnprotectTarget : IFuzzTarget
{
    private readonly byte[] _buffer = new byte[65536 + 64];

    // SHA-256 of the packets (the input after its selector byte) of the seeds in
    // fuzz/corpus/srtp-unprotect that were protected with FixedKey: the only packets that may
    // authenticate. A new seed built with the key adds its digest here.
    private static readonly HashSet<string> s_seedDigests = new(StringComparer.Ordinal)
    {
        "35B56BDF646B798216251437EE4651239246A0D7A6E0714654720EC5D7184607", // aead_aes_128_gcm-rtcp
        "F0320F775864C5BC343884A932A963C026842C7DB27E2C4295C3D7A303A8F18E", // aead_aes_128_gcm-rtp-csrc-ext
        "86131F42E6AB62E180C742611D145AB934940811AA8805E6891A9754492A6A06", // aead_aes_128_gcm-rtp-small
        "6C85B43853F13107C9AD516BEB9A93ADA8FEE38DC52C3D5FD1024CB60159F2FC", // aead_aes_256_gcm-rtcp
        "CAD6A92407348663BBB067951E48FD63F255C94639F803D64AB4DA09B7421B18", // aead_aes_256_gcm-rtp-csrc-ext
        "03AAD612B552EC09187D89E8CC3C3FF5E916973B459194880447F87A69320BE7", // aead_aes_256_gcm-rtp-small
        "0DC0D5E61DFE371313882095DC3AD65ADC0AC5B4E927159D4340F7A03290B20B", // aes_256_cm_hmac_sha1_32-rtcp
        "E3E7A0CA512A57992F9A3A557D1D962FD98CB50A1120E898FB5AD5BBBE1CAAC8", // aes_256_cm_hmac_sha1_32-rtp-csrc-ext
        "F864EC9A06F3EDF93FD58826E2C2E0BA5F18BE585038BC5687CEB5F4298ACB9B", // aes_256_cm_hmac_sha1_32-rtp-small
        "0DC0D5E61DFE371313882095DC3AD65ADC0AC5B4E927159D4340F7A03290B20B", // aes_256_cm_hmac_sha1_80-rtcp
        "7ABA3460EAAE731D53F38B2C47482A0A6CF61272A824E6CDFC59D1EDC5314527", // aes_256_cm_hmac_sha1_80-rtp-csrc-ext
        "B60B61F617763920E49F67D466E2F66EA765BA524414A14967AA4F920908770C", // aes_256_cm_hmac_sha1_80-rtp-small
        "D7D9271A5CF1A3B19747D9E5B96B92931B8DD3077B1BC3510A9043EB25990934", // aes_cm_128_hmac_sha1_32-rtcp
        "D152E310602BD240DC9F4065565A131752482F11080117DDB15DD17187CEA7EB", // aes_cm_128_hmac_sha1_32-rtp-csrc-ext
        "AC331388350622C8B466B77DF1E42D754179FC85764F49AFB8C0A3AC1B67FE07", // aes_cm_128_hmac_sha1_32-rtp-small
        "D7D9271A5CF1A3B19747D9E5B96B92931B8DD3077B1BC3510A9043EB25990934", // aes_cm_128_hmac_sha1_80-rtcp
        "BCA7B53DBB88BEC70A84FE7C7661DAC371BB910491703CB0140F8F78F8B81DAE", // aes_cm_128_hmac_sha1_80-rtp-csrc-ext
        "697168119FBE36B6A744473EBFCFC9EFAF6B167B7EC809E6250C5BB8BD01F1D0", // aes_cm_128_hmac_sha1_80-rtp-small
        "13EDB1F30D1C96A01D2FF38ABFEE01592773C1FCE47BFD53963B8DC2A5D9CFD4", // null_hmac_sha1_32-rtcp
        "E2750F2F3CABC61BAB6B1191439FDBBA52975A7D2B2DD042336E5FEF6C9F1C3D", // null_hmac_sha1_32-rtp-csrc-ext
        "E5447CCA6D77A43A629D9B49361E121DCEFF4F1463D7B0DB33559C94622D64AA", // null_hmac_sha1_32-rtp-small
        "13EDB1F30D1C96A01D2FF38ABFEE01592773C1FCE47BFD53963B8DC2A5D9CFD4", // null_hmac_sha1_80-rtcp
        "3117092357794E4B1C54C610976B68A7A9533B4F0C0BBF6BA179F0A892D1F76E", // null_hmac_sha1_80-rtp-csrc-ext
        "BA863470DEFB8C112CBB1F827E74496922415D9D2BF2FDE89FFCBC587A9797F7", // null_hmac_sha1_80-rtp-small
    };

    // Created on the first input, not in the constructor: instrumented code must not run before
    // SharpFuzz sets up its coverage map. The host now constructs only the requested target, inside
    // SharpFuzz's callback, but keeping the constructor free of instrumented code costs nothing.
    private SrtpContext[]? _contexts;

    /// <summary>The fixed master key and salt for <paramref name="profile"/>: bytes 0, 1, 2, ... and 0xA0, 0xA1, ...</summary>
    public static (byte[] Key, byte[] Salt) FixedKey(SrtpProfile profile)
    {
        var key = new byte[profile.MasterKeyLength()];
        var salt = new byte[profile.MasterSaltLength()];
        for (int i = 0; i < key.Length; i++)
        {
            key[i] = (byte)i;
        }

        for (int i = 0; i < salt.Length; i++)
        {
            salt[i] = (byte)(0xA0 + i);
        }

        return (key, salt);
    }

    private static SrtpContext[] CreateContexts()
    {
        SrtpProfile[] profiles = SrtpProfileExtensions.All.ToArray();
        var contexts = new SrtpContext[profiles.Length];
        for (int i = 0; i < profiles.Length; i++)
        {
            (byte[] key, byte[] salt) = FixedKey(profiles[i]);
            contexts[i] = new SrtpContext(profiles[i], key, salt);
        }

        return contexts;
    }

    /// <summary>Whether <paramref name="packet"/> is one of the seeds protected with <see cref="FixedKey"/>.</summary>
    public static bool IsSeed(ReadOnlySpan<byte> packet) =>
        s_seedDigests.Contains(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(packet)));

    public void Run(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        SrtpContext[] contexts = _contexts ??= CreateContexts();
        int selector = data[0];
        SrtpContext context = contexts[(selector >> 1) % contexts.Length];
        ReadOnlySpan<byte> packet = data[1..];
        if (packet.Length > _buffer.Length)
        {
            packet = packet[.._buffer.Length];
        }

        packet.CopyTo(_buffer);
        SrtpStatus status = (selector & 1) == 0
            ? context.UnprotectRtp(_buffer, packet.Length, out int length)
            : context.UnprotectRtcp(_buffer, packet.Length, out length);
        if (status == SrtpStatus.Ok && (length < 0 || length > packet.Length))
        {
            throw new InvalidOperationException($"unprotect returned length {length} for a {packet.Length}-byte packet");
        }

        if (status == SrtpStatus.Ok && !IsSeed(packet))
        {
            throw new InvalidOperationException($"a {packet.Length}-byte packet that is no seed authenticated: a forgery got through");
        }

        // The copy variant must agree with the in-place one on malformed input.
        if (status == SrtpStatus.Malformed)
        {
            Span<byte> scratch = stackalloc byte[64];
            SrtpStatus copy = (selector & 1) == 0
                ? context.UnprotectRtp(packet, scratch, out _)
                : context.UnprotectRtcp(packet, scratch, out _);
            if (copy is not (SrtpStatus.Malformed or SrtpStatus.BufferTooSmall))
            {
                throw new InvalidOperationException($"copy variant said {copy} where in-place said Malformed");
            }
        }
    }
}
