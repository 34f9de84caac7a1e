using RtcStack.Dtls;

namespace RtcStack.Fuzz.Targets;

/// <summary>
/// The DTLS record layer and handshake parser, server side, from the first ClientHello on:
/// a fresh <see cref="DtlsEndpoint"/> in the server role is fed the input as datagrams. Input
/// layout: one flag byte (bit 0: require the cookie exchange), then datagrams each prefixed with
/// a 16-bit big-endian length (a short tail is fed as one last datagram). Every datagram is
/// followed by a timer tick so retransmission paths run too.
/// </summary>
[FuzzTarget("dtls-server")]
public sealed class DtlsServerTarget : IFuzzTarget
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
        };
        options.RemoteFingerprints.Add(s_certs.Value.Client.Fingerprint);
        using var server = new DtlsEndpoint(DtlsRole.Server, options);
        server.Start(TimeSpan.Zero);
        DtlsFuzzInput.Feed(server, data[1..]);
    }
}
