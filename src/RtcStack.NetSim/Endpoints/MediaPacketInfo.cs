namespace RtcStack.NetSim.Endpoints;

/// <summary>The RTP fields of a model media packet (carried as <see cref="SimPacket.Tag"/>).</summary>
public sealed class MediaPacketInfo
{
    /// <summary>RTP SSRC.</summary>
    public uint Ssrc { get; init; }

    /// <summary>RTP payload type.</summary>
    public byte PayloadType { get; init; }

    /// <summary>RTP sequence number.</summary>
    public ushort SequenceNumber { get; init; }

    /// <summary>RTP timestamp.</summary>
    public uint Timestamp { get; init; }

    /// <summary>RTP marker bit (last packet of a frame).</summary>
    public bool Marker { get; init; }

    /// <summary>Transport-wide sequence number (unwrapped).</summary>
    public long TransportSequenceNumber { get; set; }

    /// <summary>RTP payload bytes.</summary>
    public int PayloadSize { get; init; }

    /// <summary>Frame this packet belongs to.</summary>
    public long FrameId { get; init; }

    /// <summary>Packets in the frame.</summary>
    public int PacketsInFrame { get; init; }

    /// <summary>When the frame was captured.</summary>
    public TimeSpan CaptureTime { get; init; }

    /// <summary>Padding-only packet (probing).</summary>
    public bool IsPadding { get; init; }

    /// <summary>Audio packet.</summary>
    public bool IsAudio { get; init; }
}
