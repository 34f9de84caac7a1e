using RtcStack.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace RtcStack.Sctp.Tests;

/// <summary>Steady-path allocation of two associations wired back to back in virtual time (no loss).</summary>
public class AllocationTests
{
    private readonly ITestOutputHelper _output;

    public AllocationTests(ITestOutputHelper output)
    {
        _output = output;
    }

    private sealed class Wire
    {
        private readonly byte[] _message;
        private readonly byte[] _inbox = new byte[256 * 1024];
        private TimeSpan _now = TimeSpan.FromSeconds(10);

        public Wire(bool interleaving, int messageSize)
        {
            A = new SctpAssociation(new SctpAssociationOptions { Random = new Random(1), EnableMessageInterleaving = interleaving });
            B = new SctpAssociation(new SctpAssociationOptions { Random = new Random(2), EnableMessageInterleaving = interleaving });
            _message = new byte[messageSize];
            A.Connect(_now);
            B.Connect(_now);
            for (int i = 0; i < 100 && (A.State != SctpAssociationState.Established || B.State != SctpAssociationState.Established); i++)
            {
                Pump();
            }

            Assert.Equal(SctpAssociationState.Established, A.State);
            Assert.Equal(SctpAssociationState.Established, B.State);
            while (A.TryPollEvent(out _) || B.TryPollEvent(out _))
            {
            }
        }

        public SctpAssociation A { get; }

        public SctpAssociation B { get; }

        public long Packets { get; private set; }

        public Dictionary<long, int> Hist = new();
        public long SendBytes;
        public long HandleBytes;
        public long ReadBytes;

        public long Received { get; private set; }

        public void Step(int i)
        {
            _now += TimeSpan.FromMilliseconds(1);
            long x = GC.GetAllocatedBytesForCurrentThread();
            A.Send(1, 53, _message, _now);
            B.Send(2, 53, _message, _now);
            SendBytes += GC.GetAllocatedBytesForCurrentThread() - x;
            Pump();
        }

        private bool RunTimers(SctpAssociation s)
        {
            if (s.PollTimeout() is TimeSpan t && t <= _now)
            {
                s.HandleTimeout(_now);
                return true;
            }

            return false;
        }

        private void Pump()
        {
            for (int round = 0; round < 10; round++)
            {
                bool any = false;
                while (A.TryPollTransmit(out ReadOnlyMemory<byte> p))
                {
                    any = true;
                    Packets++;
                    long x = GC.GetAllocatedBytesForCurrentThread();
                    B.HandleDatagram(p.Span, _now);
                    long dx = GC.GetAllocatedBytesForCurrentThread() - x;
                    HandleBytes += dx;
                    if (dx != 0)
                    {
                        Hist[dx] = Hist.GetValueOrDefault(dx) + 1;
                    }
                }

                while (B.TryPollTransmit(out ReadOnlyMemory<byte> p))
                {
                    any = true;
                    Packets++;
                    A.HandleDatagram(p.Span, _now);
                }

                any |= RunTimers(A);
                any |= RunTimers(B);

                long y = GC.GetAllocatedBytesForCurrentThread();
                while (A.TryReadMessage(_inbox, out _))
                {
                    Received++;
                }

                while (B.TryReadMessage(_inbox, out _))
                {
                    Received++;
                }

                ReadBytes += GC.GetAllocatedBytesForCurrentThread() - y;
                if (!any)
                {
                    break;
                }
            }
        }
    }

    [Theory]
    [InlineData(false, 100)]
    [InlineData(true, 100)]
    [InlineData(false, 64 * 1024)]
    [InlineData(true, 64 * 1024)]
    public void Measure(bool interleaving, int size)
    {
        var wire = new Wire(interleaving, size);
        for (int i = 0; i < 200; i++)
        {
            wire.Step(i);
        }

        long p0 = wire.Packets;
        wire.SendBytes = wire.HandleBytes = wire.ReadBytes = 0;
        wire.Hist.Clear();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 500; i++)
        {
            wire.Step(i);
        }

        long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        _output.WriteLine(string.Join(", ", wire.Hist.Select(kv => $"{kv.Key}x{kv.Value}")));
        _output.WriteLine($"send {wire.SendBytes} handle(B) {wire.HandleBytes} read {wire.ReadBytes}");
        long packets = wire.Packets - p0;
        _output.WriteLine($"interleaving {interleaving} size {size}: {bytes} B, {packets} packets, {(double)bytes / packets:F0} B/packet, received {wire.Received}");
    }
}
