using RtcStack.Sctp;
using RtcStack.Sctp.DataChannels;

namespace RtcStack.NetSim.Tests.Sctp;

/// <summary>
/// Runs a real <see cref="SctpAssociation"/> (RFC 9260, sans-IO) as a NetSim endpoint: every SCTP packet the association
/// writes crosses the simulated links as its bytes, and every datagram delivered goes to
/// <see cref="SctpAssociation.HandleDatagram"/> with the simulator's virtual time. After every input the endpoint runs
/// its application (a <see cref="SctpBulkSender"/> writing messages, a <see cref="SctpBulkReceiver"/> reading and
/// checking them), like the application loop of a UDP driver.
/// </summary>
/// <remarks>
/// It lives in the test project, as <c>WebRtcSessionEndpoint</c> does, so that NetSim keeps depending only on the
/// congestion and RTP libraries. Links charge IPv4 + UDP + a DTLS 1.2 AES-GCM record around each SCTP packet
/// (<see cref="WireOverhead"/>), which is how WebRTC carries SCTP (RFC 8261 §3).
/// </remarks>
internal sealed class SctpEndpoint : ISimEndpoint
{
    /// <summary>IPv4 (20) + UDP (8) headers.</summary>
    public const int IpUdpOverhead = 28;

    /// <summary>DTLS 1.2 record with AES-128-GCM (RFC 6347 §4.1: 13-byte header; RFC 5288 §3: 8-byte explicit nonce, 16-byte tag).</summary>
    public const int DtlsRecordOverhead = 13 + 8 + 16;

    /// <summary>Bytes the links charge on top of each SCTP packet.</summary>
    public const int WireOverhead = IpUdpOverhead + DtlsRecordOverhead;

    private readonly SimAddress _peer;
    private readonly ISctpApplication _application;
    private readonly Queue<byte[]> _out = new();

    public SctpEndpoint(SctpAssociation association, SimAddress peer, ISctpApplication application, TimeSpan now)
        : this(association, null, peer, application, now)
    {
    }

    /// <summary>Data channels (RFC 8831) on top: packets and timers go through <paramref name="channels"/>.</summary>
    public SctpEndpoint(DataChannelTransport channels, SimAddress peer, ISctpApplication application, TimeSpan now)
        : this(channels.Association, channels, peer, application, now)
    {
    }

    private SctpEndpoint(SctpAssociation association, DataChannelTransport? channels, SimAddress peer, ISctpApplication application, TimeSpan now)
    {
        Association = association;
        Channels = channels;
        _peer = peer;
        _application = application;
        // Both sides start the handshake, as WebRTC peers do (RFC 8841 §9.3); the collision is resolved by RFC 9260 §5.2.
        association.Connect(now);
        AfterInput(now);
    }

    public SctpAssociation Association { get; }

    /// <summary>The data channel layer, when there is one.</summary>
    public DataChannelTransport? Channels { get; }

    /// <summary>Events other than messages, in order.</summary>
    public List<SctpEvent> Events { get; } = [];

    /// <summary>When the association reached Established (null before).</summary>
    public TimeSpan? EstablishedAt { get; private set; }

    public void HandleDatagram(SimPacket packet, TimeSpan now)
    {
        if (Channels is not null)
        {
            Channels.HandleDatagram(packet.Payload.Span, now);
        }
        else
        {
            Association.HandleDatagram(packet.Payload.Span, now);
        }

        AfterInput(now);
    }

    public void HandleTimeout(TimeSpan now)
    {
        if (Association.PollTimeout() is TimeSpan due && due <= now)
        {
            if (Channels is not null)
            {
                Channels.HandleTimeout(now);
            }
            else
            {
                Association.HandleTimeout(now);
            }
        }

        AfterInput(now);
    }

    public bool TryPollTransmit(out SimPacket packet)
    {
        if (!_out.TryDequeue(out byte[]? bytes))
        {
            packet = null!;
            return false;
        }

        packet = new SimPacket { Destination = _peer, Payload = bytes, WireSize = bytes.Length + WireOverhead };
        return true;
    }

