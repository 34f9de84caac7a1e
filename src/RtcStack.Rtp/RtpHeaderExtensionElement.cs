namespace RtcStack.Rtp;

/// <summary>One RFC 8285 header extension element: its local identifier and its data (RFC 8285 §4.1).</summary>
public readonly ref struct RtpHeaderExtensionElement
{
    /// <summary>Initializes a new instance of the <see cref="RtpHeaderExtensionElement"/> struct.</summary>
    public RtpHeaderExtensionElement(byte id, ReadOnlySpan<byte> value)
    {
        Id = id;
        Value = value;
    }

    /// <summary>Gets the local identifier negotiated with a=extmap (RFC 8285 §5).</summary>
    public byte Id { get; }

    /// <summary>Gets the element data.</summary>
    public ReadOnlySpan<byte> Value { get; }
}
