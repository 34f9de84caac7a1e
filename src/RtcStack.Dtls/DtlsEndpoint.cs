using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RtcStack.Dtls.Crypto;
using RtcStack.Dtls.Handshake;
using RtcStack.Dtls.Records;
using RtcStack.Srtp;

namespace RtcStack.Dtls;

/// <summary>
/// A sans-IO DTLS 1.2 endpoint (RFC 6347 over RFC 5246) for DTLS-SRTP (RFC 5764). It never
/// touches a socket or the clock: the caller feeds datagrams and time, and drains datagrams to
/// send, events and the next timeout.
/// <code>
/// var dtls = new DtlsEndpoint(DtlsRole.Client, options);
/// dtls.Start(now);
/// loop: dtls.HandleDatagram(bytes, now) / dtls.HandleTimeout(now);
///       while (dtls.TryPollTransmit(out var d)) send(d);
///       while (dtls.TryPollEvent(out var e)) ...;   // DtlsConnectedEvent carries the SRTP keys
///       sleep until dtls.PollTimeout() or the next datagram
/// </code>
/// The record layer (epochs, replay windows, protection) and the handshake framing
/// (fragmentation, reassembly, flights) are version-neutral; the DTLS 1.2 messages live in the
/// <c>Handshake12</c>, <c>Client12</c> and <c>Server12</c> partial files, so DTLS 1.3 (RFC 9147)
/// can be added beside them.
/// </summary>
public sealed partial class DtlsEndpoint : IDisposable
{
    private const int MaxEpochs = 4;
    private const int MaxBufferedFutureRecords = 16;

    private readonly DtlsOptions _options;
    private readonly DtlsCertificate _certificate;
    private readonly ILogger _logger;
    private readonly Queue<ReadOnlyMemory<byte>> _transmit = new();
    private readonly Queue<DtlsEvent> _events = new();
    private readonly List<DtlsFingerprint> _remoteFingerprints;
    private readonly HandshakeReassembler _reassembler;
    private readonly EpochState?[] _read = new EpochState?[MaxEpochs];
    private readonly EpochState?[] _write = new EpochState?[MaxEpochs];
    private readonly List<byte[]> _futureRecords = [];
    private readonly byte[] _plaintext = new byte[(1 << 14) + 2048];

    private ushort _writeEpoch;
    private TimeSpan _handshakeDeadline;
    private TimeSpan? _retransmitAt;
    private TimeSpan _retransmitTimeout;
    private TimeSpan? _lastRetransmitOnOld;
    private TimeSpan _lastNow;

    /// <summary>Creates an endpoint in <paramref name="role"/> with <paramref name="options"/> (copied where it matters).</summary>
    public DtlsEndpoint(DtlsRole role, DtlsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Role = role;
        _options = options;
        _certificate = options.Certificate!;
        _logger = options.Logger ?? NullLogger.Instance;
        _remoteFingerprints = [.. options.RemoteFingerprints];
        _reassembler = new HandshakeReassembler(options.MaxHandshakeMessageSize);
        _retransmitTimeout = options.InitialRetransmitTimeout;
        _read[0] = new EpochState(NullRecordProtection.Instance);
        _write[0] = new EpochState(NullRecordProtection.Instance);
        _cookieSecret = options.CookieSecret ?? RandomNumberGenerator.GetBytes(32);
        _step = role == DtlsRole.Client ? Step.ClientWaitServerHello : Step.ServerWaitClientHello;
    }

    /// <summary>Gets this endpoint's role.</summary>
    public DtlsRole Role { get; }

    /// <summary>Gets the current state.</summary>
    public DtlsState State { get; private set; } = DtlsState.New;

    /// <summary>Gets this endpoint's certificate fingerprint for SDP (RFC 8122 §5).</summary>
    public DtlsFingerprint LocalFingerprint => _certificate.Fingerprint;

    /// <summary>Gets the peer's end-entity certificate once received (RFC 5246 §7.4.2); parsed on first use.</summary>
    /// <exception cref="CryptographicException">The certificate matched the signalled fingerprint but is not valid X.509.</exception>
    public X509Certificate2? RemoteCertificate =>
        _remoteCertificate ??= _remoteCertificateDer is null ? null : X509CertificateLoader.LoadCertificate(_remoteCertificateDer);

