using RtcStack.Dtls;

namespace RtcStack.Fuzz.Targets;

/// <summary>
/// The DTLS record layer and the client's handshake parser: a client that has sent its
/// ClientHello is fed the input as the server's datagrams (same layout as
/// <see cref="DtlsServerTarget"/>; the flag byte is ignored).
/// </summary>
[FuzzTarget("dtls-client")]
public sealed class DtlsClientTarget : IFuzzTarget
{
    private static readonly Lazy<DtlsCertificate> s_cert = new(() =>
        DtlsCertificate.Generate(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), commonName: "fuzz-client"));

    public void Run(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        var options = new DtlsOptions { Certificate = s_cert.Value, AcceptAnyRemoteCertificate = true };
        using var client = new DtlsEndpoint(DtlsRole.Client, options);
        client.Start(TimeSpan.Zero);
        DtlsFuzzInput.Feed(client, data[1..]);
    }
}
