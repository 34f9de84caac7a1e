using BenchmarkDotNet.Attributes;
using RtcStack.Ice;
using RtcStack.Stun;

namespace RtcStack.Benchmarks.Stun;

/// <summary>
/// The per-packet ICE work a WebRTC session pays once connected: classify and route one received
/// 1200-byte SRTP datagram (<see cref="IceAgent.HandleDatagram(TransportAddress, TransportAddress, ReadOnlySpan{byte}, TimeSpan, out ReadOnlySpan{byte})"/>)
/// and prepare one for sending over the selected pair (<see cref="IceAgent.TryPrepareSend"/>).
/// There is no in-process reference implementation of an ICE agent to compare with, so these are
/// absolute numbers; the point is 0 B allocated.
/// </summary>
[MemoryDiagnoser]
public class IceDataPathBenchmarks
{
    private static readonly TransportAddress s_a = TransportAddress.Parse("10.0.0.1:1000");
    private static readonly TransportAddress s_b = TransportAddress.Parse("10.0.0.2:2000");
    private IceAgent _agent = null!;
    private readonly byte[] _packet = new byte[1200];
    private readonly byte[] _out = new byte[1500];
    private TimeSpan _now;

    [GlobalSetup]
    public void Setup()
    {
        // Connect two agents by hand-carrying their datagrams, then keep agent A.
        var a = new IceAgent(new IceAgentOptions { Role = IceRole.Controlling, Random = new Random(1) });
        var b = new IceAgent(new IceAgentOptions { Role = IceRole.Controlled, Random = new Random(2) });
        a.AddHostAddress(s_a);
        b.AddHostAddress(s_b);
        a.SetRemoteCredentials(b.LocalCredentials);
        b.SetRemoteCredentials(a.LocalCredentials);
        a.StartGathering(_now);
        b.StartGathering(_now);
        a.AddRemoteCandidate(b.LocalCandidates[0], _now);
        b.AddRemoteCandidate(a.LocalCandidates[0], _now);
        byte[] buf = new byte[2048];
        for (int i = 0; i < 200 && a.GetSelectedPair() is null; i++)
        {
            _now += TimeSpan.FromMilliseconds(10);
            a.HandleTimeout(_now);
            b.HandleTimeout(_now);
            while (a.TryPollTransmit(buf, out IceTransmit t))
            {
                b.HandleDatagram(t.Destination, t.Source, buf.AsSpan(0, t.Length), _now, out _);
            }

            while (b.TryPollTransmit(buf, out IceTransmit t))
            {
                a.HandleDatagram(t.Destination, t.Source, buf.AsSpan(0, t.Length), _now, out _);
            }
        }

        if (a.GetSelectedPair() is null)
        {
            throw new InvalidOperationException("benchmark setup: agents did not connect");
        }

        _agent = a;
        _packet[0] = 0x80;
        _packet[1] = 111;
    }

    [Benchmark]
    public int ReceiveApplicationData()
    {
        _agent.HandleDatagram(s_a, s_b, _packet, _now, out ReadOnlySpan<byte> data);
        return data.Length;
    }

    [Benchmark]
    public int PrepareSend()
    {
        _agent.TryPrepareSend(_packet, _out, _now, out IceTransmit t);
        return t.Length;
    }
}
