using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using System.Security.Cryptography.X509Certificates;
using RtcStack.Dtls.Crypto;
using RtcStack.Dtls.Handshake;
using RtcStack.Dtls.Records;
using RtcStack.Srtp;

namespace RtcStack.Dtls;

/// <summary>
/// DTLS 1.2 handshake state shared by both roles: transcript, key schedule (RFC 5246 §6.3,
/// §8.1; RFC 7627 §4), Finished (RFC 5246 §7.4.9), certificate checks (RFC 8122 §5) and the
/// RFC 5705 exporter.
/// </summary>
public sealed partial class DtlsEndpoint
{
    private readonly MessageWriter _transcript = new(4096);
    private readonly byte[] _cookieSecret;
    private Step _step;
    private byte[] _clientRandom = new byte[32];
    private byte[] _serverRandom = new byte[32];
    private DtlsCipherSuite _suite;
    private KeyExchange? _keyExchange;
    private byte[]? _masterSecret;
    private AsymmetricAlgorithm? _peerKey;
    private DtlsFingerprint? _matchedFingerprint;
    private byte[]? _remoteCertificateDer;
    private X509Certificate2? _remoteCertificate;
    private RecordProtection? _pendingWrite;
    private RecordProtection? _pendingRead;

    /// <summary>Where the handshake is (one enum for both roles; RFC 6347 §4.2.4 Figure 1 flights).</summary>
    private enum Step
    {
        ClientWaitServerHello,
        ClientWaitServerHelloDone,
        ClientWaitFinished,
        ServerWaitClientHello,
        ServerWaitClientCertificate,
        ServerWaitClientKeyExchange,
        ServerWaitCertificateVerify,
        ServerWaitFinished,
        Done,
    }

    private void OnHandshakeMessage(HandshakeType type, byte[] body, int messageSeq, ushort epoch, ulong recordSeq, TimeSpan now)
    {
        if (_v13)
        {
            OnHandshakeMessage13(type, body, messageSeq, epoch, now);
            return;
        }

        if (State == DtlsState.Connected)
        {
            // RFC 5746 §4.3/§4.5: renegotiation is refused with a no_renegotiation warning.
            if ((Role == DtlsRole.Client && type == HandshakeType.HelloRequest) ||
                (Role == DtlsRole.Server && type == HandshakeType.ClientHello))
            {
                SendAlert(AlertLevel.Warning, AlertDescription.NoRenegotiation);
                _events.Enqueue(new DtlsAlertEvent(AlertLevel.Warning, AlertDescription.NoRenegotiation, Sent: true));
            }

            return;
        }

        // RFC 5246 §7.4.9: Finished is the only message protected by the new epoch.
        if ((type == HandshakeType.Finished) != (epoch == 1))
        {
            throw new HandshakeFailureException(DtlsError.ProtocolViolation, AlertDescription.UnexpectedMessage, $"{type} in epoch {epoch}");
        }

        if (Role == DtlsRole.Client)
        {
            ClientOnMessage(type, body, messageSeq, now);
        }
        else
        {
            ServerOnMessage(type, body, messageSeq, recordSeq, now);
        }
    }

    private static HandshakeFailureException Decode(HandshakeType type) =>
        new(DtlsError.ProtocolViolation, AlertDescription.DecodeError, $"malformed {type}");

    private static HandshakeFailureException Unexpected(HandshakeType type, Step step) =>
        new(DtlsError.ProtocolViolation, AlertDescription.UnexpectedMessage, $"unexpected {type} while in {step}");

    private HashAlgorithmName PrfHash => CipherSuiteInfo.PrfHash(_suite);

    /// <summary>RFC 6347 §4.2.6: the transcript holds each message with its 12-byte DTLS header as one unfragmented piece.</summary>
    private void AppendTranscript(HandshakeType type, int messageSeq, ReadOnlySpan<byte> body)
    {
        Span<byte> header = stackalloc byte[HandshakeFragment.HeaderLength];
        HandshakeFragment.WriteHeader(header, type, body.Length, messageSeq, 0, body.Length);
        _transcript.WriteBytes(header);
        _transcript.WriteBytes(body);
    }

