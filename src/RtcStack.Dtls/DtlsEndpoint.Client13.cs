using RtcStack.Dtls.Crypto;
using RtcStack.Dtls.Handshake;
using RtcStack.Dtls.Records;
using RtcStack.Srtp;

namespace RtcStack.Dtls;

/// <summary>
/// The DTLS 1.3 client (RFC 9147 §5, RFC 8446 §4): a ClientHello that offers 1.3 and 1.2, a
/// second ClientHello after a HelloRetryRequest, the server's flight, and our Certificate,
/// CertificateVerify and Finished, resent until the server acknowledges them (RFC 9147 §7).
/// </summary>
public sealed partial class DtlsEndpoint
{
    private readonly List<KeyShare> _keyShares13 = [];
    private bool _offered13;
    private bool _sawHelloRetryRequest;
    private CertificateRequest13Message? _certificateRequest13;

    /// <summary>Adds the DTLS 1.3 offer to the ClientHello (RFC 9147 §5.3): supported_versions, the 1.3 suites first, key shares.</summary>
    private void AddDtls13Offer(ClientHelloMessage hello)
    {
        _offered13 = true;
        // A 1.3-only client lists only 1.3 (RFC 8446 §4.2.1). It still offers the 1.2 suites and
        // extensions, so that a 1.2-only server that ignores supported_versions answers with a 1.2
        // ServerHello, which is refused with protocol_version: a clear diagnosis instead of a
        // handshake_failure about cipher suites.
        hello.SupportedVersions = _options.MinVersion == DtlsVersion.Dtls13 ? [ProtocolVersion.Dtls13] : [ProtocolVersion.Dtls13, ProtocolVersion.Dtls12];
        var suites = new List<ushort>();
        foreach (DtlsCipherSuite s in _options.Dtls13CipherSuites)
        {
            suites.Add((ushort)s);
        }

        suites.AddRange(hello.CipherSuites);
        hello.CipherSuites = [.. suites];

        var groups = new List<ushort>();
        foreach (DtlsNamedGroup g in _options.Dtls13Groups)
        {
            groups.Add((ushort)g);
        }

        foreach (ushort g in hello.SupportedGroups ?? [])
        {
            if (!groups.Contains(g))
            {
                groups.Add(g);
            }
        }

        hello.SupportedGroups = [.. groups];

        // A share of our first group, and of X25519 beside the hybrid (as browsers do), so that a
        // server without ML-KEM needs no HelloRetryRequest.
        DtlsNamedGroup first = _options.Dtls13Groups[0];
        _keyShares13.Add(KeyShare.CreateClient(first, _options.RandomSource, _options.KeyMaterialMemo));
        if (first == DtlsNamedGroup.X25519MlKem768 && _options.Dtls13Groups.Contains(DtlsNamedGroup.X25519))
        {
            _keyShares13.Add(KeyShare.CreateClient(DtlsNamedGroup.X25519, _options.RandomSource, _options.KeyMaterialMemo));
        }

        hello.KeyShares = [];
        foreach (KeyShare k in _keyShares13)
        {
            hello.KeyShares.Add(((ushort)k.Group, k.Share));
        }
    }

    /// <summary>RFC 8446 §4.1.3: a ServerHello (or HelloRetryRequest) that selects DTLS 1.3 through supported_versions.</summary>
    private static bool SelectsDtls13(byte[] body) =>
        ServerHelloMessage.TryParse(body, out ServerHelloMessage? sh) && sh!.SelectedVersion == ProtocolVersion.Dtls13;

