using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using RtcStack.Dtls.Crypto;
using RtcStack.Dtls.Handshake;
using RtcStack.Dtls.Records;
using RtcStack.Srtp;

namespace RtcStack.Dtls;

/// <summary>
/// DTLS 1.3 handshake state shared by both roles: the transcript over TLS-style 4-byte handshake
/// headers (RFC 9147 §5.2), the RFC 8446 §7.1 key schedule with the "dtls13" prefix (RFC 9147
/// §5.9), Certificate / CertificateVerify / Finished (RFC 8446 §4.4), post-handshake messages
/// (KeyUpdate RFC 9147 §8, NewSessionTicket ignored) and the RFC 8446 §7.5 exporter that keys
/// SRTP (RFC 5764 §4.2 label).
/// </summary>
public sealed partial class DtlsEndpoint
{
    private static readonly ushort[] s_tls13Schemes =
    [
        (ushort)SignatureScheme.EcdsaSecp256r1Sha256,
        (ushort)SignatureScheme.RsaPssRsaeSha256,
        (ushort)SignatureScheme.EcdsaSecp384r1Sha384,
        (ushort)SignatureScheme.RsaPssRsaeSha384,
        (ushort)SignatureScheme.RsaPssRsaeSha512,
    ];

    private readonly MessageWriter _transcript13 = new(4096);
    private Tls13KeySchedule? _ks;
    private bool _v13;
    private DtlsNamedGroup? _group13;
    private byte[]? _clientHsSecret;
    private byte[]? _serverHsSecret;
    private byte[]? _clientApSecret;
    private byte[]? _serverApSecret;
    private byte[]? _exporterSecret;
    private bool _keyUpdatePending;

    /// <summary>Gets the negotiated version once the ServerHello is settled (DTLS 1.2 until then).</summary>
    public DtlsVersion Version => _v13 ? DtlsVersion.Dtls13 : DtlsVersion.Dtls12;

    /// <summary>Gets the negotiated key exchange group once known, or null.</summary>
    public DtlsNamedGroup? NegotiatedGroup => _v13 ? _group13 : (_group != default ? _group : null);

    private int Tls13KeyLength => _suite == DtlsCipherSuite.Tls13Aes256GcmSha384 ? 32 : 16;

    private HashAlgorithmName Tls13Hash => _suite == DtlsCipherSuite.Tls13Aes256GcmSha384 ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256;

    /// <summary>
    /// RFC 9147 §8 / RFC 8446 §4.6.3: sends a KeyUpdate and moves our sending keys to the next epoch
    /// once the peer acknowledges it; with <paramref name="requestPeerUpdate"/> the peer updates its
    /// keys too. DTLS 1.3 only, once connected.
    /// </summary>
    public void UpdateKeys(bool requestPeerUpdate)
    {
        if (State != DtlsState.Connected || !_v13)
        {
            throw new InvalidOperationException("KeyUpdate needs a connected DTLS 1.3 endpoint");
        }

        if (_keyUpdatePending)
        {
            return;
        }

        _keyUpdatePending = true;
        BeginFlight();
        AddHandshakeToFlight(HandshakeType.KeyUpdate, [requestPeerUpdate ? (byte)1 : (byte)0], (ushort)_writeEpoch13, addToTranscript: false);
        EndFlight(_lastNow, expectReply: true);
    }

    private static bool IsTls13Suite(ushort suite) => suite is 0x1301 or 0x1302;

    private void AppendTranscript13(HandshakeType type, ReadOnlySpan<byte> body)
    {
        _transcript13.WriteUInt8((byte)type);
        _transcript13.WriteUInt24(body.Length);
        _transcript13.WriteBytes(body);
    }

    private byte[] TranscriptHash13() => Tls13KeySchedule.HashData(Tls13Hash, _transcript13.WrittenSpan);

    private void AddHandshakeToFlight13(HandshakeType type, byte[] body, ushort epoch)
    {
        AddHandshakeToFlight(type, body, epoch, addToTranscript: false);
        AppendTranscript13(type, body);
    }

