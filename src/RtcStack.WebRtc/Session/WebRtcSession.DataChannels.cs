using RtcStack.Dtls;
using RtcStack.Sctp;
using RtcStack.Sctp.DataChannels;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Transport;

namespace RtcStack.WebRtc;

/// <content>
/// Data channels (RFC 8831): an SCTP association (RFC 9260) carried in DTLS application data records (RFC 8261 §3) over
/// the session's one BUNDLE transport, set up by the "m=application ... UDP/DTLS/SCTP webrtc-datachannel" section
/// (RFC 8841), with channels opened in band by DCEP (RFC 8832) or negotiated out of band, closed by stream reset
/// (RFC 6525). Channel events come out of <see cref="PollOutput"/> as <see cref="SessionDataChannelEvent"/>s and the
/// association's timers as <see cref="SessionTimerReason.DataChannel"/> timeouts.
/// </content>
public sealed partial class WebRtcSession
{
    /// <summary>RFC 8841 §6.1: without "a=max-message-size" the peer accepts messages of up to 64 KiB.</summary>
    public const long DefaultRemoteMaxMessageSize = 65536;

    private DataChannelTransport? _dataChannels;
    private bool _dataChannelsStarted;
    private long _remoteMaxMessageSize = DefaultRemoteMaxMessageSize;

    /// <summary>Gets the data channels (open and opening) by SCTP stream identifier; empty until the section is negotiated.</summary>
    public IReadOnlyDictionary<ushort, DataChannel> DataChannels =>
        _dataChannels?.Channels ?? (IReadOnlyDictionary<ushort, DataChannel>)new Dictionary<ushort, DataChannel>();

    /// <summary>Gets the data channel transport (the SCTP association and its channels), or null before the section is negotiated.</summary>
    public DataChannelTransport? DataChannelTransport => _dataChannels;

    /// <summary>
    /// Gets the largest message we may send: the smaller of the peer's "a=max-message-size" (RFC 8841 §6.1: 64 KiB when
    /// absent, 0 meaning no limit) and our own <see cref="WebRtcSessionOptions.MaxMessageSize"/>.
    /// </summary>
    public long MaxDataChannelMessageSize =>
        _remoteMaxMessageSize == 0 ? _options.MaxMessageSize : Math.Min(_remoteMaxMessageSize, _options.MaxMessageSize);

    /// <summary>
    /// Asks for the data channel section ("m=application 9 UDP/DTLS/SCTP webrtc-datachannel", RFC 8841 §4) in our next
    /// offer, in the BUNDLE group with audio and video. A peer's offer that has one is answered without this call.
    /// </summary>
    /// <returns>The application transceiver.</returns>
    public Transceiver AddDataChannels() => _jsep.AddDataSection();

    /// <summary>
    /// Creates a data channel (W3C createDataChannel): in band it takes the lowest free stream identifier of our parity
    /// (RFC 8832 §6: even for the DTLS client, odd for the server) and sends DATA_CHANNEL_OPEN once the association is up;
    /// negotiated it uses <see cref="DataChannelOptions.Id"/> and sends nothing. The channel opens (a
    /// <see cref="SessionDataChannelEvent"/> with <see cref="DataChannelOpenEvent"/>) once SCTP is up.
    /// </summary>
    /// <param name="options">Label, protocol, ordering, reliability, negotiated id.</param>
    /// <param name="now">The current monotonic time.</param>
    /// <returns>The channel.</returns>
    /// <exception cref="InvalidOperationException">No data channel section has been negotiated yet (the DTLS role, which picks the stream parity, is not known), or the stream is in use.</exception>
    public DataChannel CreateDataChannel(DataChannelOptions options, TimeSpan now)
    {
        _now = now;
        DataChannelTransport transport = RequireDataChannels();
        DataChannel channel = transport.CreateChannel(options, now);
        PumpDataChannels(now);
        return channel;
    }

    /// <summary>Sends a binary message on an open channel (RFC 8831 §6.6: PPID 53, or 57 when empty).</summary>
    /// <param name="channel">The channel.</param>
    /// <param name="data">The message (up to <see cref="MaxDataChannelMessageSize"/> bytes).</param>
    /// <param name="now">The current monotonic time.</param>
    public void SendDataChannelMessage(DataChannel channel, ReadOnlySpan<byte> data, TimeSpan now)
    {
        _now = now;
        DataChannelTransport transport = RequireDataChannels();
        CheckMessageSize(data.Length);
        transport.Send(channel, data, now);
        PumpDataChannels(now);
    }

    /// <summary>Sends a string message on an open channel (RFC 8831 §6.6: PPID 51 in UTF-8, or 56 when empty).</summary>
    /// <param name="channel">The channel.</param>
    /// <param name="text">The message.</param>
    /// <param name="now">The current monotonic time.</param>
    public void SendDataChannelText(DataChannel channel, string text, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(text);
        _now = now;
        DataChannelTransport transport = RequireDataChannels();
        CheckMessageSize(System.Text.Encoding.UTF8.GetByteCount(text));
        transport.SendText(channel, text, now);
        PumpDataChannels(now);
    }

    /// <summary>
    /// Closes a channel (RFC 8831 §6.7): its outgoing stream is reset (RFC 6525 §5.1.2), the peer resets its own in turn,
    /// and the channel is closed (its identifier free again) when both are.
    /// </summary>
    /// <param name="channel">The channel.</param>
    /// <param name="now">The current monotonic time.</param>
    public void CloseDataChannel(DataChannel channel, TimeSpan now)
    {
        _now = now;
        RequireDataChannels().Close(channel, now);
        PumpDataChannels(now);
    }