    private byte[] TranscriptHash(HashAlgorithmName hash) => hash.Name switch
    {
        "SHA384" => SHA384.HashData(_transcript.WrittenSpan),
        "SHA512" => SHA512.HashData(_transcript.WrittenSpan),
        _ => SHA256.HashData(_transcript.WrittenSpan),
    };

    /// <summary>RFC 7627 §4: master_secret = PRF(pre_master_secret, "extended master secret", session_hash), with the transcript through ClientKeyExchange.</summary>
    private void DeriveMasterSecret(byte[] preMasterSecret)
    {
        byte[] sessionHash = TranscriptHash(PrfHash);
        _masterSecret = new byte[48];
        TlsPrf.Compute(PrfHash, preMasterSecret, "extended master secret", sessionHash, default, _masterSecret);
        CryptographicOperations.ZeroMemory(preMasterSecret);

        // RFC 5246 §6.3: key_block = PRF(master, "key expansion", server_random ‖ client_random):
        // client_write_key, server_write_key, client_write_IV, server_write_IV (AEAD: no MAC keys).
        int keyLen = CipherSuiteInfo.KeyLength(_suite);
        int ivLen = CipherSuiteInfo.FixedIvLength(_suite);
        byte[] block = new byte[2 * (keyLen + ivLen)];
        TlsPrf.Compute(PrfHash, _masterSecret, "key expansion", _serverRandom, _clientRandom, block);
        ReadOnlySpan<byte> clientKey = block.AsSpan(0, keyLen);
        ReadOnlySpan<byte> serverKey = block.AsSpan(keyLen, keyLen);
        ReadOnlySpan<byte> clientIv = block.AsSpan(2 * keyLen, ivLen);
        ReadOnlySpan<byte> serverIv = block.AsSpan((2 * keyLen) + ivLen, ivLen);
        RecordProtection client = CipherSuiteInfo.CreateProtection(_suite, clientKey, clientIv);
        RecordProtection server = CipherSuiteInfo.CreateProtection(_suite, serverKey, serverIv);
        CryptographicOperations.ZeroMemory(block);
        _pendingWrite = Role == DtlsRole.Client ? client : server;
        _pendingRead = Role == DtlsRole.Client ? server : client;
    }

    /// <summary>RFC 5246 §7.4.9: verify_data = PRF(master_secret, finished_label, Hash(handshake_messages))[0..11].</summary>
    private byte[] ComputeVerifyData(bool fromClient)
    {
        byte[] hash = TranscriptHash(PrfHash);
        byte[] verify = new byte[12];
        TlsPrf.Compute(PrfHash, _masterSecret!, fromClient ? "client finished" : "server finished", hash, default, verify);
        return verify;
    }

    private void CheckPeerFinished(byte[] body, bool fromClient)
    {
        byte[] expected = ComputeVerifyData(fromClient);
        if (body.Length != 12 || !CryptographicOperations.FixedTimeEquals(body, expected))
        {
            throw new HandshakeFailureException(DtlsError.BadFinished, AlertDescription.DecryptError, "Finished verify_data does not match");
        }
    }

    private byte[] Export(string label, int length, ReadOnlySpan<byte> context, bool useContext)
    {
        byte[] seed2;
        if (useContext)
        {
            if (context.Length > ushort.MaxValue)
            {
                throw new ArgumentException("context too long", nameof(context));
            }

            seed2 = new byte[32 + 2 + context.Length];
            _serverRandom.CopyTo(seed2, 0);
            seed2[32] = (byte)(context.Length >> 8);
            seed2[33] = (byte)context.Length;
            context.CopyTo(seed2.AsSpan(34));
        }
        else
        {
            seed2 = _serverRandom;
        }

        byte[] output = new byte[length];
        TlsPrf.Compute(PrfHash, _masterSecret!, label, _clientRandom, seed2, output);
        return output;
    }