    public TimeSpan PollTimeout()
    {
        TimeSpan next = Association.PollTimeout() ?? TimeSpan.MaxValue;
        TimeSpan app = _application.PollTimeout();
        return app < next ? app : next;
    }

    private void AfterInput(TimeSpan now)
    {
        if (EstablishedAt is null && Association.State == SctpAssociationState.Established)
        {
            EstablishedAt = now;
        }

        _application.Run(this, now);
        while (Association.TryPollTransmit(out ReadOnlyMemory<byte> packet))
        {
            // The association reuses its buffer on the next poll: the simulated wire needs its own copy.
            _out.Enqueue(packet.ToArray());
        }
    }
}

/// <summary>The application on top of an <see cref="SctpEndpoint"/>: runs after every input.</summary>
internal interface ISctpApplication
{
    void Run(SctpEndpoint endpoint, TimeSpan now);

    TimeSpan PollTimeout() => TimeSpan.MaxValue;
}

/// <summary>
/// Message content both sides can compute: message <c>n</c> is <c>size</c> bytes from a xorshift stream seeded by
/// <c>n</c>, so every byte delivered is checked against what was sent, and a message delivered out of order,
/// duplicated or corrupted fails the check.
/// </summary>
internal static class SctpTestContent
{
    public static void Fill(Span<byte> destination, long messageIndex)
    {
        ulong x = 0x9E3779B97F4A7C15UL ^ (ulong)(messageIndex + 1) * 0xBF58476D1CE4E5B9UL;
        for (int i = 0; i < destination.Length; i++)
        {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            destination[i] = (byte)x;
        }
    }
}

/// <summary>
/// Writes messages of <see cref="MessageSize"/> bytes on one ordered reliable stream whenever the association's
/// send buffer is below <see cref="SendBufferBytes"/> (as an application watching bufferedAmount does), until
/// <see cref="MessageCount"/> messages have been written (endless when negative).
/// </summary>
internal sealed class SctpBulkSender(int messageSize, long messageCount, ushort streamId = 1, uint ppid = 53, long sendBufferBytes = 1024 * 1024) : IBulkSender
{
    private readonly byte[] _message = new byte[messageSize];

    public int MessageSize { get; } = messageSize;

    public long MessageCount { get; } = messageCount;

    public long SendBufferBytes { get; } = sendBufferBytes;

    public long MessagesWritten { get; private set; }

    /// <summary>When the first message was written.</summary>
    public TimeSpan? FirstWriteAt { get; private set; }

    public void Run(SctpEndpoint endpoint, TimeSpan now)
    {
        SctpAssociation a = endpoint.Association;
        while (a.TryPollEvent(out SctpEvent? e))
        {
            endpoint.Events.Add(e!);
        }

        if (a.State != SctpAssociationState.Established)
        {
            return;
        }

        while ((MessageCount < 0 || MessagesWritten < MessageCount) && a.BufferedAmount + MessageSize <= SendBufferBytes)
        {
            SctpTestContent.Fill(_message, MessagesWritten);
            a.Send(streamId, ppid, _message, now);
            FirstWriteAt ??= now;
            MessagesWritten++;
        }
    }
}

/// <summary>What a bulk sender reports.</summary>
internal interface IBulkSender : ISctpApplication
{
    long MessagesWritten { get; }

    TimeSpan? FirstWriteAt { get; }
}

/// <summary>
/// Checks every message received byte for byte against <see cref="SctpTestContent"/> for the next expected index
/// (so loss, duplication, reordering or corruption of a message is a mismatch); counts bytes for goodput.
/// </summary>
internal abstract class BulkReceiver(int messageSize) : ISctpApplication
{
    private readonly byte[] _expected = new byte[messageSize];

    public int MessageSize { get; } = messageSize;

    public long MessagesReceived { get; private set; }

    public long BytesReceived { get; private set; }

    /// <summary>Messages whose content, length, stream, or PPID differed from what was sent in that position.</summary>
    public long Mismatches { get; private set; }

    public TimeSpan? LastMessageAt { get; private set; }

