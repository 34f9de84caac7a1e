using System.Buffers.Binary;

namespace RtcStack.Rtp.Red;

/// <summary>
/// Builds RFC 2198 payloads: each primary is sent with up to <see cref="Distance"/> earlier
/// primaries as redundant blocks, oldest first, the new primary last (as Chromium sends
/// <c>red/48000/2</c> with Opus). A previous primary is left out when RFC 2198 §3's fields cannot
/// describe it (timestamp offset over 14 bits, length over 10 bits), when its timestamp is not
/// before the new one (a reset or reorder at the source), or when the payload would not fit the
/// caller's buffer (the oldest go first). Sans-IO: bytes and timestamps in, bytes out; the RTP
/// header (RED payload type, sequence number, the primary's timestamp) is the caller's. Does not
/// allocate after construction.
/// </summary>
public sealed class RedEncoder
{
    private readonly byte[][] _history;
    private readonly int[] _lengths;
    private readonly uint[] _timestamps;
    private readonly byte[] _payloadTypes;
    private int _count;
    private int _next;

    /// <summary>Initializes a new instance of the <see cref="RedEncoder"/> class.</summary>
    /// <param name="distance">How many earlier primaries each packet repeats (0 = none, just the RED framing; Chromium uses 1 or 2).</param>
    public RedEncoder(int distance)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(distance);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(distance, RedPayload.MaxBlocks);
        Distance = distance;
        _history = new byte[distance][];
        for (int i = 0; i < distance; i++)
        {
            _history[i] = new byte[RedPayload.MaxBlockLength];
        }

        _lengths = new int[distance];
        _timestamps = new uint[distance];
        _payloadTypes = new byte[distance];
    }

    /// <summary>Gets the redundancy distance: how many earlier primaries each packet carries at most.</summary>
    public int Distance { get; }

    /// <summary>Gets the number of redundant blocks left out so far because a field could not describe them or they did not fit.</summary>
    public long OmittedBlocks { get; private set; }

    /// <summary>Forgets earlier primaries (e.g. after a timestamp jump or a new SSRC).</summary>
    public void Reset()
    {
        _count = 0;
        _next = 0;
    }

    /// <summary>
    /// Writes the RED payload for a new primary encoding into <paramref name="destination"/> and
    /// remembers the primary for the next packets. Returns the length written, or -1 when even the
    /// primary alone (1 + its length) does not fit.
    /// </summary>
    /// <param name="payloadType">The primary's payload type (0–127), e.g. Opus's 111.</param>
    /// <param name="timestamp">The primary's RTP timestamp, which also goes in the RTP header.</param>
    /// <param name="primary">The primary encoding.</param>
    /// <param name="destination">Where the payload goes.</param>
    public int Encode(byte payloadType, uint timestamp, ReadOnlySpan<byte> primary, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payloadType, (byte)127);
        if (1 + primary.Length > destination.Length)
        {
            return -1;
        }

        // Choose, newest first, the earlier primaries that can be described and that fit.
        Span<int> chosen = stackalloc int[Math.Max(Distance, 1)];
        int chosenCount = 0;
        int size = 1 + primary.Length;
        for (int age = 1; age <= _count; age++)
        {
            int slot = ((_next - age) % Distance + Distance) % Distance;
            uint offset = unchecked(timestamp - _timestamps[slot]);
            bool describable = offset is > 0 and <= RedPayload.MaxTimestampOffset && _lengths[slot] <= RedPayload.MaxBlockLength;
            if (!describable || size + 4 + _lengths[slot] > destination.Length)
            {
                OmittedBlocks++;
                continue;
            }

            chosen[chosenCount++] = slot;
            size += 4 + _lengths[slot];
        }

        // Headers oldest first, then the data in the same order, then the primary.
        int headerPos = 0;
        int dataPos = (4 * chosenCount) + 1;
        for (int i = chosenCount - 1; i >= 0; i--)
        {
            int slot = chosen[i];
            uint offset = unchecked(timestamp - _timestamps[slot]);
            destination[headerPos] = (byte)(0x80 | _payloadTypes[slot]);
            uint field = (offset << 10) | (uint)_lengths[slot];
            destination[headerPos + 1] = (byte)(field >> 16);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(headerPos + 2)..], (ushort)field);
            headerPos += 4;
            _history[slot].AsSpan(0, _lengths[slot]).CopyTo(destination[dataPos..]);
            dataPos += _lengths[slot];
        }

        destination[headerPos] = payloadType;
        primary.CopyTo(destination[dataPos..]);
        dataPos += primary.Length;

        Remember(payloadType, timestamp, primary);
        return dataPos;
    }

    private void Remember(byte payloadType, uint timestamp, ReadOnlySpan<byte> primary)
    {
        if (Distance == 0)
        {
            return;
        }

        if (primary.Length > RedPayload.MaxBlockLength)
        {
            // Too long to be a redundant block ever: what is remembered would be wrong, so forget
            // nothing but store an impossible length so the slot is skipped.
            _lengths[_next] = RedPayload.MaxBlockLength + 1;
        }
        else
        {
            primary.CopyTo(_history[_next]);
            _lengths[_next] = primary.Length;
        }

        _timestamps[_next] = timestamp;
        _payloadTypes[_next] = payloadType;
        _next = (_next + 1) % Distance;
        _count = Math.Min(_count + 1, Distance);
    }
}