    /// <summary>Gets the DER encoding of the peer's end-entity certificate once received.</summary>
    public ReadOnlyMemory<byte> RemoteCertificateDer => _remoteCertificateDer;

    /// <summary>Gets the negotiated SRTP profile (RFC 5764 §4.1.1) once connected, or null.</summary>
    public SrtpProfile? SrtpProfile { get; private set; }

    /// <summary>Gets the negotiated cipher suite once connected, or null.</summary>
    public DtlsCipherSuite? CipherSuite => State == DtlsState.Connected ? _suite : null;

    /// <summary>Gets the SRTP keys (RFC 5764 §4.2) once connected, or null.</summary>
    public DtlsSrtpKeyingMaterial? SrtpKeys { get; private set; }

    /// <summary>
    /// Adds a fingerprint from signalling (RFC 8122 §5) the peer's certificate may match. Useful
    /// when the remote description arrives after the handshake started; it must arrive before
    /// the peer's Certificate message.
    /// </summary>
    public void AddRemoteFingerprint(DtlsFingerprint fingerprint)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        _remoteFingerprints.Add(fingerprint);
    }

    /// <summary>Starts the handshake: a client sends its first ClientHello, a server begins waiting. <paramref name="now"/> is a monotonic time.</summary>
    public void Start(TimeSpan now)
    {
        if (State != DtlsState.New)
        {
            throw new InvalidOperationException("already started");
        }

        State = DtlsState.Handshaking;
        _lastNow = now;
        _handshakeDeadline = now + _options.HandshakeTimeout;
        if (Role == DtlsRole.Client)
        {
            ClientStart(now);
        }
    }

    /// <summary>
    /// Feeds one received datagram (one or more records, RFC 6347 §4.1). Malformed, replayed,
    /// unauthenticated or unexpected records are dropped; nothing here throws on bad input.
    /// </summary>
    public void HandleDatagram(ReadOnlySpan<byte> datagram, TimeSpan now)
    {
        if (State is DtlsState.New or DtlsState.Failed or DtlsState.Closed)
        {
            return;
        }

        if (State == DtlsState.Handshaking && _logger.IsEnabled(LogLevel.Debug))
        {
            _logger.LogDebug("DTLS {Role} at {Now}: handshake datagram of {Length} bytes received", Role, now, datagram.Length);
        }

        _lastNow = now;
        while (!datagram.IsEmpty && State is DtlsState.Handshaking or DtlsState.Connected)
        {
            if (Dtls13Record.IsUnifiedHeader(datagram[0]) && _options.MaxVersion == DtlsVersion.Dtls13)
            {
                // RFC 9147 §4.1: 0b001xxxxx is a DTLS 1.3 ciphertext record.
                if (!Dtls13Record.TryRead(datagram, out Dtls13Record record13, out int consumed13))
                {
                    DtlsMetrics.DroppedRecords.Add(1, new KeyValuePair<string, object?>("reason", "malformed"));
                    return;
                }

                ReadOnlySpan<byte> raw = datagram[..consumed13];
                datagram = datagram[consumed13..];
                ProcessRecord13(record13, raw, now);
                continue;
            }

            if (!DtlsRecord.TryRead(datagram, out DtlsRecord record, out int consumed))
            {
                // RFC 6347 §4.1.2.7: invalid records are silently discarded; with a bad length
                // the rest of the datagram cannot be framed.
                DtlsMetrics.DroppedRecords.Add(1, new KeyValuePair<string, object?>("reason", "malformed"));
                return;
            }

            datagram = datagram[consumed..];
            if ((_v13 || _offered13) && record.Type == ContentType.Handshake && record.Epoch == 0)
            {
                // RFC 9147 §7: plaintext ServerHello / ClientHello records are acknowledged too.
                NoteReceived13(0, record.SequenceNumber);
            }

            ProcessRecord(record, now);
        }

        if (_retryFutureRecords)
        {
            RetryFutureRecords13(now);
        }

        if (_ackDue13 && State is DtlsState.Connected or DtlsState.Handshaking)
        {
            // One ACK per datagram, however many of its records asked for one.
            _ackDue13 = false;
            SendAck13();
        }
    }

    /// <summary>Runs timers that are due: flight retransmission (RFC 6347 §4.2.4) and the handshake limit.</summary>
    public void HandleTimeout(TimeSpan now)
    {
        _lastNow = now;
        if (State == DtlsState.Connected && _v13 && _retransmitAt is TimeSpan due13 && now >= due13)
        {
            if (now >= _flightDeadline)
            {
                // A peer that never acknowledges is not retried for ever: the flight is given up
                // after the handshake limit (the connection stays up; a pending KeyUpdate stays pending).
                _retransmitAt = null;
                return;
            }

            // RFC 9147 §5.8 / §7: our final flight (or a KeyUpdate) until the peer acknowledges it.
            _retransmitTimeout = TimeSpan.FromTicks(Math.Min(_retransmitTimeout.Ticks * 2, _options.MaxRetransmitTimeout.Ticks));
            TransmitFlight();
            DtlsMetrics.Retransmissions.Add(1);
            _retransmitAt = now + _retransmitTimeout;
            return;
        }

        if (State != DtlsState.Handshaking)
        {
            return;
        }

        if (now >= _handshakeDeadline)
        {
            Fail(DtlsError.Timeout, $"handshake did not finish within {_options.HandshakeTimeout.TotalSeconds:0.###} s", null);
            return;
        }

        if (_retransmitAt is TimeSpan at && now >= at)
        {
            // RFC 6347 §4.2.4.1: double the timer up to the maximum on each retransmission.
            _retransmitTimeout = TimeSpan.FromTicks(Math.Min(_retransmitTimeout.Ticks * 2, _options.MaxRetransmitTimeout.Ticks));
            _logger.LogDebug("DTLS {Role} at {Now}: retransmitting flight, next timeout {Timeout}", Role, now, _retransmitTimeout);
            if (_v13 && Role == DtlsRole.Client && _writeEpoch13 == 2 && _received13.Count > 0)
            {
                // RFC 9147 §7.1: part of the server's flight arrived; acknowledge it so that only
                // the rest is resent, instead of repeating our ClientHello.
                SendAck13();
            }
            else
            {
                TransmitFlight();
            }

            DtlsMetrics.Retransmissions.Add(1);
            _retransmitAt = now + _retransmitTimeout;
        }
    }

    /// <summary>Gets the next instant <see cref="HandleTimeout"/> should be called, or null when no timer runs.</summary>
    public TimeSpan? PollTimeout()
    {
        if (State == DtlsState.Connected && _v13)
        {
            return _retransmitAt;
        }

        if (State != DtlsState.Handshaking)
        {
            return null;
        }

        return _retransmitAt is TimeSpan at && at < _handshakeDeadline ? at : _handshakeDeadline;
    }

    /// <summary>Takes the next datagram to send, if any.</summary>
    public bool TryPollTransmit(out ReadOnlyMemory<byte> datagram) => _transmit.TryDequeue(out datagram);

    /// <summary>Takes the next event, if any.</summary>
    public bool TryPollEvent(out DtlsEvent? dtlsEvent) => _events.TryDequeue(out dtlsEvent);

    /// <summary>
    /// Sends application data (RFC 5246 §10) in one record; only when connected. Data longer than
    /// fits a record within the MTU is refused: the caller (SCTP) sizes its packets.
    /// </summary>
    public void Send(ReadOnlySpan<byte> data)
    {
        if (State != DtlsState.Connected)
        {
            throw new InvalidOperationException($"cannot send application data in state {State}");
        }

        if (_v13)
        {
            int max13 = Math.Min(1 << 14, _options.Mtu - Dtls13RecordProtection.Overhead);
            if (data.Length > max13)
            {
                throw new ArgumentException($"application data of {data.Length} bytes exceeds the {max13} bytes a record within the MTU can carry", nameof(data));
            }

            SendRecord13(ContentType.ApplicationData, data);
            return;
        }

        EpochState w = _write[_writeEpoch]!;
        int max = Math.Min(1 << 14, _options.Mtu - DtlsRecord.HeaderLength - w.Protection.Overhead);
        if (data.Length > max)
        {
            throw new ArgumentException($"application data of {data.Length} bytes exceeds the {max} bytes a record within the MTU can carry", nameof(data));
        }

        var datagram = new byte[DtlsRecord.HeaderLength + data.Length + w.Protection.Overhead];
        int n = WriteRecord(datagram, ContentType.ApplicationData, _writeEpoch, data);
        _transmit.Enqueue(datagram.AsMemory(0, n));
    }

    /// <summary>Sends close_notify (RFC 5246 §7.2.1) and closes.</summary>
    public void Close()
    {
        if (State is DtlsState.Connected or DtlsState.Handshaking)
        {
            SendAlert(AlertLevel.Warning, AlertDescription.CloseNotify);
            State = DtlsState.Closed;
            _retransmitAt = null;
            _events.Enqueue(new DtlsClosedEvent(ByPeer: false));
        }
    }

    /// <summary>
    /// RFC 5705 §4 keying material exporter: PRF(master_secret, label, client_random ‖
    /// server_random [‖ context_length ‖ context]). Available once connected.
    /// </summary>
    public byte[] ExportKeyingMaterial(string label, int length, ReadOnlySpan<byte> context = default, bool useContext = false)
    {
        ArgumentNullException.ThrowIfNull(label);
        if (State == DtlsState.Connected && _v13)
        {
            // RFC 8446 §7.5: TLS 1.3 does not tell "no context" from an empty one.
            return _ks!.Export(_exporterSecret!, label, context, length);
        }

        if (State != DtlsState.Connected || _masterSecret is null)
        {
            throw new InvalidOperationException("keying material is available once connected");
        }

        return Export(label, length, context, useContext);
    }

    /// <summary>Releases cipher state.</summary>
    public void Dispose()
    {
        foreach (EpochState? e in _read)
        {
            e?.Protection.Dispose();
        }

        foreach (EpochState? e in _write)
        {
            e?.Protection.Dispose();
        }

        _keyExchange?.Dispose();
        foreach (Crypto.KeyShare k in _keyShares13)
        {
            k.Dispose();
        }

        DisposeHandshake13();
        _peerKey?.Dispose();
        _remoteCertificate?.Dispose();
        if (_masterSecret is not null)
        {
            CryptographicOperations.ZeroMemory(_masterSecret);
        }
    }

    private void ProcessRecord(DtlsRecord record, TimeSpan now)
    {
        EpochState? epoch = record.Epoch < MaxEpochs ? _read[record.Epoch] : null;
        if (epoch is null)
        {
            // RFC 6347 §4.1: a record of the next epoch may overtake the messages that create
            // its keys; keep a few, bounded, and retry them once the epoch is installed.
            if (State == DtlsState.Handshaking && record.Epoch == 1 && _futureRecords.Count < MaxBufferedFutureRecords)
            {
                var copy = new byte[DtlsRecord.HeaderLength + record.Fragment.Length];
                record.Header.CopyTo(copy);
                record.Fragment.CopyTo(copy.AsSpan(DtlsRecord.HeaderLength));
                _futureRecords.Add(copy);
            }
            else
            {
                DtlsMetrics.DroppedRecords.Add(1, new KeyValuePair<string, object?>("reason", "epoch"));
            }

            return;
        }

        if (!epoch.Replay.IsFresh(record.SequenceNumber))
        {
            DtlsMetrics.DroppedRecords.Add(1, new KeyValuePair<string, object?>("reason", "replay"));
            return;
        }

        if (!epoch.Protection.TryUnprotect(record.Type, record.Version, record.Epoch, record.SequenceNumber, record.Fragment, _plaintext, out int length))
        {
            // RFC 6347 §4.1.2.7: records that fail authentication are dropped silently.
            DtlsMetrics.DroppedRecords.Add(1, new KeyValuePair<string, object?>("reason", "auth"));
            return;
        }

        if (length > 1 << 14)
        {
            return;
        }

        // RFC 6347 §4.2.1: until a ClientHello is accepted (with a valid cookie when one is required) the server
        // keeps no state for its sender, so epoch-0 records do not move the replay window either: a flood of
        // ClientHellos with high record numbers would otherwise make a real client's first records look too old.
        if (!(Role == DtlsRole.Server && _step == Step.ServerWaitClientHello && record.Epoch == 0))
        {
            epoch.Replay.Mark(record.SequenceNumber);
        }

        ReadOnlySpan<byte> plaintext = _plaintext.AsSpan(0, length);
        switch (record.Type)
        {
            case ContentType.Handshake:
                ProcessHandshakeRecord(plaintext, record.Epoch, record.SequenceNumber, now);
                break;
            case ContentType.ChangeCipherSpec:
                // RFC 5246 §7.1: a single byte of value 1. The epoch switch itself happens when the
                // keys are derived (records carry their epoch), so a reordered CCS does no harm.
                break;
            case ContentType.Alert:
                ProcessAlert(plaintext, record.Epoch);
                break;
            case ContentType.ApplicationData:
                if (State == DtlsState.Connected && record.Epoch > 0 && record.Epoch == _writeEpoch)
                {
                    _events.Enqueue(new DtlsApplicationDataEvent(plaintext.ToArray()));
                }

                break;
        }
    }

    private void ProcessHandshakeRecord(ReadOnlySpan<byte> plaintext, ushort epoch, ulong recordSeq, TimeSpan now)
    {
        var reader = new SpanReader(plaintext);
        bool sawOld = false;
        while (reader.Remaining > 0)
        {
            if (!HandshakeFragment.TryRead(ref reader, out HandshakeFragment fragment))
            {
                return;
            }

            if (Role == DtlsRole.Server && _step == Step.ServerWaitClientHello && fragment.Type == HandshakeType.ClientHello &&
                fragment.MessageSeq != _reassembler.NextSequence && epoch == 0)
            {
                // Stateless server (RFC 6347 §4.2.1): before a valid cookie any ClientHello
                // starts over; message_seq follows whatever the client uses.
                _reassembler.Reset(fragment.MessageSeq);
            }

            FragmentStatus status = _reassembler.Add(fragment, epoch);
            if (status == FragmentStatus.Old)
            {
                sawOld = true;
            }
        }

        while (State is DtlsState.Handshaking or DtlsState.Connected &&
               _reassembler.TryTakeNext(out HandshakeType type, out byte[] body, out int messageSeq, out ushort msgEpoch))
        {
            try
            {
                OnHandshakeMessage(type, body, messageSeq, msgEpoch, recordSeq, now);
            }
            catch (HandshakeFailureException e)
            {
                Fail(e.Error, e.Message, e.Alert);
                return;
            }
            catch (CryptographicException e)
            {
                // A peer value the platform's crypto rejects in a way the checks above did not foresee.
                Fail(DtlsError.ProtocolViolation, "cryptographic failure on a peer value: " + e.Message, AlertDescription.IllegalParameter);
                return;
            }
        }

        if (sawOld)
        {
            OnPeerRetransmission(now);
        }
    }

    private void OnPeerRetransmission(TimeSpan now)
    {
        // RFC 6347 §4.2.4: the peer retransmitting its previous flight means ours was lost;
        // resend it (rate-limited so duplicated datagrams cannot multiply our traffic).
        if (_v13 && State == DtlsState.Connected)
        {
            if (Role == DtlsRole.Server)
            {
                // RFC 9147 §7: a retransmitted final flight means our ACK was lost; acknowledge again.
                QueueAck13();
                return;
            }

            // The server repeating its flight has not seen our final flight: resend it (below).
        }

        if (_flight.Count == 0 || (_lastRetransmitOnOld is TimeSpan last && now - last < _options.InitialRetransmitTimeout / 4))
        {
            return;
        }

        _lastRetransmitOnOld = now;
        TransmitFlight();
        DtlsMetrics.Retransmissions.Add(1);
    }

    private void ProcessAlert(ReadOnlySpan<byte> plaintext, ushort epoch)
    {
        if (plaintext.Length != 2)
        {
            return;
        }

        // Once the connection is protected, unauthenticated epoch-0 alerts are ignored.
        if (State == DtlsState.Connected && epoch == 0)
        {
            return;
        }

        var level = (AlertLevel)plaintext[0];
        var description = (AlertDescription)plaintext[1];
        _events.Enqueue(new DtlsAlertEvent(level, description, Sent: false));
        if (description == AlertDescription.CloseNotify)
        {
            if (State == DtlsState.Connected)
            {
                SendAlert(AlertLevel.Warning, AlertDescription.CloseNotify);
                State = DtlsState.Closed;
                _events.Enqueue(new DtlsClosedEvent(ByPeer: true));
            }
            else
            {
                State = DtlsState.Failed;
                _retransmitAt = null;
                _events.Enqueue(new DtlsFailedEvent(DtlsError.PeerAlert, "peer closed the connection during the handshake", description));
            }
        }
        else if (level == AlertLevel.Fatal && description == AlertDescription.ProtocolVersion && State == DtlsState.Handshaking)
        {
            // RFC 8446 §D.1 / §D.2: the peer supports none of the versions we offer or accept (a
            // 1.2-only peer of a 1.3-only endpoint); typed like our own refusal, so either side can tell.
            State = DtlsState.Failed;
            _retransmitAt = null;
            _events.Enqueue(new DtlsFailedEvent(DtlsError.UnsupportedVersion, "peer sent protocol_version: it supports none of the DTLS versions we offer", description));
        }
        else if (level == AlertLevel.Fatal)
        {
            State = DtlsState.Failed;
            _retransmitAt = null;
            _events.Enqueue(new DtlsFailedEvent(DtlsError.PeerAlert, $"peer sent fatal alert {description}", description));
        }
    }

    private void Fail(DtlsError error, string message, AlertDescription? alert)
    {
        if (State is DtlsState.Failed or DtlsState.Closed)
        {
            return;
        }

        _logger.LogWarning("DTLS {Role} failed: {Error}: {Message}", Role, error, message);
        if (alert is AlertDescription a)
        {
            SendAlert(AlertLevel.Fatal, a);
        }

        State = DtlsState.Failed;
        _retransmitAt = null;
        _flight.Clear();
        DtlsMetrics.Handshakes.Add(1, new KeyValuePair<string, object?>("outcome", "failed"), new KeyValuePair<string, object?>("role", Role == DtlsRole.Client ? "client" : "server"));
        _events.Enqueue(new DtlsFailedEvent(error, message, alert));
    }

    private void SendAlert(AlertLevel level, AlertDescription description)
    {
        Span<byte> body = [(byte)level, (byte)description];
        if (_v13)
        {
            SendRecord13(ContentType.Alert, body);
            return;
        }

        EpochState w = _write[_writeEpoch]!;
        var datagram = new byte[DtlsRecord.HeaderLength + 2 + w.Protection.Overhead];
        int n = WriteRecord(datagram, ContentType.Alert, _writeEpoch, body);
        _transmit.Enqueue(datagram.AsMemory(0, n));
    }

    private int WriteRecord(Span<byte> destination, ContentType type, ushort epoch, ReadOnlySpan<byte> payload)
    {
        EpochState w = _write[epoch]!;
        ulong seq = w.NextSequence++;
        int length = w.Protection.Protect(type, ProtocolVersion.Dtls12, epoch, seq, payload, destination[DtlsRecord.HeaderLength..]);
        DtlsRecord.WriteHeader(destination, type, ProtocolVersion.Dtls12, epoch, seq, length);
        return DtlsRecord.HeaderLength + length;
    }

    private void InstallReadEpoch(ushort epoch, RecordProtection protection, TimeSpan now)
    {
        _read[epoch] = new EpochState(protection);
        if (_futureRecords.Count == 0)
        {
            return;
        }

        byte[][] pending = [.. _futureRecords];
        _futureRecords.Clear();
        foreach (byte[] raw in pending)
        {
            HandleDatagram(raw, now);
        }
    }

    private void InstallWriteEpoch(ushort epoch, RecordProtection protection)
    {
        _write[epoch] = new EpochState(protection);
    }

    /// <summary>Per-epoch, per-direction record state (RFC 6347 §4.1: sequence numbers restart at 0 in each epoch).</summary>
    private sealed class EpochState
    {
        public EpochState(RecordProtection protection)
        {
            Protection = protection;
        }

        public RecordProtection Protection { get; }

        public ReplayWindow Replay { get; } = new();

        public ulong NextSequence { get; set; }
    }
}
