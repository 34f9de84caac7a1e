using System.Buffers.Binary;

namespace RtcStack.Rtp.Rtcp;

/// <summary>One XR report block (RFC 3611 §3): BT, type-specific byte, length, contents.</summary>
public readonly ref struct RtcpXrBlock
{
    private readonly ReadOnlySpan<byte> _data;

    internal RtcpXrBlock(ReadOnlySpan<byte> data)
    {
        _data = data;
    }

    /// <summary>Gets the block type (BT).</summary>
    public RtcpXrBlockType BlockType => (RtcpXrBlockType)_data[0];

    /// <summary>Gets the type-specific byte.</summary>
    public byte TypeSpecific => _data[1];

    /// <summary>Gets the block contents after the 4-byte block header.</summary>
    public ReadOnlySpan<byte> Contents => _data[4..];

    /// <summary>Gets the whole block including its header.</summary>
    public ReadOnlySpan<byte> Data => _data;

    /// <summary>Reads an RRTR block (RFC 3611 §4.4): the NTP time the receiver sent this report.</summary>
    public bool TryGetReceiverReferenceTime(out NtpTimestamp ntp)
    {
        if (BlockType != RtcpXrBlockType.ReceiverReferenceTime || Contents.Length != 8)
        {
            ntp = default;
            return false;
        }

        ntp = new NtpTimestamp(BinaryPrimitives.ReadUInt64BigEndian(Contents));
        return true;
    }

    /// <summary>Gets the number of DLRR sub-blocks (RFC 3611 §4.5), or 0 when this is not a DLRR block.</summary>
    public int DlrrCount => BlockType == RtcpXrBlockType.Dlrr ? Contents.Length / RtcpDlrrSubBlock.Length : 0;

    /// <summary>Returns DLRR sub-block <paramref name="index"/>.</summary>
    public RtcpDlrrSubBlock GetDlrr(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, DlrrCount);
        ReadOnlySpan<byte> s = Contents[(index * RtcpDlrrSubBlock.Length)..];
        return new RtcpDlrrSubBlock(
            BinaryPrimitives.ReadUInt32BigEndian(s),
            BinaryPrimitives.ReadUInt32BigEndian(s[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(s[8..]));
    }
}
