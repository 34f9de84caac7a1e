using System.Buffers.Binary;

namespace RtcStack.Rtp.Dtmf;

/// <summary>
/// One RFC 4733 §2.3 event report, the whole payload of a <c>telephone-event</c> packet:
/// event code (8 bits), E (end of event), R (reserved), volume (6 bits, −dBm0), duration
/// (16 bits, in RTP timestamp units since the event's timestamp).
/// </summary>
/// <param name="Event">The event code (RFC 4733 §3.2: 0–9, 10 = *, 11 = #, 12–15 = A–D, 16 = flash).</param>
/// <param name="End">The E bit: this report ends the event (§2.3.3).</param>
/// <param name="Volume">The power level as 0 to 63, meaning 0 to −63 dBm0 (§2.3.4).</param>
/// <param name="Duration">Duration so far in timestamp units (§2.3.5).</param>
public readonly record struct TelephoneEvent(byte Event, bool End, byte Volume, ushort Duration)
{
    /// <summary>The payload length, 4 bytes.</summary>
    public const int Length = 4;

    /// <summary>Parses the first report of <paramref name="payload"/>; false if it is shorter than 4 bytes. The R bit is ignored, as §2.3.4 says receivers must.</summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, out TelephoneEvent telephoneEvent)
    {
        if (payload.Length < Length)
        {
            telephoneEvent = default;
            return false;
        }

        telephoneEvent = new TelephoneEvent(
            payload[0],
            (payload[1] & 0x80) != 0,
            (byte)(payload[1] & 0x3F),
            BinaryPrimitives.ReadUInt16BigEndian(payload[2..]));
        return true;
    }

    /// <summary>Writes the report (R = 0, as §2.3.4 requires of senders); returns 4.</summary>
    public int Write(Span<byte> destination)
    {
        if (Volume > 63)
        {
            throw new InvalidOperationException($"Volume {Volume} does not fit 6 bits.");
        }

        if (destination.Length < Length)
        {
            throw new ArgumentException("A telephone event needs 4 bytes.", nameof(destination));
        }

        destination[0] = Event;
        destination[1] = (byte)((End ? 0x80 : 0) | Volume);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], Duration);
        return Length;
    }
}
