namespace RtcStack.Srtp;

/// <summary>
/// The keying material a DTLS-SRTP handshake exports with the label "EXTRACTOR-dtls_srtp",
/// split by profile and role (RFC 5764 §4.2): client_write_SRTP_master_key ‖
/// server_write_SRTP_master_key ‖ client_write_SRTP_master_salt ‖ server_write_SRTP_master_salt.
/// The local side protects with its own write key and unprotects with the peer's.
/// </summary>
public readonly ref struct SrtpKeyingMaterial
{
    private SrtpKeyingMaterial(SrtpProfile profile, ReadOnlySpan<byte> localKey, ReadOnlySpan<byte> localSalt, ReadOnlySpan<byte> remoteKey, ReadOnlySpan<byte> remoteSalt)
    {
        Profile = profile;
        LocalMasterKey = localKey;
        LocalMasterSalt = localSalt;
        RemoteMasterKey = remoteKey;
        RemoteMasterSalt = remoteSalt;
    }

    /// <summary>Gets the profile the material was split for.</summary>
    public SrtpProfile Profile { get; }

    /// <summary>Gets the master key this side protects with.</summary>
    public ReadOnlySpan<byte> LocalMasterKey { get; }

    /// <summary>Gets the master salt this side protects with.</summary>
    public ReadOnlySpan<byte> LocalMasterSalt { get; }

    /// <summary>Gets the master key the peer protects with (this side unprotects with it).</summary>
    public ReadOnlySpan<byte> RemoteMasterKey { get; }

    /// <summary>Gets the master salt the peer protects with.</summary>
    public ReadOnlySpan<byte> RemoteMasterSalt { get; }

    /// <summary>The number of bytes to export for <paramref name="profile"/>: 2 × (key + salt) (RFC 5764 §4.2): 60 for AES-128-CM, 56 for AES-128-GCM, 88 for AES-256-GCM.</summary>
    public static int ExportLength(SrtpProfile profile) => 2 * (profile.MasterKeyLength() + profile.MasterSaltLength());

    /// <summary>Splits <paramref name="exported"/> for the given role.</summary>
    /// <param name="profile">The negotiated profile.</param>
    /// <param name="exported">Exactly <see cref="ExportLength"/> bytes of exported keying material.</param>
    /// <param name="isClient">True when this side was the DTLS client.</param>
    /// <exception cref="ArgumentException">The length does not match the profile.</exception>
    public static SrtpKeyingMaterial Split(SrtpProfile profile, ReadOnlySpan<byte> exported, bool isClient)
    {
        if (!profile.IsDefined())
        {
            throw new ArgumentException($"unknown SRTP profile {profile}", nameof(profile));
        }

        int k = profile.MasterKeyLength();
        int s = profile.MasterSaltLength();
        if (exported.Length != 2 * (k + s))
        {
            throw new ArgumentException($"{profile.DtlsName()} exports {2 * (k + s)} bytes of keying material, got {exported.Length}", nameof(exported));
        }

        ReadOnlySpan<byte> clientKey = exported[..k];
        ReadOnlySpan<byte> serverKey = exported.Slice(k, k);
        ReadOnlySpan<byte> clientSalt = exported.Slice(2 * k, s);
        ReadOnlySpan<byte> serverSalt = exported.Slice((2 * k) + s, s);
        return isClient
            ? new SrtpKeyingMaterial(profile, clientKey, clientSalt, serverKey, serverSalt)
            : new SrtpKeyingMaterial(profile, serverKey, serverSalt, clientKey, clientSalt);
    }
}
