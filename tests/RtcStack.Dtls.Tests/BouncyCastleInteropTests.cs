using System.Text;
using Org.BouncyCastle.Tls;
using BcAlert = Org.BouncyCastle.Tls.AlertDescription;
using RtcStack.Dtls;
using RtcStack.Dtls.Tests.Support;
using RtcStack.TestSupport.Dtls;
using Xunit;
using RtcStack.Srtp;

namespace RtcStack.Dtls.Tests;

/// <summary>
/// Differential tests against BouncyCastle's DtlsClientProtocol / DtlsServerProtocol running on
/// a test thread over an in-memory datagram pipe: every role × cipher suite × SRTP profile, and
/// the RFC 5705 exporter output must be byte-identical on both sides.
/// </summary>
public class BouncyCastleInteropTests
{
    public static TheoryData<DtlsRole, DtlsCipherSuite, SrtpProfile> Matrix()
    {
        var data = new TheoryData<DtlsRole, DtlsCipherSuite, SrtpProfile>();
        foreach (DtlsRole role in new[] { DtlsRole.Client, DtlsRole.Server })
        {
            foreach (DtlsCipherSuite suite in new[] { DtlsCipherSuite.EcdheEcdsaWithAes128GcmSha256, DtlsCipherSuite.EcdheEcdsaWithAes256GcmSha384, DtlsCipherSuite.EcdheEcdsaWithChaCha20Poly1305Sha256 })
            {
                // Every profile with a DTLS-SRTP code point (the shared enum also holds SDES-only AES-256-CM ones).
                foreach (SrtpProfile profile in Enum.GetValues<SrtpProfile>())
                {
                    if (profile.IsDtlsSrtp())
                    {
                        data.Add(role, suite, profile);
                    }
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public void Handshake_AgainstBouncyCastle_ExportsEqualSrtpKeys(DtlsRole ourRole, DtlsCipherSuite suite, SrtpProfile profile)
    {
        DtlsOptions options = TestCertificates.Options(TestCertificates.Client, TestCertificates.Server);
        options.CipherSuites.Clear();
        options.CipherSuites.Add(suite);
        options.SrtpProfiles.Clear();
        options.SrtpProfiles.Add(profile);
        Result r = Run(ourRole, options, p =>
        {
            p.CipherSuites = [(int)suite];
            p.SrtpProfiles = [(int)profile];
        });

        Assert.True(r.Connected is not null, "our endpoint did not connect: " + string.Join("; ", r.Events));
        Assert.Equal(suite, r.Connected!.CipherSuite);
        Assert.Equal((int)suite, r.Peer.SelectedCipherSuite);
        Assert.Equal(profile, r.Connected.SrtpKeys!.Profile);
        Assert.Equal((int)profile, r.Peer.SelectedSrtpProfile);
        Assert.Equal(profile.DtlsExporterLength(), r.PeerExported.Length);
        Assert.Equal(Convert.ToHexString(r.PeerExported), Convert.ToHexString(r.Connected.SrtpKeys.ExporterOutput));
        Assert.Equal(TestCertificates.Client.Der.ToArray(), r.Peer.PeerCertificateDer);
        Assert.Equal("ping from bc", r.ReceivedByUs);
        Assert.Equal("pong from us", r.ReceivedByPeer);
    }

    [Theory]
    [InlineData(DtlsRole.Client, 29)]
    [InlineData(DtlsRole.Client, 23)]
    [InlineData(DtlsRole.Server, 29)]
    [InlineData(DtlsRole.Server, 23)]
    public void Handshake_AgainstBouncyCastle_EachGroup(DtlsRole ourRole, int group)
    {
        DtlsOptions options = TestCertificates.Options(TestCertificates.Client, TestCertificates.Server);
        options.NamedGroups.Clear();
        options.NamedGroups.Add((DtlsNamedGroup)group);
        Result r = Run(ourRole, options, p => p.NamedGroups = [group]);
        Assert.True(r.Connected is not null, r.PeerError + " | " + string.Join("; ", r.Events));
        Assert.Equal(Convert.ToHexString(r.PeerExported), Convert.ToHexString(r.Connected!.SrtpKeys!.ExporterOutput));
    }

    [Fact]
    public void OurServer_WithoutCookie_AgainstBouncyCastleClient()
    {
        DtlsOptions options = TestCertificates.Options(TestCertificates.Client, TestCertificates.Server);
        options.RequireCookie = false;
        Result r = Run(DtlsRole.Server, options, _ => { });
        Assert.NotNull(r.Connected);
    }

    [Fact]
    public void OurClient_WithWrongFingerprint_FailsWithBadCertificateAlert()
    {
        DtlsOptions options = TestCertificates.Options(TestCertificates.Client, TestCertificates.Client);
        Result r = Run(DtlsRole.Client, options, _ => { }, expectPeerFailure: true);
        Assert.Null(r.Connected);
        DtlsFailedEvent failed = Assert.Single(r.Events.OfType<DtlsFailedEvent>());
        Assert.Equal(DtlsError.FingerprintMismatch, failed.Error);
        Assert.Equal(AlertDescription.BadCertificate, failed.Alert);
        Assert.Contains("fingerprint", failed.Message, StringComparison.Ordinal);
        Assert.Contains("bad_certificate", r.PeerError, StringComparison.Ordinal);
    }

    private sealed record Result(DtlsConnectedEvent? Connected, List<DtlsEvent> Events, BcDtlsPeer Peer, byte[] PeerExported, string? ReceivedByUs, string? ReceivedByPeer, string PeerError);

    private static Result Run(DtlsRole ourRole, DtlsOptions ours, Action<BcDtlsPeer> configurePeer, bool expectPeerFailure = false)
    {
        // Our side uses the client test certificate in either role; the peer uses the server one.
        ours.RemoteFingerprints.Clear();
        ours.RemoteFingerprints.Add(expectPeerFailure ? TestCertificates.Client.Fingerprint : TestCertificates.Server.Fingerprint);
        DtlsCertificate peerCert = TestCertificates.Server;
        var peer = new BcDtlsPeer(peerCert.Der.ToArray(), ((System.Security.Cryptography.ECDsa)peerCert.PrivateKey).ExportPkcs8PrivateKey());
        configurePeer(peer);
        (DatagramPipe ourEnd, DatagramPipe peerEnd) = DatagramPipe.CreatePair();
        using var endpoint = new DtlsEndpoint(ourRole, ours);
        byte[] exported = [];
        string? receivedByPeer = null;
        string peerError = "";
        var peerTask = Task.Factory.StartNew(() =>
        {
            try
            {
                int length = ours.SrtpProfiles.Count == 1 ? ours.SrtpProfiles[0].DtlsExporterLength() : 60;
                (DtlsTransport t, byte[] x) = ourRole == DtlsRole.Client ? peer.Accept(peerEnd, length) : peer.Connect(peerEnd, length);
                exported = x;
                byte[] ping = Encoding.ASCII.GetBytes("ping from bc");
                t.Send(ping, 0, ping.Length);
                byte[] buf = new byte[2000];
                int n = t.Receive(buf, 0, buf.Length, 10_000);
                receivedByPeer = n > 0 ? Encoding.ASCII.GetString(buf, 0, n) : null;
            }
            catch (TlsFatalAlert e)
            {
                peerError = e.Message + " " + e.AlertDescription + " " + BcAlert.GetText(e.AlertDescription);
            }
            catch (TlsFatalAlertReceived e)
            {
                peerError = "received " + BcAlert.GetText(e.AlertDescription);
            }
        }, TaskCreationOptions.LongRunning);

        string? receivedByUs = null;
        bool sentPong = false;
        List<DtlsEvent> events = SansIoDriver.Run(endpoint, ourEnd.Inbox, ourEnd.Outbox, evs =>
        {
            if (evs.OfType<DtlsFailedEvent>().Any() || peerTask.IsFaulted)
            {
                return true;
            }

            if (evs.OfType<DtlsApplicationDataEvent>().FirstOrDefault() is { } data && !sentPong)
            {
                receivedByUs = Encoding.ASCII.GetString(data.Data.Span);
                endpoint.Send(Encoding.ASCII.GetBytes("pong from us"));
                sentPong = true;
                return false;
            }

            return sentPong && peerTask.IsCompleted;
        }, TimeSpan.FromSeconds(20));
        if (!peerTask.Wait(TimeSpan.FromSeconds(expectPeerFailure ? 5 : 20)))
        {
            ourEnd.Outbox.CompleteAdding();
        }

        return new Result(events.OfType<DtlsConnectedEvent>().SingleOrDefault(), events, peer, exported, receivedByUs, receivedByPeer, peerError);
    }
}
