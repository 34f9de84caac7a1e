namespace RtcStack.Rtp.Capture;

/// <summary>
/// One captured packet as read by <see cref="CaptureReader"/>: when, on which link type, and the
/// captured bytes. <see cref="Data"/> points into the reader's buffer and stays valid only until
/// the next call to <see cref="CaptureReader.ReadNext(out CaptureRecord)"/>; copy it to keep it.
/// </summary>
public readonly struct CaptureRecord
{
    /// <summary>Initializes a record.</summary>
    public CaptureRecord(long number, long timestampNanoseconds, LinkType linkType, int interfaceId, int originalLength, ReadOnlyMemory<byte> data)
    {
        Number = number;
        TimestampNanoseconds = timestampNanoseconds;
        LinkType = linkType;
        InterfaceId = interfaceId;
        OriginalLength = originalLength;
        Data = data;
    }

    /// <summary>Gets the 1-based position of this packet in the file (the same as Wireshark's frame number).</summary>
    public long Number { get; }

    /// <summary>Gets the capture time in nanoseconds since 1970-01-01T00:00:00Z (saturated to the range of <see cref="long"/>).</summary>
    public long TimestampNanoseconds { get; }

    /// <summary>Gets the capture time (with 100 ns resolution).</summary>
    public DateTimeOffset Timestamp => DateTimeOffset.UnixEpoch.AddTicks(TimestampNanoseconds / 100);

    /// <summary>Gets the link-layer header type of <see cref="Data"/>.</summary>
    public LinkType LinkType { get; }

    /// <summary>Gets the interface id (always 0 for classic pcap).</summary>
    public int InterfaceId { get; }

    /// <summary>Gets the length of the packet on the wire; larger than <see cref="Data"/> when the snap length cut it.</summary>
    public int OriginalLength { get; }

    /// <summary>Gets the captured bytes, starting with the link-layer header.</summary>
    public ReadOnlyMemory<byte> Data { get; }
}
