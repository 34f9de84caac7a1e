using RtcStack.WebRtc;

namespace RtcStack.NetSim.Tests.Sessions;

/// <summary>The application side of a <see cref="WebRtcSessionEndpoint"/>: what a driver's loop does besides I/O.</summary>
internal interface ISessionApplication
{
    /// <summary>Runs after every input the session got (datagram or timeout) at <paramref name="now"/>.</summary>
    void Run(WebRtcSession session, TimeSpan now);

    /// <summary>Takes an event the session raised (before <see cref="Run"/> of the same input).</summary>
    void OnEvent(SessionEvent sessionEvent, TimeSpan now)
    {
    }

    /// <summary>Next instant the application wants to run; <see cref="TimeSpan.MaxValue"/> for none.</summary>
    TimeSpan PollTimeout();
}

/// <summary>
/// A pacer between the session and the link (what libwebrtc's paced sender is to its RTP senders): the endpoint hands it
/// every RTP datagram the session wrote, and it releases them to the link at its own rate.
/// </summary>
internal interface IRtpPacer
{
    /// <summary>Queues an SRTP datagram the session wrote at <paramref name="now"/>.</summary>
    void Enqueue(OutgoingDatagram datagram, TimeSpan now);

    /// <summary>
    /// Releases what may go now into <paramref name="transmit"/>; padding it asks the session for, and takes the datagram
    /// back with <paramref name="pollSession"/>.
    /// </summary>
    void Release(WebRtcSession session, TimeSpan now, Action<OutgoingDatagram> transmit, Func<OutgoingDatagram?> pollSession);

    /// <summary>Next instant the pacer may release something; <see cref="TimeSpan.MaxValue"/> for none.</summary>
    TimeSpan PollTimeout();
}

/// <summary>A datagram the session wrote, with the simulated address it goes to.</summary>
internal readonly record struct OutgoingDatagram(byte[] Data, SimAddress Destination);
