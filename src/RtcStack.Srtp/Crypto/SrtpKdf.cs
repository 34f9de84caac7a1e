using RtcStack.Crypto;

namespace RtcStack.Srtp.Crypto;

/// <summary>
/// The AES-CM key derivation function of RFC 3711 §4.3 with a key derivation rate of 0
/// (r = index DIV kdr = 0), with AES-256 for 32-byte master keys (RFC 6188 §5.2). AES-GCM's
/// 96-bit master salt is zero padded on the right to the 112 bits the PRF input needs
/// (RFC 7714 §11), as libsrtp does.
/// </summary>
internal static class SrtpKdf
{
    /// <summary>RFC 3711 §4.3.1 and §4.3.2 labels.</summary>
    public const byte RtpEncryption = 0x00;
    public const byte RtpAuthentication = 0x01;
    public const byte RtpSalt = 0x02;
    public const byte RtcpEncryption = 0x03;
    public const byte RtcpAuthentication = 0x04;
    public const byte RtcpSalt = 0x05;

    /// <summary>Writes <paramref name="output"/>.Length bytes of the session key for <paramref name="label"/>.</summary>
    public static void Derive(AesCtr prf, ReadOnlySpan<byte> masterSalt, byte label, Span<byte> output)
    {
        // x = (label ‖ r) XOR master_salt, where label ‖ r is 7 bytes right-aligned in 14 bytes;
        // the PRF input block is x · 2^16.
        Span<byte> iv = stackalloc byte[16];
        iv.Clear();
        masterSalt[..Math.Min(14, masterSalt.Length)].CopyTo(iv);
        iv[7] ^= label;
        output.Clear();
        prf.Transform(iv, output);
    }
}