    /// <summary>RFC 8446 §4.4.1: after a HelloRetryRequest the first ClientHello is replaced by message_hash(Hash(ClientHello1)).</summary>
    private void AppendMessageHash13(ReadOnlySpan<byte> clientHello1Hash)
    {
        AppendTranscript13(HandshakeType.MessageHash, clientHello1Hash);
    }

    /// <summary>RFC 8446 §4.4.3: 64 spaces ‖ context string ‖ 0 ‖ Transcript-Hash.</summary>
    private static byte[] CertificateVerifyContent(bool server, ReadOnlySpan<byte> transcriptHash)
    {
        string context = server ? "TLS 1.3, server CertificateVerify" : "TLS 1.3, client CertificateVerify";
        var content = new byte[64 + context.Length + 1 + transcriptHash.Length];
        content.AsSpan(0, 64).Fill(0x20);
        Encoding.ASCII.GetBytes(context, content.AsSpan(64));
        transcriptHash.CopyTo(content.AsSpan(64 + context.Length + 1));
        return content;
    }

    /// <summary>RFC 8446 §4.2.3: the schemes usable in a 1.3 CertificateVerify (no PKCS#1 v1.5, ECDSA curve bound to the hash).</summary>
    private static bool FitsTls13(AsymmetricAlgorithm key, ushort scheme) => key switch
    {
        ECDsa ec => (scheme, ec.KeySize) is ((ushort)SignatureScheme.EcdsaSecp256r1Sha256, 256) or ((ushort)SignatureScheme.EcdsaSecp384r1Sha384, 384),
        RSA => scheme is (ushort)SignatureScheme.RsaPssRsaeSha256 or (ushort)SignatureScheme.RsaPssRsaeSha384 or (ushort)SignatureScheme.RsaPssRsaeSha512,
        _ => false,
    };

    private bool TryChooseTls13Scheme(ReadOnlySpan<ushort> peerSchemes, out SignatureScheme scheme)
    {
        foreach (ushort s in s_tls13Schemes)
        {
            if (FitsTls13(_certificate.PrivateKey, s) && peerSchemes.Contains(s))
            {
                scheme = (SignatureScheme)s;
                return true;
            }
        }

        scheme = default;
        return false;
    }

    private byte[] BuildCertificateVerify13(SignatureScheme scheme)
    {
        byte[] content = CertificateVerifyContent(Role == DtlsRole.Server, TranscriptHash13());
        byte[] signature = Signatures.Sign(_certificate.PrivateKey, scheme, content);
        return BuildSignedBody(scheme, signature, default);
    }

    /// <summary>RFC 8446 §4.4.3: the peer's signature over the transcript through its Certificate.</summary>
    private void VerifyCertificateVerify13(byte[] body, ReadOnlySpan<ushort> offered)
    {
        var r = new SpanReader(body);
        if (!r.TryReadUInt16(out ushort scheme) || !r.TryReadVector16(out ReadOnlySpan<byte> signature) || r.Remaining != 0)
        {
            throw Decode(HandshakeType.CertificateVerify);
        }

        if (!offered.Contains(scheme) || !FitsTls13(_peerKey!, scheme))
        {
            throw new HandshakeFailureException(DtlsError.NoCommonParameters, AlertDescription.IllegalParameter, $"peer signed with scheme 0x{scheme:x4}, which was not offered or does not fit its key");
        }

        byte[] content = CertificateVerifyContent(Role == DtlsRole.Client, TranscriptHash13());
        if (!Signatures.Verify(_peerKey!, (SignatureScheme)scheme, content, signature))
        {
            throw new HandshakeFailureException(DtlsError.BadSignature, AlertDescription.DecryptError, "CertificateVerify signature does not verify");
        }
    }