    public abstract void Run(SctpEndpoint endpoint, TimeSpan now);

    protected void Check(ReadOnlySpan<byte> message, bool metadataOk, TimeSpan now)
    {
        SctpTestContent.Fill(_expected, MessagesReceived);
        if (!metadataOk || !message.SequenceEqual(_expected))
        {
            Mismatches++;
        }

        MessagesReceived++;
        BytesReceived += message.Length;
        LastMessageAt = now;
    }
}

/// <summary>Reads every message with <see cref="SctpAssociation.TryReadMessage"/> into one buffer and checks it.</summary>
internal sealed class SctpBulkReceiver(int messageSize) : BulkReceiver(messageSize)
{
    // Room for a longer message than expected, so a wrong length is a mismatch rather than an exception.
    private readonly byte[] _buffer = new byte[messageSize + 1];

    public override void Run(SctpEndpoint endpoint, TimeSpan now)
    {
        SctpAssociation a = endpoint.Association;
        while (true)
        {
            if (a.TryPeekMessage(out SctpMessageInfo peeked) && peeked.Length > _buffer.Length)
            {
                throw new InvalidOperationException($"message of {peeked.Length} bytes, expected {MessageSize}");
            }

            if (a.TryReadMessage(_buffer, out SctpMessageInfo info))
            {
                Check(_buffer.AsSpan(0, info.Length), info.StreamId == 1 && info.PayloadProtocol == 53 && !info.Unordered, now);
            }
            else if (a.TryPollEvent(out SctpEvent? e))
            {
                endpoint.Events.Add(e!);
            }
            else
            {
                return;
            }
        }
    }
}

/// <summary>
/// Data channel (RFC 8831) sender: opens an ordered reliable channel in band (DCEP, RFC 8832) once the association is
/// up, then writes binary messages whenever the channel's bufferedAmount is below <see cref="SendBufferBytes"/>.
/// </summary>
internal sealed class DataChannelBulkSender(int messageSize, long messageCount, long sendBufferBytes = 1024 * 1024) : IBulkSender
{
    public const string Label = "bulk";

    private readonly byte[] _message = new byte[messageSize];
    private DataChannel? _channel;

    public long SendBufferBytes { get; } = sendBufferBytes;

    public long MessagesWritten { get; private set; }

    public TimeSpan? FirstWriteAt { get; private set; }

    public List<DataChannelEvent> Events { get; } = [];

    public void Run(SctpEndpoint endpoint, TimeSpan now)
    {
        DataChannelTransport t = endpoint.Channels!;
        _channel ??= t.CreateChannel(new DataChannelOptions { Label = Label }, now);
        while (t.TryPollEvent(out DataChannelEvent? e))
        {
            Events.Add(e!);
        }

        if (_channel.State != DataChannelState.Open)
        {
            return;
        }

        while ((messageCount < 0 || MessagesWritten < messageCount) && t.GetBufferedAmount(_channel) + messageSize <= SendBufferBytes)
        {
            SctpTestContent.Fill(_message, MessagesWritten);
            t.Send(_channel, _message, now);
            FirstWriteAt ??= now;
            MessagesWritten++;
        }
    }
}

/// <summary>Data channel receiver: takes the channel the peer opened and checks every binary message on it.</summary>
internal sealed class DataChannelBulkReceiver(int messageSize) : BulkReceiver(messageSize)
{
    public DataChannel? Channel { get; private set; }

    public List<DataChannelEvent> Events { get; } = [];

    public override void Run(SctpEndpoint endpoint, TimeSpan now)
    {
        while (endpoint.Channels!.TryPollEvent(out DataChannelEvent? e))
        {
            switch (e)
            {
                case DataChannelOpenEvent { Channel.Remote: true } open when Channel is null:
                    Channel = open.Channel;
                    break;
                case DataChannelMessageEvent m:
                    Check(m.Data, m.Channel == Channel && m.Channel.Label == DataChannelBulkSender.Label && m.Channel.Ordered && !m.IsString, now);
                    continue;
            }

            Events.Add(e!);
        }
    }
}
