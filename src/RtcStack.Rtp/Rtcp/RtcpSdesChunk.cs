using System.Buffers.Binary;

namespace RtcStack.Rtp.Rtcp;

/// <summary>One SDES chunk: an SSRC or CSRC and its items (RFC 3550 §6.5).</summary>
public readonly ref struct RtcpSdesChunk
{
    private readonly ReadOnlySpan<byte> _data;

    internal RtcpSdesChunk(ReadOnlySpan<byte> data)
    {
        _data = data;
    }

    /// <summary>Gets the SSRC/CSRC the chunk describes.</summary>
    public uint Ssrc => BinaryPrimitives.ReadUInt32BigEndian(_data);

    /// <summary>Finds the first item of type <paramref name="type"/>.</summary>
    public bool TryGetItem(RtcpSdesItemType type, out ReadOnlySpan<byte> text)
    {
        foreach (RtcpSdesItem item in this)
        {
            if (item.Type == type)
            {
                text = item.Text;
                return true;
            }
        }

        text = default;
        return false;
    }

    /// <summary>Returns an enumerator over the items.</summary>
    public ItemEnumerator GetEnumerator() => new(_data);

    /// <summary>Walks the items of a validated chunk.</summary>
    public ref struct ItemEnumerator
    {
        private readonly ReadOnlySpan<byte> _data;
        private int _offset;
        private RtcpSdesItem _current;

        internal ItemEnumerator(ReadOnlySpan<byte> data)
        {
            _data = data;
            _offset = 4;
        }

        /// <summary>Gets the current item.</summary>
        public readonly RtcpSdesItem Current => _current;

        /// <summary>Advances to the next item.</summary>
        public bool MoveNext()
        {
            if (_offset + 2 > _data.Length || _data[_offset] == 0)
            {
                return false;
            }

            int length = _data[_offset + 1];
            _current = new RtcpSdesItem((RtcpSdesItemType)_data[_offset], _data.Slice(_offset + 2, length));
            _offset += 2 + length;
            return true;
        }
    }
}
