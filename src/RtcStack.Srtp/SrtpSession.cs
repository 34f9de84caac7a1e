namespace RtcStack.Srtp;

/// <summary>
/// Both directions of one SRTP association as DTLS-SRTP sets it up (RFC 5764 §4.2): an outbound
/// context keyed with this side's write key for protect, and an inbound context keyed with the
/// peer's write key for unprotect. This is what a WebRTC transport holds once DTLS completes.
/// </summary>
public sealed class SrtpSession : IDisposable
{
    /// <summary>Creates a session from separate local and remote master keys and salts.</summary>
    public SrtpSession(SrtpProfile profile, ReadOnlySpan<byte> localMasterKey, ReadOnlySpan<byte> localMasterSalt, ReadOnlySpan<byte> remoteMasterKey, ReadOnlySpan<byte> remoteMasterSalt, SrtpOptions? options = null)
    {
        Outbound = new SrtpContext(profile, localMasterKey, localMasterSalt, options);
        try
        {
            Inbound = new SrtpContext(profile, remoteMasterKey, remoteMasterSalt, options);
        }
        catch
        {
            Outbound.Dispose();
            throw;
        }
    }

    /// <summary>Gets the context that protects what this side sends.</summary>
    public SrtpContext Outbound { get; }

    /// <summary>Gets the context that unprotects what the peer sends.</summary>
    public SrtpContext Inbound { get; }

    /// <summary>Gets the profile.</summary>
    public SrtpProfile Profile => Outbound.Profile;

    /// <summary>
    /// Creates a session from DTLS-SRTP exported keying material (RFC 5764 §4.2; label
    /// "EXTRACTOR-dtls_srtp", <see cref="SrtpKeyingMaterial.ExportLength"/> bytes).
    /// </summary>
    /// <param name="profile">The profile negotiated in the use_srtp extension.</param>
    /// <param name="exportedKeyingMaterial">The exporter output.</param>
    /// <param name="isClient">True when this side was the DTLS client.</param>
    /// <param name="options">Options for both contexts.</param>
    public static SrtpSession FromDtlsExport(SrtpProfile profile, ReadOnlySpan<byte> exportedKeyingMaterial, bool isClient, SrtpOptions? options = null)
    {
        SrtpKeyingMaterial m = SrtpKeyingMaterial.Split(profile, exportedKeyingMaterial, isClient);
        return new SrtpSession(profile, m.LocalMasterKey, m.LocalMasterSalt, m.RemoteMasterKey, m.RemoteMasterSalt, options);
    }

    /// <inheritdoc cref="SrtpContext.ProtectRtp(Span{byte}, int, out int)"/>
    public SrtpStatus ProtectRtp(Span<byte> buffer, int length, out int protectedLength) => Outbound.ProtectRtp(buffer, length, out protectedLength);

    /// <inheritdoc cref="SrtpContext.UnprotectRtp(Span{byte}, int, out int)"/>
    public SrtpStatus UnprotectRtp(Span<byte> buffer, int length, out int plainLength) => Inbound.UnprotectRtp(buffer, length, out plainLength);

    /// <inheritdoc cref="SrtpContext.ProtectRtcp(Span{byte}, int, out int)"/>
    public SrtpStatus ProtectRtcp(Span<byte> buffer, int length, out int protectedLength) => Outbound.ProtectRtcp(buffer, length, out protectedLength);

    /// <inheritdoc cref="SrtpContext.UnprotectRtcp(Span{byte}, int, out int)"/>
    public SrtpStatus UnprotectRtcp(Span<byte> buffer, int length, out int plainLength) => Inbound.UnprotectRtcp(buffer, length, out plainLength);

    /// <inheritdoc/>
    public void Dispose()
    {
        Outbound.Dispose();
        Inbound.Dispose();
    }
}