    /// <summary>Gets the bytes queued on <paramref name="channel"/> and not yet acknowledged (W3C bufferedAmount).</summary>
    /// <param name="channel">The channel.</param>
    /// <returns>The byte count.</returns>
    public long GetDataChannelBufferedAmount(DataChannel channel) => RequireDataChannels().GetBufferedAmount(channel);

    private DataChannelTransport RequireDataChannels() =>
        _dataChannels ?? throw new InvalidOperationException("no data channel section has been negotiated (RFC 8841); call AddDataChannels before the offer");

    private void CheckMessageSize(int length)
    {
        if (length > MaxDataChannelMessageSize)
        {
            throw new ArgumentOutOfRangeException(nameof(length), $"a message of {length} bytes exceeds the {MaxDataChannelMessageSize} bytes allowed (RFC 8841 §6.1)");
        }
    }

    /// <summary>
    /// After an exchange completed: when a live data channel section was agreed, create the association with the ports
    /// and sizes from SDP (RFC 8841 §5-6), and start it if DTLS is already up (the section came by renegotiation).
    /// </summary>
    private void ConfigureDataChannels(TimeSpan now)
    {
        NegotiatedSection? data = null;
        foreach (NegotiatedSection n in _jsep.NegotiatedSections)
        {
            if (n.Kind == MediaKind.Application && !n.Stopped)
            {
                data = n;
                break;
            }
        }

        if (data is null || _jsep.NegotiatedTransport is not NegotiatedTransport nt)
        {
            return;
        }

        _remoteMaxMessageSize = data.RemoteMaxMessageSize is long max && max >= 0 ? max : DefaultRemoteMaxMessageSize;
        if (_dataChannels is not null)
        {
            return;
        }

        ushort remotePort = data.RemoteSctpPort is int p && p is > 0 and <= ushort.MaxValue ? (ushort)p : (ushort)5000;
        var association = new SctpAssociation(new SctpAssociationOptions
        {
            LocalPort = _options.SctpPort,
            RemotePort = remotePort,
            MaxPacketSize = Math.Min(1200, _transport.MaxApplicationDataSize),
            MaxMessageSize = _options.MaxMessageSize,
            ReceiveBufferSize = Math.Max(1024 * 1024, _options.MaxMessageSize),
            StreamScheduler = _options.DataChannelScheduler,
            MaxBurst = _options.DataChannelMaxBurst,

            // RFC 9653 §6: the association's packets travel in DTLS records (RFC 8261), so method 1 applies when asked for.
            EnableZeroChecksum = _options.DataChannelZeroChecksum,
            Random = new Random(_random.Next()),
        });

        // RFC 8832 §6: the DTLS client uses even stream identifiers, the server odd ones.
        _dataChannels = new DataChannelTransport(association, dtlsClient: nt.IsDtlsClient);
        if (_transport.DtlsState == DtlsState.Connected)
        {
            StartDataChannels(now);
        }
    }

    /// <summary>DTLS is up: both sides send INIT (RFC 8841 §5 leaves no SCTP client or server; the collision is resolved by RFC 9260 §5.2.1).</summary>
    private void StartDataChannels(TimeSpan now)
    {
        if (_dataChannels is null || _dataChannelsStarted || _closed)
        {
            return;
        }

        _dataChannelsStarted = true;
        _dataChannels.Connect(now);
    }

    /// <summary>One SCTP packet from a DTLS application data record (RFC 8261 §3).</summary>
    private void HandleSctpPacket(ReadOnlySpan<byte> packet, TimeSpan now)
    {
        if (_dataChannels is null || !_dataChannelsStarted)
        {
            // A peer's INIT can come before our own DTLS connected event was handled; it retransmits (RFC 9260 §5.1 T1-init).
            if (_dataChannels is not null && _transport.DtlsState == DtlsState.Connected)
            {
                StartDataChannels(now);
            }
            else
            {
                return;
            }
        }

        _dataChannels.HandleDatagram(packet, now);
    }

    /// <summary>SCTP packets into DTLS records, channel events into the session's events.</summary>
    private void PumpDataChannels(TimeSpan now)
    {
        if (_dataChannels is null)
        {
            return;
        }

        while (_dataChannels.TryPollTransmit(out ReadOnlyMemory<byte> packet))
        {
            // A packet that cannot go now (no pair, queue full) is lost to the wire; SCTP retransmits it (RFC 9260 §6.3.3).
            _transport.SendApplicationData(packet.Span, now);
        }

        while (_dataChannels.TryPollEvent(out DataChannelEvent? e))
        {
            _events.Enqueue(new SessionDataChannelEvent(e!));
        }
    }

    private void RunDataChannelTimers(TimeSpan now)
    {
        if (_dataChannels is not null && _dataChannelsStarted && _dataChannels.PollTimeout() is TimeSpan at && at <= now)
        {
            _dataChannels.HandleTimeout(now);
        }

        PumpDataChannels(now);
    }

    private SessionTimeout? NextDataChannelTimeout() =>
        _dataChannels is not null && _dataChannelsStarted && _dataChannels.PollTimeout() is TimeSpan at
            ? new SessionTimeout(at, SessionTimerReason.DataChannel)
            : null;

    /// <summary>The session ends: ABORT the association (RFC 9260 §9.1) before DTLS says close_notify.</summary>
    private void CloseDataChannels(TimeSpan now)
    {
        if (_dataChannels is null || !_dataChannelsStarted)
        {
            return;
        }

        _dataChannels.Association.Abort("session closed", now);
        PumpDataChannels(now);
    }
}
