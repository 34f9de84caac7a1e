using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using RtcStack.Ice;
using RtcStack.Stun;
using RtcStack.WebRtc.Io;

namespace RtcStack.Interop.Tests.Ice;

/// <summary>An ICE agent on real UDP sockets (127.0.0.1) through <see cref="UdpDriver"/>, with a signalling outbox.</summary>
internal sealed class UdpIcePeer : IDisposable
{
    private readonly ConcurrentQueue<byte[]> _received = new();
    private readonly ConcurrentQueue<IceEvent> _events = new();

    public UdpIcePeer(IceAgentOptions options, int sockets = 1)
    {
        Agent = new IceAgent(options);
        Endpoint = new IceAgentEndpoint(Agent);
        Driver = new UdpDriver(Endpoint);
        for (int i = 0; i < sockets; i++)
        {
            Agent.AddHostAddress(Driver.Bind(new IPEndPoint(IPAddress.Loopback, 0)));
        }

        Endpoint.ApplicationData = (data, _) => _received.Enqueue(data.ToArray());
        Endpoint.Events = e =>
        {
            _events.Enqueue(e);
            Outbox.Enqueue(e);
        };
    }

    public IceAgent Agent { get; }

    public IceAgentEndpoint Endpoint { get; }

    public UdpDriver Driver { get; }

    /// <summary>Gets the events still to be signalled to the peer (candidates, end-of-candidates).</summary>
    public ConcurrentQueue<IceEvent> Outbox { get; } = new();

    public IReadOnlyCollection<byte[]> Received => _received;

    public IReadOnlyCollection<IceEvent> AllEvents => _events;

    public IceConnectionState State
    {
        get
        {
            IceConnectionState s = default;
            Driver.Invoke((_, _) => s = Agent.ConnectionState);
            return s;
        }
    }

    public bool Send(byte[] payload)
    {
        bool ok = false;
        Driver.Invoke((_, now) => ok = Endpoint.Send(payload, now));
        return ok;
    }

    public void Dispose()
    {
        Driver.Invoke((_, now) => Agent.Close(now));
        Thread.Sleep(50); // let the TURN deallocation leave
        Driver.Dispose();
    }

    /// <summary>Starts both, exchanges credentials, and relays signalling until <paramref name="until"/> or the timeout.</summary>
    public static bool Run(UdpIcePeer a, UdpIcePeer b, Func<bool> until, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            Relay(a, b);
            Relay(b, a);
            if (until())
            {
                return true;
            }

            Thread.Sleep(10);
        }

        return false;
    }

    public static void Start(UdpIcePeer a, UdpIcePeer b)
    {
        IceCredentials ca = a.Agent.LocalCredentials;
        IceCredentials cb = b.Agent.LocalCredentials;
        a.Driver.Start();
        b.Driver.Start();
        a.Driver.Invoke((_, now) => { a.Agent.SetRemoteCredentials(cb); a.Agent.StartGathering(now); });
        b.Driver.Invoke((_, now) => { b.Agent.SetRemoteCredentials(ca); b.Agent.StartGathering(now); });
    }

    private static void Relay(UdpIcePeer from, UdpIcePeer to)
    {
        while (from.Outbox.TryDequeue(out IceEvent? e))
        {
            switch (e)
            {
                case IceCandidateGatheredEvent g:
                    // Through text, as SDP would carry it.
                    string line = g.Candidate.ToString();
                    to.Driver.Invoke((_, now) => to.Agent.AddRemoteCandidate(line, now));
                    break;
                case IceGatheringStateChangedEvent { State: IceGatheringState.Complete }:
                    to.Driver.Invoke((_, now) => to.Agent.AddRemoteEndOfCandidates(now));
                    break;
            }
        }
    }
}
