namespace RtcStack.Opus.Ogg;

/// <summary>A run of body bytes on one Ogg page belonging to one packet (RFC 3533 §5).</summary>
public readonly ref struct OggPacketPiece
{
    internal OggPacketPiece(ReadOnlySpan<byte> data, bool completesPacket)
    {
        Data = data;
        CompletesPacket = completesPacket;
    }

    /// <summary>Gets the bytes.</summary>
    public ReadOnlySpan<byte> Data { get; }

    /// <summary>Gets a value indicating whether the packet ends here (false: it continues on the next page).</summary>
    public bool CompletesPacket { get; }
}
