using System.Collections.Concurrent;
using System.Diagnostics;
using RtcStack.Dtls;

namespace RtcStack.Dtls.Tests.Support;

/// <summary>Drives one of our endpoints in real time against a blocking peer's datagram queues.</summary>
internal static class SansIoDriver
{
    /// <summary>
    /// Pumps <paramref name="endpoint"/> until <paramref name="done"/> holds or <paramref name="limit"/> passes.
    /// Datagrams it sends go to <paramref name="toPeer"/>; datagrams from <paramref name="fromPeer"/> are fed in.
    /// </summary>
    public static List<DtlsEvent> Run(DtlsEndpoint endpoint, BlockingCollection<byte[]> fromPeer, BlockingCollection<byte[]> toPeer,
        Func<List<DtlsEvent>, bool> done, TimeSpan limit, Action<TimeSpan>? start = null)
    {
        var events = new List<DtlsEvent>();
        var sw = Stopwatch.StartNew();
        (start ?? endpoint.Start)(sw.Elapsed);
        while (sw.Elapsed < limit)
        {
            while (endpoint.TryPollTransmit(out ReadOnlyMemory<byte> d))
            {
                toPeer.Add(d.ToArray());
            }

            while (endpoint.TryPollEvent(out DtlsEvent? e))
            {
                events.Add(e!);
            }

            if (done(events))
            {
                break;
            }

            TimeSpan wait = TimeSpan.FromMilliseconds(20);
            if (endpoint.PollTimeout() is TimeSpan t)
            {
                TimeSpan until = t - sw.Elapsed;
                wait = until < wait ? (until < TimeSpan.Zero ? TimeSpan.Zero : until) : wait;
            }

            if (fromPeer.TryTake(out byte[]? datagram, wait))
            {
                endpoint.HandleDatagram(datagram, sw.Elapsed);
            }

            if (endpoint.PollTimeout() is TimeSpan due && due <= sw.Elapsed)
            {
                endpoint.HandleTimeout(sw.Elapsed);
            }
        }

        return events;
    }
}
