using RtcStack.Srtp;
namespace RtcStack.Dtls;

/// <summary>
/// RFC 5764 §4.2: the SRTP master keys and salts derived from the exporter label
/// "EXTRACTOR-dtls_srtp", already assigned to this endpoint's direction. The exporter output is
/// client_write_SRTP_master_key | server_write_SRTP_master_key | client_write_SRTP_master_salt |
/// server_write_SRTP_master_salt; "local" is what this endpoint protects outgoing SRTP with and
/// "remote" what it unprotects incoming SRTP with.
/// </summary>
/// <param name="Profile">The negotiated protection profile.</param>
/// <param name="LocalMasterKey">Master key for SRTP this endpoint sends.</param>
/// <param name="LocalMasterSalt">Master salt for SRTP this endpoint sends.</param>
/// <param name="RemoteMasterKey">Master key for SRTP the peer sends.</param>
/// <param name="RemoteMasterSalt">Master salt for SRTP the peer sends.</param>
/// <param name="ExporterOutput">The raw exporter output, in RFC 5764 §4.2 order (client key, server key, client salt, server salt).</param>
public sealed record DtlsSrtpKeyingMaterial(
    SrtpProfile Profile,
    byte[] LocalMasterKey,
    byte[] LocalMasterSalt,
    byte[] RemoteMasterKey,
    byte[] RemoteMasterSalt,
    byte[] ExporterOutput)
{
    /// <summary>The exporter label of RFC 5764 §4.2.</summary>
    public const string ExporterLabel = "EXTRACTOR-dtls_srtp";

    /// <summary>Splits an RFC 5764 §4.2 exporter output for an endpoint in <paramref name="role"/>.</summary>
    public static DtlsSrtpKeyingMaterial FromExporterOutput(SrtpProfile profile, DtlsRole role, ReadOnlySpan<byte> exporterOutput)
    {
        int k = profile.MasterKeyLength();
        int s = profile.MasterSaltLength();
        if (exporterOutput.Length != 2 * (k + s))
        {
            throw new ArgumentException($"exporter output must be {2 * (k + s)} bytes for {profile}", nameof(exporterOutput));
        }

        byte[] clientKey = exporterOutput.Slice(0, k).ToArray();
        byte[] serverKey = exporterOutput.Slice(k, k).ToArray();
        byte[] clientSalt = exporterOutput.Slice(2 * k, s).ToArray();
        byte[] serverSalt = exporterOutput.Slice((2 * k) + s, s).ToArray();
        return role == DtlsRole.Client
            ? new DtlsSrtpKeyingMaterial(profile, clientKey, clientSalt, serverKey, serverSalt, exporterOutput.ToArray())
            : new DtlsSrtpKeyingMaterial(profile, serverKey, serverSalt, clientKey, clientSalt, exporterOutput.ToArray());
    }
}
