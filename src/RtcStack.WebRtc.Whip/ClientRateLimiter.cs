using System.Net;
using System.Net.Sockets;

namespace RtcStack.WebRtc.Signalling;

/// <summary>
/// A token bucket per client address for session creation (RFC 6585 §4: 429 Too Many Requests with Retry-After):
/// each client may create <c>burst</c> sessions at once and <c>rate</c> per second after that. IPv6 clients are
/// bucketed by their /64 (one host owns a whole /64). The table is bounded: idle clients (a full bucket) are dropped
/// when it fills, and if it is still full the newcomer shares one overflow bucket, so memory stays flat whatever the
/// number of addresses.
/// </summary>
internal sealed class ClientRateLimiter
{
    private const int MaxClients = 4096;
    private readonly Dictionary<UInt128, Bucket> _buckets = [];
    private readonly Bucket _overflow;
    private readonly double _rate;
    private readonly double _burst;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();

    public ClientRateLimiter(double ratePerSecond, int burst, TimeProvider time)
    {
        _rate = ratePerSecond;
        _burst = Math.Max(1, burst);
        _time = time;
        _overflow = new Bucket(_burst, _time.GetTimestamp());
    }

    /// <summary>Takes one token for <paramref name="client"/>; false with the wait until the next token when the bucket is empty.</summary>
    public bool TryAcquire(IPAddress? client, out TimeSpan retryAfter)
    {
        long now = _time.GetTimestamp();
        lock (_gate)
        {
            UInt128 key = Key(client);
            if (!_buckets.TryGetValue(key, out Bucket? bucket))
            {
                if (_buckets.Count >= MaxClients)
                {
                    DropIdle(now);
                }

                if (_buckets.Count >= MaxClients)
                {
                    bucket = _overflow;
                }
                else
                {
                    bucket = new Bucket(_burst, now);
                    _buckets[key] = bucket;
                }
            }

            Refill(bucket, now);
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                retryAfter = TimeSpan.Zero;
                return true;
            }

            retryAfter = TimeSpan.FromSeconds((1 - bucket.Tokens) / _rate);
            return false;
        }
    }

    private static UInt128 Key(IPAddress? client)
    {
        if (client is null)
        {
            return UInt128.Zero;
        }

        if (client.IsIPv4MappedToIPv6)
        {
            client = client.MapToIPv4();
        }

        Span<byte> b = stackalloc byte[16];
        b.Clear();
        if (client.AddressFamily == AddressFamily.InterNetwork)
        {
            client.TryWriteBytes(b[12..], out _);
            b[0] = 4;
        }
        else
        {
            client.TryWriteBytes(b, out _);
            b[8..].Clear();
        }

        return System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(b);
    }

    private void Refill(Bucket bucket, long now)
    {
        double seconds = _time.GetElapsedTime(bucket.Updated, now).TotalSeconds;
        if (seconds > 0)
        {
            bucket.Tokens = Math.Min(_burst, bucket.Tokens + (seconds * _rate));
            bucket.Updated = now;
        }
    }

    private void DropIdle(long now)
    {
        var idle = new List<UInt128>();
        foreach (KeyValuePair<UInt128, Bucket> kv in _buckets)
        {
            Refill(kv.Value, now);
            if (kv.Value.Tokens >= _burst)
            {
                idle.Add(kv.Key);
            }
        }

        foreach (UInt128 k in idle)
        {
            _buckets.Remove(k);
        }
    }

    private sealed class Bucket(double tokens, long updated)
    {
        public double Tokens { get; set; } = tokens;

        public long Updated { get; set; } = updated;
    }
}
