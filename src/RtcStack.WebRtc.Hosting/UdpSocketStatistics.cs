using System.Globalization;
using System.Net.Sockets;

namespace RtcStack.WebRtc.Io;

/// <summary>
/// What the kernel says about a host's UDP sockets: the receive buffer it actually granted (Linux doubles the
/// SO_RCVBUF asked for and caps it at net.core.rmem_max), the bytes queued unread, and the datagrams it dropped
/// because a receive buffer was full. The drop count is the socket's <c>sk_drops</c>, the counter SO_RXQ_OVFL
/// reports with each datagram; it is read from <c>/proc/net/udp</c> and <c>/proc/net/udp6</c>, so the receive path
/// needs no ancillary data. Zeros where the platform has no /proc.
/// </summary>
/// <param name="Sockets">How many sockets were read.</param>
/// <param name="ReceiveBufferBytes">The receive buffers granted, summed.</param>
/// <param name="QueuedBytes">Bytes waiting in the receive queues, summed.</param>
/// <param name="KernelDrops">Datagrams the kernel dropped on these sockets since they were opened (full buffer, bad checksum).</param>
public readonly record struct UdpSocketStatistics(int Sockets, long ReceiveBufferBytes, long QueuedBytes, long KernelDrops)
{
    /// <summary>Reads the statistics of <paramref name="sockets"/> (one pass over /proc/net/udp and udp6).</summary>
    public static UdpSocketStatistics Read(IEnumerable<Socket> sockets)
    {
        ArgumentNullException.ThrowIfNull(sockets);
        Dictionary<long, (long Queued, long Drops)>? table = OperatingSystem.IsLinux() ? ReadProcTable() : null;
        int count = 0;
        long buffers = 0;
        long queued = 0;
        long drops = 0;
        foreach (Socket socket in sockets)
        {
            try
            {
                buffers += socket.ReceiveBufferSize;
                if (table is not null && TryGetInode(socket, out long inode) && table.TryGetValue(inode, out (long Queued, long Drops) row))
                {
                    queued += row.Queued;
                    drops += row.Drops;
                }

                count++;
            }
            catch (Exception e) when (e is ObjectDisposedException or SocketException)
            {
                // Closed while we looked: it has nothing more to say.
            }
        }

        return new UdpSocketStatistics(count, buffers, queued, drops);
    }

    private static bool TryGetInode(Socket socket, out long inode)
    {
        inode = 0;
        string? target;
        try
        {
            target = new FileInfo("/proc/self/fd/" + socket.Handle.ToInt64().ToString(CultureInfo.InvariantCulture)).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        // "socket:[12345]"
        return target is not null && target.StartsWith("socket:[", StringComparison.Ordinal) && target.EndsWith(']')
            && long.TryParse(target.AsSpan(8, target.Length - 9), NumberStyles.None, CultureInfo.InvariantCulture, out inode);
    }

    private static Dictionary<long, (long Queued, long Drops)> ReadProcTable()
    {
        var table = new Dictionary<long, (long, long)>();
        foreach (string file in (ReadOnlySpan<string>)["/proc/net/udp", "/proc/net/udp6"])
        {
            string[] lines;
            try
            {
                lines = File.ReadAllLines(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            // "sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ref pointer drops"
            for (int i = 1; i < lines.Length; i++)
            {
                string[] f = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length < 13)
                {
                    continue;
                }

                int colon = f[4].IndexOf(':', StringComparison.Ordinal);
                if (colon < 0
                    || !long.TryParse(f[4].AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out long rx)
                    || !long.TryParse(f[9], NumberStyles.None, CultureInfo.InvariantCulture, out long inode)
                    || !long.TryParse(f[12], NumberStyles.None, CultureInfo.InvariantCulture, out long drops))
                {
                    continue;
                }

                table[inode] = (rx, drops);
            }
        }

        return table;
    }
}