    private void ClientOnServerHello13(byte[] body, TimeSpan now)
    {
        if (!ServerHelloMessage.TryParse(body, out ServerHelloMessage? sh))
        {
            throw Decode(HandshakeType.ServerHello);
        }

        // RFC 9147 §5.4 / RFC 8446 §4.1.3 checks common to ServerHello and HelloRetryRequest.
        if (sh!.Version != ProtocolVersion.Dtls12 || !IsTls13Suite(sh.CipherSuite) ||
            Array.IndexOf(_clientHello!.CipherSuites, sh.CipherSuite) < 0 || sh.Compression != 0 || sh.SessionId.Length != 0)
        {
            throw new HandshakeFailureException(DtlsError.ProtocolViolation, AlertDescription.IllegalParameter, $"DTLS 1.3 ServerHello with suite 0x{sh.CipherSuite:x4}, legacy_version 0x{sh.Version:x4} or a session id we did not offer");
        }

        if (sh.IsHelloRetryRequest)
        {
            ClientOnHelloRetryRequest13(sh, body, now);
            return;
        }

        if (_sawHelloRetryRequest && (ushort)_suite != sh.CipherSuite)
        {
            throw new HandshakeFailureException(DtlsError.ProtocolViolation, AlertDescription.IllegalParameter, "ServerHello suite differs from the HelloRetryRequest's");
        }

        KeyShare? share = null;
        foreach (KeyShare k in _keyShares13)
        {
            if (sh.KeyShareGroup == (ushort)k.Group)
            {
                share = k;
            }
        }

        if (share is null || sh.KeyShare is null)
        {
            throw new HandshakeFailureException(DtlsError.ProtocolViolation, AlertDescription.IllegalParameter, "ServerHello key_share is not of a group we sent a share of");
        }

        _suite = (DtlsCipherSuite)sh.CipherSuite;
        if (!share.TryComplete(sh.KeyShare, out byte[] secret))
        {
            throw new HandshakeFailureException(DtlsError.ProtocolViolation, AlertDescription.IllegalParameter, "server key share is invalid");
        }

        _v13 = true;
        _group13 = share.Group;
        _serverRandom = sh.Random;
        AppendTranscript13(HandshakeType.ServerHello, body);
        DeriveHandshakeKeys13(secret, now);
        foreach (KeyShare k in _keyShares13)
        {
            k.Dispose();
        }

        _keyShares13.Clear();
        _step = Step.ClientWaitServerHelloDone;
    }

    /// <summary>RFC 8446 §4.1.4 / RFC 9147 §5.1: a second ClientHello with the cookie and the requested share; the transcript starts with message_hash(ClientHello1).</summary>
    private void ClientOnHelloRetryRequest13(ServerHelloMessage hrr, byte[] body, TimeSpan now)
    {
        if (_sawHelloRetryRequest)
        {
            throw new HandshakeFailureException(DtlsError.ProtocolViolation, AlertDescription.UnexpectedMessage, "second HelloRetryRequest");
        }

        _sawHelloRetryRequest = true;
        _suite = (DtlsCipherSuite)hrr.CipherSuite;
        if (hrr.KeyShareGroup is ushort wanted)
        {
            bool offered = _options.Dtls13Groups.Contains((DtlsNamedGroup)wanted);
            bool alreadySent = _keyShares13.Exists(k => (ushort)k.Group == wanted);
            if (!offered || alreadySent)
            {
                throw new HandshakeFailureException(DtlsError.ProtocolViolation, AlertDescription.IllegalParameter, $"HelloRetryRequest asks for group 0x{wanted:x4}, which was not offered or already has a share");
            }

            foreach (KeyShare k in _keyShares13)
            {
                k.Dispose();
            }

            _keyShares13.Clear();
            _keyShares13.Add(KeyShare.CreateClient((DtlsNamedGroup)wanted, _options.RandomSource, _options.KeyMaterialMemo));
            _clientHello!.KeyShares = [(wanted, _keyShares13[0].Share)];
        }
        else if (hrr.Cookie13 is null)
        {
            // RFC 8446 §4.1.4: a HelloRetryRequest that would not change the ClientHello is illegal.
            throw new HandshakeFailureException(DtlsError.ProtocolViolation, AlertDescription.IllegalParameter, "HelloRetryRequest changes nothing");
        }

        _clientHello!.Cookie13 = hrr.Cookie13;
        byte[] clientHello1Hash = TranscriptHash13();
        _transcript13.Clear();
        AppendMessageHash13(clientHello1Hash);
        AppendTranscript13(HandshakeType.ServerHello, body);

        var w = new MessageWriter(1600);
        _clientHello.Write(w);
        BeginFlight();
        AddHandshakeToFlight13(HandshakeType.ClientHello, w.ToArray(), 0);
        _received13.Clear();
        EndFlight(now, expectReply: true);
    }

