using RtcStack.Dtls;

namespace RtcStack.Fuzz.Targets;

/// <summary>
/// The DTLS 1.3 server path (RFC 9147): a fresh <see cref="DtlsEndpoint"/> with
/// <see cref="DtlsOptions.MaxVersion"/> = DTLS 1.3 is fed the input as datagrams — ClientHello
/// parsing with supported_versions, key_share (X25519MLKEM768, X25519, P-256 shares, including the
/// ML-KEM encapsulation-key checks), cookie, the stateless HelloRetryRequest, the unified-header
/// reader and record buffering for epochs without keys. Input layout: one flag byte (bit 0:
/// require the cookie exchange; bit 1: no hybrid group, so the X25519 / P-256 shares and the
/// HelloRetryRequest asking for a group run), then datagrams each prefixed with a 16-bit
/// big-endian length, as for <c>dtls-server</c>.
/// </summary>
[FuzzTarget("dtls13-server")]
public sealed class Dtls13ServerTarget : IFuzzTarget
{
    private static readonly Lazy<(DtlsCertificate Server, DtlsCertificate Client)> s_certs = new(() =>
        (DtlsCertificate.Generate(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), commonName: "fuzz-server"),
         DtlsCertificate.Generate(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), commonName: "fuzz-client")));

    public void Run(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        var options = new DtlsOptions
        {
            Certificate = s_certs.Value.Server,
            RequireCookie = (data[0] & 1) != 0,
            CookieSecret = new byte[32],
            MaxVersion = DtlsVersion.Dtls13,
        };
        if ((data[0] & 2) != 0)
        {
            options.Dtls13Groups.Remove(DtlsNamedGroup.X25519MlKem768);
            options.Dtls13Groups.Remove(DtlsNamedGroup.X25519);
        }

        options.RemoteFingerprints.Add(s_certs.Value.Client.Fingerprint);
        using var server = new DtlsEndpoint(DtlsRole.Server, options);
        server.Start(TimeSpan.Zero);
        DtlsFuzzInput.Feed(server, data[1..]);
    }
}
