using System.Collections.Concurrent;
using Org.BouncyCastle.Tls;

namespace RtcStack.TestSupport.Dtls;

/// <summary>
/// One end of an in-memory datagram pipe, implementing BouncyCastle's blocking
/// <see cref="DatagramTransport"/> so its DTLS protocol classes can run on a test thread.
/// </summary>
public sealed class DatagramPipe : DatagramTransport
{
    private readonly BlockingCollection<byte[]> _inbox;
    private readonly BlockingCollection<byte[]> _outbox;
    private readonly int _mtu;

    private DatagramPipe(BlockingCollection<byte[]> inbox, BlockingCollection<byte[]> outbox, int mtu)
    {
        _inbox = inbox;
        _outbox = outbox;
        _mtu = mtu;
    }

    /// <summary>Creates two connected ends.</summary>
    public static (DatagramPipe A, DatagramPipe B) CreatePair(int mtu = 1200)
    {
        var ab = new BlockingCollection<byte[]>();
        var ba = new BlockingCollection<byte[]>();
        return (new DatagramPipe(ba, ab, mtu), new DatagramPipe(ab, ba, mtu));
    }

    /// <summary>Gets datagrams sent from this end (for a sans-IO peer to read instead of a BouncyCastle peer).</summary>
    public BlockingCollection<byte[]> Outbox => _outbox;

    /// <summary>Gets datagrams to be received at this end (a sans-IO peer adds to it).</summary>
    public BlockingCollection<byte[]> Inbox => _inbox;

    /// <summary>Gets or sets an optional hook that sees every datagram sent from this end.</summary>
    public Action<byte[]>? OnSend { get; set; }

    public int GetReceiveLimit() => _mtu;

    public int GetSendLimit() => _mtu;

    public int Receive(byte[] buf, int off, int len, int waitMillis) => Receive(buf.AsSpan(off, len), waitMillis);

    public int Receive(Span<byte> buffer, int waitMillis)
    {
        try
        {
            if (!_inbox.TryTake(out byte[]? d, waitMillis))
            {
                return -1;
            }

            int n = Math.Min(d.Length, buffer.Length);
            d.AsSpan(0, n).CopyTo(buffer);
            return n;
        }
        catch (InvalidOperationException)
        {
            throw new TlsFatalAlert(AlertDescription.internal_error);
        }
    }

    public void Send(byte[] buf, int off, int len) => Send(buf.AsSpan(off, len));

    public void Send(ReadOnlySpan<byte> buffer)
    {
        byte[] copy = buffer.ToArray();
        OnSend?.Invoke(copy);
        if (!_outbox.IsAddingCompleted)
        {
            _outbox.Add(copy);
        }
    }

    public void Close()
    {
    }
}