    /// <summary>RFC 8446 §4.4.2: the peer's Certificate; its end-entity certificate must match a signalled fingerprint.</summary>
    private void ProcessPeerCertificate13(byte[] body, ReadOnlySpan<byte> expectedContext)
    {
        if (!Certificate13Message.TryParse(body, out byte[] context, out byte[] leaf))
        {
            throw Decode(HandshakeType.Certificate);
        }

        if (!context.AsSpan().SequenceEqual(expectedContext))
        {
            throw new HandshakeFailureException(DtlsError.ProtocolViolation, AlertDescription.IllegalParameter, "certificate_request_context does not match");
        }

        if (leaf.Length == 0)
        {
            // RFC 8446 §4.4.2.4: a server requiring a client certificate may abort with certificate_required.
            throw new HandshakeFailureException(DtlsError.CertificateMissing, AlertDescription.CertificateRequired, "peer sent no certificate; WebRTC requires mutual authentication");
        }

        ProcessPeerLeaf(leaf);
    }

    private byte[] FinishedVerifyData13(byte[] baseKey) => _ks!.FinishedVerifyData(baseKey, TranscriptHash13());

    private void CheckFinished13(byte[] body, byte[] baseKey)
    {
        byte[] expected = FinishedVerifyData13(baseKey);
        if (!CryptographicOperations.FixedTimeEquals(body, expected))
        {
            throw new HandshakeFailureException(DtlsError.BadFinished, AlertDescription.DecryptError, "Finished verify_data does not match");
        }
    }

    /// <summary>RFC 8446 §7.1: handshake secrets from the shared secret and the transcript through ServerHello; installs epoch 2 both ways.</summary>
    private void DeriveHandshakeKeys13(byte[] sharedSecret, TimeSpan now)
    {
        _ks = new Tls13KeySchedule(Tls13Hash, Tls13KeySchedule.DtlsPrefix);
        _ks.SetSharedSecret(sharedSecret);
        CryptographicOperations.ZeroMemory(sharedSecret);
        (_clientHsSecret, _serverHsSecret) = _ks.HandshakeTrafficSecrets(TranscriptHash13());
        InstallWrite13(2, Role == DtlsRole.Client ? _clientHsSecret : _serverHsSecret);
        _writeEpoch13 = 2;
        InstallRead13(2, Role == DtlsRole.Client ? _serverHsSecret : _clientHsSecret, now);
    }

    /// <summary>RFC 8446 §7.1: application secrets and exporter_master_secret over the transcript through the server's Finished.</summary>
    private void DeriveApplicationSecrets13()
    {
        _ks!.DeriveMasterSecret();
        (_clientApSecret, _serverApSecret, _exporterSecret) = _ks.ApplicationSecrets(TranscriptHash13());
        InstallWrite13(3, Role == DtlsRole.Client ? _clientApSecret : _serverApSecret);
    }

    private void OnHandshakeMessage13(HandshakeType type, byte[] body, int messageSeq, ushort epoch, TimeSpan now)
    {
        if (State == DtlsState.Connected)
        {
            OnPostHandshake13(type, body, epoch, now);
            return;
        }

        // RFC 9147 §6.1: the hellos are epoch 0, the rest of the handshake epoch 2.
        bool hello = type is HandshakeType.ClientHello or HandshakeType.ServerHello;
        if (hello != (epoch == 0) || (!hello && epoch != 2))
        {
            throw new HandshakeFailureException(DtlsError.ProtocolViolation, AlertDescription.UnexpectedMessage, $"{type} in epoch {epoch}");
        }

        if (Role == DtlsRole.Client)
        {
            ClientOnMessage13(type, body, now);
        }
        else
        {
            ServerOnMessage13(type, body, now);
        }
    }

