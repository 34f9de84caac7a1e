using RtcStack.Dtls;

namespace RtcStack.Dtls.Tests.Support;

/// <summary>Certificates generated once per test run (generation is the slow part of a handshake test).</summary>
internal static class TestCertificates
{
    private static readonly DateTimeOffset s_now = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static DtlsCertificate Client { get; } = DtlsCertificate.Generate(DateTimeOffset.UtcNow, commonName: "client");

    public static DtlsCertificate Server { get; } = DtlsCertificate.Generate(DateTimeOffset.UtcNow, commonName: "server");

    public static DateTimeOffset FixedNow => s_now;

    public static DtlsOptions Options(DtlsCertificate own, DtlsCertificate peer)
    {
        var o = new DtlsOptions { Certificate = own };
        o.RemoteFingerprints.Add(peer.Fingerprint);
        return o;
    }
}
