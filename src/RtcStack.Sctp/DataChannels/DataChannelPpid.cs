namespace RtcStack.Sctp.DataChannels;

/// <summary>SCTP payload protocol identifiers of WebRTC data channels (RFC 8831 §8, RFC 8832 §8.1).</summary>
public static class DataChannelPpid
{
    /// <summary>WebRTC DCEP.</summary>
    public const uint Dcep = 50;

    /// <summary>WebRTC String.</summary>
    public const uint String = 51;

    /// <summary>WebRTC Binary Partial (deprecated; reassembled on receipt).</summary>
    public const uint BinaryPartial = 52;

    /// <summary>WebRTC Binary.</summary>
    public const uint Binary = 53;

    /// <summary>WebRTC String Partial (deprecated; reassembled on receipt).</summary>
    public const uint StringPartial = 54;

    /// <summary>WebRTC String Empty (the message carries one ignored byte).</summary>
    public const uint StringEmpty = 56;

    /// <summary>WebRTC Binary Empty (the message carries one ignored byte).</summary>
    public const uint BinaryEmpty = 57;
}
