using System.Text;
using RtcStack.Sctp.Packets;

namespace RtcStack.Sctp.DataChannels;

/// <summary>
/// WebRTC data channels (RFC 8831) over one <see cref="SctpAssociation"/>, opened in band with DCEP
/// (RFC 8832) or negotiated out of band, closed through stream reset (RFC 6525). Sans-IO like the
/// association it drives: feed packets and timeouts, drain packets, events and the next timeout.
/// </summary>
public sealed class DataChannelTransport
{
    private readonly SctpAssociation _association;
    private readonly bool _dtlsClient;
    private readonly Dictionary<ushort, DataChannel> _channels = new();
    private readonly Queue<DataChannelEvent> _events = new();
    private readonly List<DataChannel> _waiting = new();
    private bool _connected;

    /// <summary>Creates the transport over <paramref name="association"/>.</summary>
    /// <param name="association">The SCTP association (not yet connected).</param>
    /// <param name="dtlsClient">Whether this side is the DTLS client: it then uses even stream identifiers, the server odd ones (RFC 8832 §6).</param>
    public DataChannelTransport(SctpAssociation association, bool dtlsClient)
    {
        _association = association ?? throw new ArgumentNullException(nameof(association));
        _dtlsClient = dtlsClient;
    }

    /// <summary>Gets the association.</summary>
    public SctpAssociation Association => _association;

    /// <summary>Gets the open and opening channels by stream identifier.</summary>
    public IReadOnlyDictionary<ushort, DataChannel> Channels => _channels;

    /// <summary>Starts the association (both WebRTC peers send INIT, RFC 8841 §5).</summary>
    /// <param name="now">The current monotonic time.</param>
    public void Connect(TimeSpan now) => _association.Connect(now);

    /// <summary>Feeds one SCTP packet (a DTLS application-data record).</summary>
    /// <param name="packet">The packet.</param>
    /// <param name="now">The current monotonic time.</param>
    public void HandleDatagram(ReadOnlySpan<byte> packet, TimeSpan now)
    {
        _association.HandleDatagram(packet, now);
        Pump(now);
    }

    /// <summary>Runs due timers.</summary>
    /// <param name="now">The current monotonic time.</param>
    public void HandleTimeout(TimeSpan now)
    {
        _association.HandleTimeout(now);
        Pump(now);
    }

    /// <summary>Gets the next instant <see cref="HandleTimeout"/> wants to run.</summary>
    /// <returns>The deadline, or null.</returns>
    public TimeSpan? PollTimeout() => _association.PollTimeout();

    /// <summary>Gets the next SCTP packet to send over DTLS; the memory stays valid until the next call (see <see cref="SctpAssociation.TryPollTransmit"/>).</summary>
    /// <param name="packet">The packet.</param>
    /// <returns>False when there is nothing to send.</returns>
    public bool TryPollTransmit(out ReadOnlyMemory<byte> packet) => _association.TryPollTransmit(out packet);

    /// <summary>Gets the next event.</summary>
    /// <param name="channelEvent">The event.</param>
    /// <returns>False when there is none.</returns>
    public bool TryPollEvent(out DataChannelEvent? channelEvent) => _events.TryDequeue(out channelEvent);

    /// <summary>
    /// Creates a channel (W3C createDataChannel): in band it takes the lowest free stream of our parity and sends
    /// DATA_CHANNEL_OPEN once the association is up (RFC 8832 §6); negotiated it uses <see cref="DataChannelOptions.Id"/>.
    /// </summary>
    /// <param name="options">The channel's settings.</param>
    /// <param name="now">The current monotonic time.</param>
    /// <returns>The channel (Connecting until opened).</returns>
    public DataChannel CreateChannel(DataChannelOptions options, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxRetransmits is not null && options.MaxLifetime is not null)
        {
            throw new ArgumentException("maxRetransmits and maxPacketLifeTime are exclusive (RFC 8831 §6.1)");
        }

        ushort id;
        if (options.Negotiated)
        {
            id = options.Id ?? throw new ArgumentException("a negotiated channel needs an id");
        }
        else if (options.Id is ushort given)
        {
            id = given;
        }
        else
        {
            id = PickId();
        }

