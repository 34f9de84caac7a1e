using RtcStack.Srtp;

namespace RtcStack.Fuzz.Targets;

/// <summary>
/// SRTP/SRTCP unprotect with a fixed key. The first input byte picks the profile and whether the
/// rest is RTP or RTCP; the rest is the packet. A context per profile lives across inputs, so
/// stream state (ROC, replay windows) is fuzzed too. Any exception is a finding; so is a packet
/// that authenticates, since without the key that should not happen (except for inputs the seed
/// corpus built with the key).
/// </summary>
[FuzzTarget("srtp-unprotect")]
public sealed class SrtpUnprotectTarget : IFuzzTarget
{
    private readonly byte[] _buffer = new byte[65536 + 64];

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
