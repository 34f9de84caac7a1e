using RtcStack.WebRtc;

namespace RtcStack.NetSim.Tests.Sessions;

/// <summary>The application side of a <see cref="PeerSessionEndpoint"/>: what a driver's loop does besides I/O.</summary>
internal interface ISessionApplication
{
    /// <summary>Runs after every input the session got (datagram or timeout) at <paramref name="now"/>.</summary>
    void Run(PeerSession session, TimeSpan now);

    /// <summary>Next instant the application wants to run; <see cref="TimeSpan.MaxValue"/> for none.</summary>
    TimeSpan PollTimeout();
}