    private void ClientOnMessage13(HandshakeType type, byte[] body, TimeSpan now)
    {
        switch (type)
        {
            case HandshakeType.EncryptedExtensions when _step == Step.ClientWaitServerHelloDone && _transcriptStage13 == 0:
                ClientOnEncryptedExtensions13(body);
                AppendTranscript13(type, body);
                _transcriptStage13 = 1;
                break;
            case HandshakeType.CertificateRequest when _transcriptStage13 == 1:
                if (!CertificateRequest13Message.TryParse(body, out _certificateRequest13))
                {
                    throw Decode(type);
                }

                AppendTranscript13(type, body);
                _transcriptStage13 = 2;
                break;
            case HandshakeType.Certificate when _transcriptStage13 is 1 or 2:
                ProcessPeerCertificate13(body, default);
                AppendTranscript13(type, body);
                _transcriptStage13 = 3;
                break;
            case HandshakeType.CertificateVerify when _transcriptStage13 == 3:
                VerifyCertificateVerify13(body, s_tls13Schemes);
                AppendTranscript13(type, body);
                _transcriptStage13 = 4;
                break;
            case HandshakeType.Finished when _transcriptStage13 == 4:
                CheckFinished13(body, _serverHsSecret!);
                AppendTranscript13(type, body);
                _transcriptStage13 = 5;
                DeriveApplicationSecrets13();
                InstallRead13(3, _serverApSecret!, now);
                ClientSendFinalFlight13(now);
                break;
            default:
                throw new HandshakeFailureException(DtlsError.ProtocolViolation, AlertDescription.UnexpectedMessage, $"unexpected {type} in the DTLS 1.3 server flight");
        }
    }

    private int _transcriptStage13;

    private void ClientOnEncryptedExtensions13(byte[] body)
    {
        if (!EncryptedExtensionsMessage.TryParse(body, out EncryptedExtensionsMessage? ee))
        {
            throw Decode(HandshakeType.EncryptedExtensions);
        }

        if (_clientHello!.SrtpProfiles is not null)
        {
            // RFC 5764 §4.1.1: the server picks one of the offered profiles, here in EncryptedExtensions.
            if (ee!.SrtpProfile is not ushort p || Array.IndexOf(_clientHello.SrtpProfiles, p) < 0)
            {
                throw new HandshakeFailureException(DtlsError.NoCommonSrtpProfile, AlertDescription.HandshakeFailure,
                    ee!.SrtpProfile is null ? "server did not negotiate use_srtp" : $"server chose SRTP profile 0x{ee.SrtpProfile:x4} that was not offered");
            }

            SrtpProfile = (SrtpProfile)p;
        }
        else if (ee!.SrtpProfile is not null)
        {
            throw new HandshakeFailureException(DtlsError.ProtocolViolation, AlertDescription.UnsupportedExtension, "server sent use_srtp that was not offered");
        }
    }

    /// <summary>RFC 8446 §4.4: Certificate and CertificateVerify when asked, then Finished, all in epoch 2.</summary>
    private void ClientSendFinalFlight13(TimeSpan now)
    {
        SignatureScheme scheme = default;
        if (_certificateRequest13 is not null && !TryChooseTls13Scheme(_certificateRequest13.SignatureAlgorithms, out scheme))
        {
            throw new HandshakeFailureException(DtlsError.NoCommonParameters, AlertDescription.HandshakeFailure, "no signature scheme in common for CertificateVerify");
        }

        BeginFlight();
        if (_certificateRequest13 is not null)
        {
            AddHandshakeToFlight13(HandshakeType.Certificate, Certificate13Message.Build(_certificateRequest13.Context, _certificate.Der), 2);
            AddHandshakeToFlight13(HandshakeType.CertificateVerify, BuildCertificateVerify13(scheme), 2);
        }

        AddHandshakeToFlight13(HandshakeType.Finished, FinishedVerifyData13(_clientHsSecret!), 2);
        _received13.Clear();

        // RFC 9147 §5.7 note 1: the final flight is resent until the server's ACK arrives.
        EndFlight(now, expectReply: true);
        CompleteHandshake13();
    }
}
