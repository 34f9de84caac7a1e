namespace RtcStack.Video;

/// <summary>
/// Walks the OBU elements of an AV1 RTP payload after its aggregation header (AV1 RTP §4.4-§4.5): with W=0 each has
/// a leb128 length; with W=1..3 there are exactly W elements and the last one takes the rest of the payload.
/// </summary>
internal ref struct Av1ObuElementReader
{
    private ReadOnlySpan<byte> _rest;
    private readonly int _w;
    private int _index;

    public Av1ObuElementReader(ReadOnlySpan<byte> elements, int w)
    {
        _rest = elements;
        _w = w;
        _index = 0;
    }

    /// <summary>Reads the next element; false at the end or on a malformed length (see <see cref="Malformed"/>).</summary>
    public bool TryNext(out ReadOnlySpan<byte> element)
    {
        element = default;
        if (_rest.IsEmpty || (_w != 0 && _index >= _w))
        {
            return false;
        }

        _index++;
        if (_w != 0 && _index == _w)
        {
            element = _rest;
            _rest = default;
            return true;
        }

        if (!Av1Leb128.TryRead(_rest, out uint length, out int lengthBytes) || length == 0 || length > (uint)(_rest.Length - lengthBytes))
        {
            Malformed = true;
            _rest = default;
            return false;
        }

        element = _rest.Slice(lengthBytes, (int)length);
        _rest = _rest[(lengthBytes + (int)length)..];
        return true;
    }

    /// <summary>Gets whether a length field was broken (zero, cut short or longer than the payload).</summary>
    public bool Malformed { get; private set; }

    /// <summary>
    /// Counts the elements of a payload and checks the structure: at least one element, no zero-length element, W
    /// elements when W is not 0 (AV1 RTP §4.4), lengths inside the payload.
    /// </summary>
    public static bool TryCount(ReadOnlySpan<byte> elements, int w, out int count)
    {
        count = 0;
        var reader = new Av1ObuElementReader(elements, w);
        while (reader.TryNext(out ReadOnlySpan<byte> element))
        {
            if (element.IsEmpty)
            {
                return false;
            }

            count++;
        }

        return !reader.Malformed && count > 0 && (w == 0 || count == w);
    }
}
