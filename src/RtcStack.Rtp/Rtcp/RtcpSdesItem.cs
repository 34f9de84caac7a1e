namespace RtcStack.Rtp.Rtcp;

/// <summary>One SDES item: type and text (UTF-8, not NUL-terminated; RFC 3550 §6.5).</summary>
public readonly ref struct RtcpSdesItem
{
    internal RtcpSdesItem(RtcpSdesItemType type, ReadOnlySpan<byte> text)
    {
        Type = type;
        Text = text;
    }

    /// <summary>Gets the item type.</summary>
    public RtcpSdesItemType Type { get; }

    /// <summary>Gets the item text.</summary>
    public ReadOnlySpan<byte> Text { get; }
}
