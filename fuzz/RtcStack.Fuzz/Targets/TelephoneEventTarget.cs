using RtcStack.Rtp.Dtmf;

namespace RtcStack.Fuzz.Targets;

/// <summary>
/// RFC 4733 telephone events: <see cref="TelephoneEvent.TryParse"/> (a parse/write round trip
/// apart from the reserved bit) and <see cref="TelephoneEventReceiver"/> fed the input as records
/// of a timestamp step (2 bytes), a marker byte and a 4-byte report. Checks: every Ended follows
/// its Started, no event ends twice, durations never shrink.
/// </summary>
[FuzzTarget("telephone-event")]
public sealed class TelephoneEventTarget : IFuzzTarget
{
    private readonly byte[] _written = new byte[4];

    /// <inheritdoc/>
    public void Run(ReadOnlySpan<byte> data)
    {
        if (TelephoneEvent.TryParse(data, out TelephoneEvent report))
        {
            report.Write(_written);
            if (_written[0] != data[0] || _written[1] != (data[1] & 0xBF) || _written[2] != data[2] || _written[3] != data[3])
            {
                throw new InvalidOperationException("parse/write is not an identity");
            }
        }

        var receiver = new TelephoneEventReceiver();
        bool open = false;
        long lastDuration = 0;
        uint timestamp = 0;
        for (int pos = 0; pos + 7 <= data.Length; pos += 7)
        {
            timestamp = unchecked(timestamp + (uint)((data[pos] << 8) | data[pos + 1]) - 0x4000u);
            receiver.Push(timestamp, (data[pos + 2] & 1) != 0, data.Slice(pos + 3, 4));
            while (receiver.TryPoll(out DtmfReport r))
            {
                if (r.Kind == DtmfReportKind.Started)
                {
                    if (open)
                    {
                        throw new InvalidOperationException("a new event started before the previous ended");
                    }

                    open = true;
                    lastDuration = r.Duration;
                }
                else
                {
                    if (!open || r.Duration < lastDuration)
                    {
                        throw new InvalidOperationException("an end without a start, or a shrinking duration");
                    }

                    open = false;
                }
            }
        }
    }
}
