using RtcStack.Rtp.Red;

namespace RtcStack.Fuzz.Targets;

/// <summary>
/// RFC 2198 RED payloads: <see cref="RedPayload.TryParse"/> on arbitrary bytes, then, for a valid
/// payload, the invariants its callers rely on (blocks lie inside the payload and add up to it,
/// offsets fit 14 bits), and <see cref="RedDecoder"/> fed the input as a run of payloads (each
/// prefixed by a length byte and a timestamp step), which must never deliver a timestamp twice.
/// </summary>
[FuzzTarget("red-payload")]
public sealed class RedPayloadTarget : IFuzzTarget
{
    private readonly byte[] _output = new byte[70000];
    private readonly HashSet<uint> _seen = [];
    private RedDecoder? _decoder;

    /// <inheritdoc/>
    public void Run(ReadOnlySpan<byte> data)
    {
        if (RedPayload.TryParse(data, out RedPayload red) == RedPayloadStatus.Valid)
        {
            int total = red.HeaderLength;
            for (int i = 0; i < red.BlockCount; i++)
            {
                RedBlock block = red.GetBlock(i);
                if (block.TimestampOffset > RedPayload.MaxTimestampOffset || block.PayloadType > 127 || block.IsPrimary != (i == red.RedundantBlockCount))
                {
                    throw new InvalidOperationException("a header field out of range");
                }

                total += block.Data.Length;
            }

            if (total != data.Length)
            {
                throw new InvalidOperationException($"blocks cover {total} of {data.Length} bytes");
            }
        }

        _decoder ??= new RedDecoder();
        _decoder.Reset();
        _seen.Clear();
        uint timestamp = 0;
        int pos = 0;
        while (pos + 2 <= data.Length)
        {
            int length = Math.Min(data[pos], data.Length - pos - 2);
            timestamp = unchecked(timestamp + (uint)(data[pos + 1] * 120));
            _decoder.Push(timestamp, data.Slice(pos + 2, length));
            while (_decoder.TryPoll(_output, out RedFrame frame))
            {
                if (!_seen.Add(frame.Timestamp))
                {
                    throw new InvalidOperationException($"timestamp {frame.Timestamp} delivered twice");
                }
            }

            pos += 2 + length;
        }
    }
}
