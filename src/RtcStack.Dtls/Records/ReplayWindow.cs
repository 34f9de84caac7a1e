namespace RtcStack.Dtls.Records;

/// <summary>
/// RFC 6347 §4.1.2.6 anti-replay: a 64-record sliding window per epoch. Check before
/// decrypting (cheap reject), mark after the record authenticated.
/// </summary>
internal sealed class ReplayWindow
{
    private const int Size = 64;
    private ulong _highest;
    private ulong _bitmap;
    private bool _any;

    /// <summary>Gets a value indicating whether <paramref name="seq"/> is new and inside the window.</summary>
    public bool IsFresh(ulong seq)
    {
        if (!_any || seq > _highest)
        {
            return true;
        }

        ulong diff = _highest - seq;
        if (diff >= Size)
        {
            return false;
        }

        return (_bitmap & (1UL << (int)diff)) == 0;
    }

    /// <summary>Records <paramref name="seq"/> as received.</summary>
    public void Mark(ulong seq)
    {
        if (!_any)
        {
            _any = true;
            _highest = seq;
            _bitmap = 1;
            return;
        }

        if (seq > _highest)
        {
            ulong shift = seq - _highest;
            _bitmap = shift >= Size ? 1 : (_bitmap << (int)shift) | 1;
            _highest = seq;
        }
        else
        {
            ulong diff = _highest - seq;
            if (diff < Size)
            {
                _bitmap |= 1UL << (int)diff;
            }
        }
    }
}