    /// <summary>RFC 9147 §8 KeyUpdate and RFC 8446 §4.6.1 NewSessionTicket (not used for resumption here: acknowledged and dropped).</summary>
    private void OnPostHandshake13(HandshakeType type, byte[] body, ushort epoch, TimeSpan now)
    {
        if (epoch < 3)
        {
            // A retransmitted handshake-epoch message after we connected: only its ACK matters.
            QueueAck13();
            return;
        }

        switch (type)
        {
            case HandshakeType.NewSessionTicket when Role == DtlsRole.Client:
                break;
            case HandshakeType.KeyUpdate:
                if (body.Length != 1 || body[0] > 1)
                {
                    throw Decode(type);
                }

                // The peer's next epoch: application_traffic_secret_N+1 (RFC 8446 §7.2).
                ulong current = 0;
                foreach (ulong e in _read13.Keys)
                {
                    current = Math.Max(current, e);
                }

                if (Role == DtlsRole.Client)
                {
                    _serverApSecret = _ks!.NextTrafficSecret(_serverApSecret!);
                    InstallRead13(current + 1, _serverApSecret, now);
                }
                else
                {
                    _clientApSecret = _ks!.NextTrafficSecret(_clientApSecret!);
                    InstallRead13(current + 1, _clientApSecret, now);
                }

                QueueAck13();
                if (body[0] == 1 && !_keyUpdatePending)
                {
                    // RFC 8446 §4.6.3: update_requested is answered with our own update_not_requested.
                    UpdateKeys(requestPeerUpdate: false);
                }

                return;
            default:
                throw new HandshakeFailureException(DtlsError.ProtocolViolation, AlertDescription.UnexpectedMessage, $"unexpected post-handshake {type}");
        }

        QueueAck13();
    }

    /// <summary>Our flight was fully acknowledged (RFC 9147 §7).</summary>
    private void OnFlightAcked13(TimeSpan now)
    {
        if (_keyUpdatePending)
        {
            // RFC 9147 §8: the new sending keys are used only once the KeyUpdate is acknowledged.
            _keyUpdatePending = false;
            if (Role == DtlsRole.Client)
            {
                _clientApSecret = _ks!.NextTrafficSecret(_clientApSecret!);
                InstallWrite13(_writeEpoch13 + 1, _clientApSecret);
            }
            else
            {
                _serverApSecret = _ks!.NextTrafficSecret(_serverApSecret!);
                InstallWrite13(_writeEpoch13 + 1, _serverApSecret);
            }

            if (_write13.Remove(_writeEpoch13, out Epoch13? old))
            {
                old.Protection.Dispose();
            }

            _writeEpoch13++;
            _logger.LogDebug("DTLS 1.3 {Role} at {Now}: sending in epoch {Epoch}", Role, now, _writeEpoch13);
        }

        if (State == DtlsState.Connected)
        {
            _flight.Clear();
            _flightAcked13.Clear();
            _sent13.Clear();
        }
    }

    private void CompleteHandshake13()
    {
        State = DtlsState.Connected;
        _step = Step.Done;
        _writeEpoch13 = 3;
        DtlsSrtpKeyingMaterial? keys = null;
        if (SrtpProfile is SrtpProfile profile)
        {
            byte[] material = _ks!.Export(_exporterSecret!, DtlsSrtpKeyingMaterial.ExporterLabel, default, profile.DtlsExporterLength());
            keys = DtlsSrtpKeyingMaterial.FromExporterOutput(profile, Role, material);
            SrtpKeys = keys;
        }

        DtlsMetrics.Handshakes.Add(1, new KeyValuePair<string, object?>("outcome", "connected"), new KeyValuePair<string, object?>("role", Role == DtlsRole.Client ? "client" : "server"));
        _logger.LogDebug("DTLS 1.3 {Role} connected: {Suite}, {Group}, SRTP {Profile}", Role, _suite, _group13, SrtpProfile);
        _events.Enqueue(new DtlsConnectedEvent(_suite, keys, _remoteCertificateDer!, _matchedFingerprint) { Version = DtlsVersion.Dtls13, Group = _group13 });
    }

    private void DisposeHandshake13()
    {
        foreach (byte[]? secret in (byte[]?[])[_clientHsSecret, _serverHsSecret, _clientApSecret, _serverApSecret, _exporterSecret])
        {
            if (secret is not null)
            {
                CryptographicOperations.ZeroMemory(secret);
            }
        }

        DisposeRecords13();
    }
}