    /// <summary>
    /// RFC 5246 §7.4.2 Certificate: the peer's end-entity certificate must match a fingerprint
    /// from signalling (RFC 8122 §5, RFC 8827 §6.5). The fingerprint is checked on the raw DER
    /// before the certificate is parsed.
    /// </summary>
    private void ProcessPeerCertificate(byte[] body)
    {
        var r = new SpanReader(body);
        if (!r.TryReadVector24(out ReadOnlySpan<byte> list) || r.Remaining != 0)
        {
            throw Decode(HandshakeType.Certificate);
        }

        var lr = new SpanReader(list);
        if (lr.Remaining == 0)
        {
            throw new HandshakeFailureException(DtlsError.CertificateMissing, AlertDescription.HandshakeFailure, "peer sent no certificate; WebRTC requires mutual authentication");
        }

        if (!lr.TryReadVector24(out ReadOnlySpan<byte> leaf) || leaf.IsEmpty)
        {
            throw Decode(HandshakeType.Certificate);
        }

        ProcessPeerLeaf(leaf);
    }

    /// <summary>The fingerprint check of RFC 8122 §5 / RFC 8827 §6.5 on the raw DER, then the key import (both versions).</summary>
    private void ProcessPeerLeaf(ReadOnlySpan<byte> leaf)
    {

        if (_remoteFingerprints.Count > 0)
        {
            foreach (DtlsFingerprint f in _remoteFingerprints)
            {
                if (f.Matches(leaf))
                {
                    _matchedFingerprint = f;
                    break;
                }
            }

            if (_matchedFingerprint is null)
            {
                string actual = DtlsFingerprint.Compute(leaf).ToString();
                throw new HandshakeFailureException(DtlsError.FingerprintMismatch, AlertDescription.BadCertificate,
                    $"peer certificate fingerprint {actual} matches none of the {_remoteFingerprints.Count} signalled fingerprint(s), e.g. {_remoteFingerprints[0]}");
            }
        }
        else if (!_options.AcceptAnyRemoteCertificate)
        {
            throw new HandshakeFailureException(DtlsError.FingerprintMismatch, AlertDescription.BadCertificate,
                "no remote fingerprint was signalled, so the peer certificate cannot be verified (set RemoteFingerprints)");
        }

        _remoteCertificateDer = leaf.ToArray();
        _peerKey = PeerPublicKey.TryImport(_remoteCertificateDer);
        if (_peerKey is null)
        {
            throw new HandshakeFailureException(DtlsError.BadCertificate, AlertDescription.BadCertificate, "peer certificate is malformed or its key is neither ECDSA nor RSA");
        }
    }

    private byte[] BuildCertificateMessage()
    {
        var w = new MessageWriter(_certificate.DerArray.Length + 16);
        int list = w.BeginVector(3);
        int one = w.BeginVector(3);
        w.WriteBytes(_certificate.Der);
        w.EndVector(one, 3);
        w.EndVector(list, 3);
        return w.ToArray();
    }

    private static byte[] BuildSignedBody(SignatureScheme scheme, byte[] signature, ReadOnlySpan<byte> prefix)
    {
        var w = new MessageWriter(prefix.Length + signature.Length + 4);
        w.WriteBytes(prefix);
        w.WriteUInt16((ushort)scheme);
        w.WriteUInt16(signature.Length);
        w.WriteBytes(signature);
        return w.ToArray();
    }

    private void CompleteHandshake()
    {
        State = DtlsState.Connected;
        _step = Step.Done;
        _retransmitAt = null;
        _transcript.Clear();
        _keyExchange?.Dispose();
        _keyExchange = null;
        DtlsSrtpKeyingMaterial? keys = null;
        if (SrtpProfile is SrtpProfile profile)
        {
            byte[] material = Export(DtlsSrtpKeyingMaterial.ExporterLabel, profile.DtlsExporterLength(), default, false);
            keys = DtlsSrtpKeyingMaterial.FromExporterOutput(profile, Role, material);
            SrtpKeys = keys;
        }

        DtlsMetrics.Handshakes.Add(1, new KeyValuePair<string, object?>("outcome", "connected"), new KeyValuePair<string, object?>("role", Role == DtlsRole.Client ? "client" : "server"));
        _logger.LogDebug("DTLS {Role} connected: {Suite}, SRTP {Profile}", Role, _suite, SrtpProfile);
        _events.Enqueue(new DtlsConnectedEvent(_suite, keys, _remoteCertificateDer!, _matchedFingerprint) { Version = DtlsVersion.Dtls12, Group = _group != default ? _group : null });
    }
}
