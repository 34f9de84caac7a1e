namespace RtcStack.Rtp.Red;

/// <summary>
/// Takes RFC 2198 payloads apart and recovers lost primaries from the redundant blocks of later
/// packets (RFC 2198 §4: a receiver uses redundant data for timestamps it has no primary for).
/// For each packet it yields, in timestamp order, the redundant blocks whose timestamps are newer
/// than every encoding delivered so far and not delivered yet (the lost ones), then the primary
/// unless it was already delivered (a retransmission, or recovered before it arrived late). A
/// late primary for a timestamp nobody delivered is still yielded; the jitter buffer decides.
/// Sans-IO: push a payload with its RTP timestamp, then drain <see cref="TryPoll"/>. Does not
/// allocate per packet (its copy of the payload grows only for a longer payload than any before).
/// </summary>
public sealed class RedDecoder
{
    private const int DeliveredHistory = 64;

    private readonly uint[] _delivered = new uint[DeliveredHistory];
    private readonly int[] _queue = new int[RedPayload.MaxBlocks + 1];
    private readonly uint[] _queueTimestamps = new uint[RedPayload.MaxBlocks + 1];
    private byte[] _packet = new byte[1500];
    private int _packetLength;
    private uint _headerTimestamp;
    private int _deliveredCount;
    private int _deliveredNext;
    private bool _haveHighest;
    private uint _highest;
    private int _queueCount;
    private int _queueNext;

    /// <summary>Gets the number of lost primaries recovered from redundant blocks.</summary>
    public long RecoveredFrames { get; private set; }

    /// <summary>Gets the number of primaries discarded because their timestamp had already been delivered.</summary>
    public long DuplicatesDiscarded { get; private set; }

    /// <summary>Gets the number of valid RED payloads pushed.</summary>
    public long Payloads { get; private set; }

    /// <summary>Gets the number of valid RED payloads that carried only their primary (no redundant block).</summary>
    public long PayloadsWithoutRedundancy { get; private set; }

    /// <summary>Gets the number of redundant blocks carried by the valid payloads, whether used or not.</summary>
    public long RedundantBlocks { get; private set; }

    /// <summary>Gets the number of payloads refused as malformed.</summary>
    public long MalformedPayloads { get; private set; }

    /// <summary>Forgets what was delivered (after an SSRC change or a timestamp jump).</summary>
    public void Reset()
    {
        _deliveredCount = 0;
        _deliveredNext = 0;
        _haveHighest = false;
        _queueCount = 0;
        _queueNext = 0;
    }

    /// <summary>
    /// Adds one received RED payload with its RTP header's timestamp. Malformed payloads yield
    /// nothing and return their status. Drain <see cref="TryPoll"/> before the next push.
    /// </summary>
    public RedPayloadStatus Push(uint timestamp, ReadOnlySpan<byte> payload)
    {
        if (_queueNext < _queueCount)
        {
            throw new InvalidOperationException("Drain TryPoll before pushing the next payload.");
        }

        _queueCount = 0;
        _queueNext = 0;
        RedPayloadStatus status = RedPayload.TryParse(payload, out RedPayload red);
        if (status != RedPayloadStatus.Valid)
        {
            MalformedPayloads++;
            return status;
        }

        if (_packet.Length < payload.Length)
        {
            _packet = new byte[payload.Length];
        }

        Payloads++;
        RedundantBlocks += red.RedundantBlockCount;
        if (red.RedundantBlockCount == 0)
        {
            PayloadsWithoutRedundancy++;
        }

        payload.CopyTo(_packet);
        _packetLength = payload.Length;
        _headerTimestamp = timestamp;

        for (int i = 0; i < red.RedundantBlockCount; i++)
        {
            uint ts = red.GetBlock(i).GetTimestamp(timestamp);
            bool newer = !_haveHighest || unchecked((int)(ts - _highest)) > 0;
            if (newer && ts != timestamp && !WasDelivered(ts) && !IsQueued(ts))
            {
                Enqueue(i, ts);
            }
        }

        if (WasDelivered(timestamp))
        {
            DuplicatesDiscarded++;
        }
        else
        {
            Enqueue(red.RedundantBlockCount, timestamp);
        }

        SortQueue();
        for (int i = 0; i < _queueCount; i++)
        {
            MarkDelivered(_queueTimestamps[i]);
        }

        return RedPayloadStatus.Valid;
    }

    /// <summary>Copies the next encoding into <paramref name="destination"/>; false when none is left.</summary>
    public bool TryPoll(Span<byte> destination, out RedFrame frame)
    {
        frame = default;
        if (_queueNext >= _queueCount)
        {
            return false;
        }

        RedPayload.TryParse(_packet.AsSpan(0, _packetLength), out RedPayload red);
        int index = _queue[_queueNext];
        RedBlock block = red.GetBlock(index);
        if (block.Data.Length > destination.Length)
        {
            throw new ArgumentException($"The destination needs {block.Data.Length} bytes.", nameof(destination));
        }

        _queueNext++;
        block.Data.CopyTo(destination);
        if (!block.IsPrimary)
        {
            RecoveredFrames++;
        }

        frame = new RedFrame(block.PayloadType, block.GetTimestamp(_headerTimestamp), !block.IsPrimary, block.Data.Length);
        return true;
    }

    private void Enqueue(int index, uint timestamp)
    {
        _queue[_queueCount] = index;
        _queueTimestamps[_queueCount] = timestamp;
        _queueCount++;
    }

    private bool IsQueued(uint timestamp)
    {
        for (int i = 0; i < _queueCount; i++)
        {
            if (_queueTimestamps[i] == timestamp)
            {
                return true;
            }
        }

        return false;
    }

    private void SortQueue()
    {
        // Insertion sort by timestamp (wrap-aware) over at most 33 entries.
        for (int i = 1; i < _queueCount; i++)
        {
            int index = _queue[i];
            uint ts = _queueTimestamps[i];
            int j = i - 1;
            while (j >= 0 && unchecked((int)(_queueTimestamps[j] - ts)) > 0)
            {
                _queue[j + 1] = _queue[j];
                _queueTimestamps[j + 1] = _queueTimestamps[j];
                j--;
            }

            _queue[j + 1] = index;
            _queueTimestamps[j + 1] = ts;
        }
    }

    private bool WasDelivered(uint timestamp)
    {
        for (int i = 0; i < _deliveredCount; i++)
        {
            if (_delivered[i] == timestamp)
            {
                return true;
            }
        }

        return false;
    }

    private void MarkDelivered(uint timestamp)
    {
        _delivered[_deliveredNext] = timestamp;
        _deliveredNext = (_deliveredNext + 1) % DeliveredHistory;
        _deliveredCount = Math.Min(_deliveredCount + 1, DeliveredHistory);
        if (!_haveHighest || unchecked((int)(timestamp - _highest)) > 0)
        {
            _highest = timestamp;
            _haveHighest = true;
        }
    }
}