        if (id == ushort.MaxValue || _channels.ContainsKey(id))
        {
            throw new InvalidOperationException($"stream {id} is in use or invalid");
        }

        var channel = new DataChannel(id, options.Label, options.Protocol, options.Ordered, options.MaxRetransmits, options.MaxLifetime,
            options.Negotiated, remote: false)
        {
            Priority = options.Priority,
        };
        _channels[id] = channel;

        // RFC 8831 §6.4: the channel's priority drives the SCTP stream scheduler (RFC 8260 §3.4 strict priority or §3.6
        // weighted fair queueing; the round-robin default ignores it).
        _association.SetStreamPriority(id, channel.Priority);
        if (_connected)
        {
            Announce(channel, now);
        }
        else
        {
            _waiting.Add(channel);
        }

        return channel;
    }

    /// <summary>Sends a binary message (PPID 53, or 57 when empty; RFC 8831 §6.6).</summary>
    /// <param name="channel">An open channel.</param>
    /// <param name="data">The message, possibly empty.</param>
    /// <param name="now">The current monotonic time.</param>
    public void Send(DataChannel channel, ReadOnlySpan<byte> data, TimeSpan now) =>
        SendMessage(channel, data, data.IsEmpty ? DataChannelPpid.BinaryEmpty : DataChannelPpid.Binary, now);

    /// <summary>Sends a string message (PPID 51, or 56 when empty; RFC 8831 §6.6).</summary>
    /// <param name="channel">An open channel.</param>
    /// <param name="text">The message, possibly empty.</param>
    /// <param name="now">The current monotonic time.</param>
    public void SendText(DataChannel channel, string text, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(text);
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        SendMessage(channel, bytes, bytes.Length == 0 ? DataChannelPpid.StringEmpty : DataChannelPpid.String, now);
    }

    /// <summary>Closes a channel by resetting its outgoing stream (RFC 8831 §6.7); the peer resets its side in turn.</summary>
    /// <param name="channel">The channel.</param>
    /// <param name="now">The current monotonic time.</param>
    public void Close(DataChannel channel, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(channel);
        if (channel.State is DataChannelState.Closing or DataChannelState.Closed)
        {
            return;
        }

        if (!_connected)
        {
            _waiting.Remove(channel);
            Finish(channel);
            return;
        }

        channel.State = DataChannelState.Closing;
        _events.Enqueue(new DataChannelClosingEvent(channel));
        _association.ResetStreams([channel.Id], now);
    }

    private void SendMessage(DataChannel channel, ReadOnlySpan<byte> data, uint ppid, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(channel);
        if (channel.State != DataChannelState.Open)
        {
            throw new InvalidOperationException($"channel {channel.Id} is {channel.State}");
        }

        // RFC 8832 §6: until the DATA_CHANNEL_ACK arrives, user messages go ordered so none overtakes the OPEN.
        bool forceOrdered = !channel.Negotiated && !channel.Remote && !channel.AckReceived;
        ReadOnlySpan<byte> payload = data.IsEmpty ? [0] : data;
        _association.Send(channel.Id, ppid, payload, now, channel.SendOptions(forceOrdered));
        if (_association.GetBufferedAmount(channel.Id) > channel.BufferedAmountLowThreshold)
        {
            channel.AboveThreshold = true;
        }
        else
        {
            CheckBufferedAmount();
        }
    }

    /// <summary>Gets the bytes sent on <paramref name="channel"/> and not yet acknowledged (W3C bufferedAmount).</summary>
    /// <param name="channel">The channel.</param>
    /// <returns>The byte count (an empty message counts the one byte SCTP carries).</returns>
    public long GetBufferedAmount(DataChannel channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        return _association.GetBufferedAmount(channel.Id);
    }

    private void CheckBufferedAmount()
    {
        foreach (DataChannel c in _channels.Values)
        {
            if (c.AboveThreshold)
            {
                long left = _association.GetBufferedAmount(c.Id);
                if (left <= c.BufferedAmountLowThreshold)
                {
                    c.AboveThreshold = false;
                    _events.Enqueue(new DataChannelBufferedAmountLowEvent(c, left));
                }
            }
        }
    }

    private ushort PickId()
    {
        int limit = _connected ? _association.OutboundStreams : ushort.MaxValue;
        for (int id = _dtlsClient ? 0 : 1; id < limit && id < ushort.MaxValue; id += 2)
        {
            if (!_channels.ContainsKey((ushort)id))
            {
                return (ushort)id;
            }
        }

        throw new InvalidOperationException("no free stream identifier");
    }

    private void Announce(DataChannel channel, TimeSpan now)
    {
        if (channel.Id >= _association.OutboundStreams)
        {
            _channels.Remove(channel.Id);
            channel.State = DataChannelState.Closed;
            _events.Enqueue(new DataChannelErrorEvent(channel, $"stream {channel.Id} is beyond the {_association.OutboundStreams} negotiated streams"));
            return;
        }

        if (!channel.Negotiated)
        {
            (DataChannelType type, uint reliability) = channel.DcepType();
            byte[] open = DcepMessage.EncodeOpen(type, channel.Priority, reliability, channel.Label, channel.Protocol);
            // RFC 8832 §6: DCEP messages are sent ordered and reliable on the channel's stream.
            _association.Send(channel.Id, DataChannelPpid.Dcep, open, now);
            channel.OpenSent = true;
        }

        channel.State = DataChannelState.Open;
        _events.Enqueue(new DataChannelOpenEvent(channel));
    }

    private void Pump(TimeSpan now)
    {
        while (_association.TryPollEvent(out SctpEvent? e))
        {
            switch (e)
            {
                case SctpConnectedEvent:
                    _connected = true;
                    _events.Enqueue(new DataChannelTransportConnectedEvent());
                    foreach (DataChannel c in _waiting)
                    {
                        Announce(c, now);
                    }

                    _waiting.Clear();
                    break;
                case SctpMessageEvent m:
                    OnMessage(m, now);
                    break;
                case SctpStreamsResetEvent r:
                    OnStreamsReset(r, now);
                    break;
                case SctpClosedEvent closed:
                    _events.Enqueue(new DataChannelErrorEvent(null, $"association closed: {closed.Reason} {closed.Detail}"));
                    foreach (DataChannel c in _channels.Values.ToArray())
                    {
                        Finish(c);
                    }

                    break;
            }
        }

        CheckBufferedAmount();
    }

    private void OnMessage(SctpMessageEvent m, TimeSpan now)
    {
        if (m.PayloadProtocol == DataChannelPpid.Dcep)
        {
            OnDcep(m, now);
            return;
        }

        if (!_channels.TryGetValue(m.StreamId, out DataChannel? channel) || channel.State is DataChannelState.Closed)
        {
            return;
        }

        switch (m.PayloadProtocol)
        {
            case DataChannelPpid.String:
            case DataChannelPpid.Binary:
                byte[] data = m.Data;
                if (channel.Partial is { Count: > 0 } partial)
                {
                    partial.AddRange(data);
                    data = partial.ToArray();
                    channel.Partial = null;
                }

                _events.Enqueue(new DataChannelMessageEvent(channel, data, m.PayloadProtocol == DataChannelPpid.String));
                break;
            case DataChannelPpid.StringEmpty:
            case DataChannelPpid.BinaryEmpty:
                _events.Enqueue(new DataChannelMessageEvent(channel, [], m.PayloadProtocol == DataChannelPpid.StringEmpty));
                break;
            case DataChannelPpid.BinaryPartial:
            case DataChannelPpid.StringPartial:
                // Deprecated (RFC 8831 §8): pieces of one message, ended by a 51 or 53 message.
                (channel.Partial ??= new List<byte>()).AddRange(m.Data);
                if (channel.Partial.Count > _association.Options.MaxMessageSize)
                {
                    channel.Partial = null;
                    _events.Enqueue(new DataChannelErrorEvent(channel, "partial message larger than the maximum message size"));
                }

                break;
        }
    }

    private void OnDcep(SctpMessageEvent m, TimeSpan now)
    {
        if (!DcepMessage.TryParse(m.Data, out DcepMessage message))
        {
            RefuseStream(m.StreamId, "malformed DCEP message", now);
            return;
        }

        if (message.Type == DcepMessage.AckType)
        {
            if (_channels.TryGetValue(m.StreamId, out DataChannel? ours) && ours.OpenSent)
            {
                ours.AckReceived = true;
            }

            return;
        }

        // RFC 8832 §6: accept an OPEN only on an unused stream of the peer's parity, with valid parameters.
        bool peerParity = (m.StreamId % 2 == 0) != _dtlsClient;
        if (_channels.ContainsKey(m.StreamId) || !peerParity || m.StreamId >= _association.OutboundStreams)
        {
            RefuseStream(m.StreamId, $"DATA_CHANNEL_OPEN on stream {m.StreamId} refused (in use or wrong parity)", now);
            return;
        }

        string label;
        string protocol;
        try
        {
            label = new UTF8Encoding(false, true).GetString(message.Label);
            protocol = new UTF8Encoding(false, true).GetString(message.Protocol);
        }
        catch (DecoderFallbackException)
        {
            RefuseStream(m.StreamId, "DATA_CHANNEL_OPEN label or protocol is not UTF-8", now);
            return;
        }

        byte kind = (byte)((byte)message.ChannelType & 0x7F);
        bool ordered = ((byte)message.ChannelType & 0x80) == 0;
        int? maxRetransmits = kind == 0x01 ? (int)Math.Min(message.ReliabilityParameter, int.MaxValue) : null;
        TimeSpan? lifetime = kind == 0x02 ? TimeSpan.FromMilliseconds(message.ReliabilityParameter) : null;
        var channel = new DataChannel(m.StreamId, label, protocol, ordered, maxRetransmits, lifetime, negotiated: false, remote: true)
        {
            Priority = message.Priority,
            State = DataChannelState.Open,
        };
        _channels[m.StreamId] = channel;
        _association.SetStreamPriority(m.StreamId, channel.Priority);
        _association.Send(m.StreamId, DataChannelPpid.Dcep, [DcepMessage.AckType], now);
        _events.Enqueue(new DataChannelOpenEvent(channel));
    }

    private void RefuseStream(ushort streamId, string reason, TimeSpan now)
    {
        _events.Enqueue(new DataChannelErrorEvent(_channels.GetValueOrDefault(streamId), reason));
        // RFC 8832 §6: close the channel through the RFC 8831 procedure (reset our outgoing stream); no ACK.
        if (!_channels.ContainsKey(streamId) && _association.State == SctpAssociationState.Established && streamId < _association.OutboundStreams)
        {
            try
            {
                _association.ResetStreams([streamId], now);
            }
            catch (InvalidOperationException)
            {
                // The peer offered no RE-CONFIG: nothing more to do.
            }
        }
    }

    private void OnStreamsReset(SctpStreamsResetEvent r, TimeSpan now)
    {
        foreach (ushort id in r.Streams)
        {
            if (!_channels.TryGetValue(id, out DataChannel? channel))
            {
                continue;
            }

            if (r.Incoming)
            {
                channel.IncomingReset = true;
                if (channel.State == DataChannelState.Open)
                {
                    // RFC 8831 §6.7: the peer closed; reset our outgoing stream too.
                    channel.State = DataChannelState.Closing;
                    _events.Enqueue(new DataChannelClosingEvent(channel));
                    _association.ResetStreams([id], now);
                }
            }
            else if (r.Result is ReconfigResult.SuccessPerformed or ReconfigResult.SuccessNothingToDo)
            {
                channel.OutgoingReset = true;
            }
            else
            {
                _events.Enqueue(new DataChannelErrorEvent(channel, $"stream reset refused: {r.Result}"));
                channel.OutgoingReset = true;
            }

            if (channel.IncomingReset && channel.OutgoingReset)
            {
                Finish(channel);
            }
        }
    }

    private void Finish(DataChannel channel)
    {
        if (channel.State == DataChannelState.Closed)
        {
            return;
        }

        channel.State = DataChannelState.Closed;
        _channels.Remove(channel.Id);
        _events.Enqueue(new DataChannelClosedEvent(channel));
    }
}
