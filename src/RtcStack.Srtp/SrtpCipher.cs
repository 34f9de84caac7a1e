namespace RtcStack.Srtp;

/// <summary>
/// The per-packet transform of one profile, keyed with the session keys of one master key. The
/// caller (<see cref="SrtpContext"/>) has already parsed the packet, estimated its index and done
/// the replay check; the cipher only encrypts, tags, verifies and decrypts. Unprotect verifies
/// before it writes, so a failure leaves the bytes untouched.
/// </summary>
internal abstract class SrtpCipher : IDisposable
{
    /// <summary>Gets the SRTP tag length in bytes.</summary>
    public abstract int RtpTagLength { get; }

    /// <summary>Gets the SRTCP tag length in bytes.</summary>
    public abstract int RtcpTagLength { get; }

    /// <summary>Gets a value indicating whether SRTCP packets this cipher sends set the E flag.</summary>
    public abstract bool EncryptsRtcp { get; }

    /// <summary>Gets the offset of the E‖SRTCP index word inside the trailer: 0 for HMAC (word, then tag; RFC 3711 §3.4), 16 for GCM (tag, then word; RFC 7714 §9.1).</summary>
    public abstract int RtcpIndexOffset { get; }

    /// <summary>Gets a value indicating whether the hardware-intrinsic code paths are in use.</summary>
    public abstract bool UsesIntrinsics { get; }

    /// <summary>Gets the HMAC-SHA1 in use (<see cref="SrtpHmacImplementation.None"/> for AEAD profiles).</summary>
    public virtual SrtpHmacImplementation HmacImplementation => SrtpHmacImplementation.None;

    /// <summary>
    /// Encrypts packet[headerLength..] in place and writes the tag to <paramref name="tag"/>. With
    /// <paramref name="cryptexCsrcBytes"/> ≥ 0 (RFC 9335) the CSRC list (that many bytes) and the
    /// header extension body are encrypted too; the 4-byte extension header stays clear.
    /// </summary>
    public abstract void ProtectRtp(Span<byte> packet, int headerLength, uint ssrc, ulong index, Span<byte> tag, int cryptexCsrcBytes = -1);

    /// <summary>Verifies <paramref name="tag"/> over <paramref name="packet"/> and decrypts in place on success (with cryptex as in <see cref="ProtectRtp"/>).</summary>
    public abstract bool UnprotectRtp(Span<byte> packet, int headerLength, uint ssrc, ulong index, ReadOnlySpan<byte> tag, int cryptexCsrcBytes = -1);

    /// <summary>
    /// RFC 9335 §5: moves the 4-byte header extension header in front of the CSRC list, so that
    /// the fixed header and the extension header (GCM's AAD) are contiguous and so are the
    /// encrypted parts (CSRCs, extension body, payload). <see cref="CryptexRestore"/> undoes it.
    /// </summary>
    protected static void CryptexArrange(Span<byte> packet, int csrcBytes)
    {
        if (csrcBytes > 0)
        {
            uint extensionHeader = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(packet[(12 + csrcBytes)..]);
            packet.Slice(12, csrcBytes).CopyTo(packet.Slice(16, csrcBytes));
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(packet[12..], extensionHeader);
        }
    }

    /// <summary>Undoes <see cref="CryptexArrange"/>.</summary>
    protected static void CryptexRestore(Span<byte> packet, int csrcBytes)
    {
        if (csrcBytes > 0)
        {
            uint extensionHeader = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(packet[12..]);
            packet.Slice(16, csrcBytes).CopyTo(packet.Slice(12, csrcBytes));
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(packet[(12 + csrcBytes)..], extensionHeader);
        }
    }

    /// <summary>Protects an RTCP compound packet: encrypts (if <paramref name="encrypt"/>) and writes the trailer (index word and tag, in the profile's order) to <paramref name="trailer"/>.</summary>
    public abstract void ProtectRtcp(Span<byte> packet, uint ssrc, uint index, bool encrypt, Span<byte> trailer);

    /// <summary>Verifies and (if <paramref name="encrypted"/>) decrypts an SRTCP packet; <paramref name="trailer"/> is the index word and tag as received.</summary>
    public abstract bool UnprotectRtcp(Span<byte> packet, uint ssrc, uint index, bool encrypted, ReadOnlySpan<byte> trailer);

    public abstract void Dispose();

    /// <summary>Creates the cipher for <paramref name="profile"/> from a master key and salt (RFC 3711 §4.3).</summary>
    public static SrtpCipher Create(SrtpProfile profile, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt, bool allowIntrinsics, RtcStack.Crypto.HmacSha1Path? hmacPath = null) =>
        profile.IsAead()
            ? AesGcmSrtpCipher.FromMaster(profile, masterKey, masterSalt, allowIntrinsics)
            : AesCmHmacSrtpCipher.FromMaster(profile, masterKey, masterSalt, allowIntrinsics, hmacPath);
}
