using RtcStack.Srtp;

namespace RtcStack.Fuzz.Targets;

/// <summary>
/// SRTP/SRTCP unprotect with a fixed key. The first input byte picks the profile and whether the
/// rest is RTP or RTCP; the rest is the packet. A context per profile lives across inputs, so
/// stream state (ROC, replay windows) is fuzzed too. Any exception is a finding; so is a packet
/// that authenticates, since without the key that should not happen (except for inputs the seed
/// corpus built with the key).
/// </summary>
public sealed class SrtpUnprotectTarget : IFuzzTarget
{
    private static readonly SrtpProfile[] s_profiles = SrtpProfileExtensions.All.ToArray();
    private readonly SrtpContext[] _contexts;
    private readonly byte[] _buffer = new byte[65536 + 64];

    public SrtpUnprotectTarget()
    {
        _contexts = new SrtpContext[s_profiles.Length];
        for (int i = 0; i < s_profiles.Length; i++)
        {
            (byte[] key, byte[] salt) = FixedKey(s_profiles[i]);
            _contexts[i] = new SrtpContext(s_profiles[i], key, salt);
        }
    }

    public string Name => "srtp-unprotect";

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

    public void Run(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        int selector = data[0];
        SrtpContext context = _contexts[(selector >> 1) % _contexts.Length];
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
