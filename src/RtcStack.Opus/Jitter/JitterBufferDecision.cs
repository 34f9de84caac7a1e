namespace RtcStack.Opus.Jitter;

/// <summary>What the jitter buffer did to produce audio (the last operation of a <see cref="AdaptiveJitterBuffer.GetAudio"/> call).</summary>
public enum JitterBufferDecision
{
    /// <summary>Playout has not started (no packet yet, or waiting for the initial delay): silence, not counted as concealment.</summary>
    Silence,

    /// <summary>A packet was decoded as it is, or the frame came from audio decoded earlier.</summary>
    Normal,

    /// <summary>A packet was decoded and shortened by one pitch period to lower the delay (time-compression).</summary>
    Accelerate,

    /// <summary>A packet was decoded and lengthened by one pitch period to raise the delay (time-expansion).</summary>
    Decelerate,

    /// <summary>The expected packet was missing: packet loss concealment from the decoder.</summary>
    Expand,

    /// <summary>The expected packet was missing and was rebuilt from the in-band FEC of the packet after it (RFC 6716 §4.2.4).</summary>
    Fec,

    /// <summary>A DTX gap (RFC 7587 §3.4): comfort noise from the decoder.</summary>
    ComfortNoise,
}
