namespace RtcStack.Opus;

/// <summary>The libopus encoder application (<c>OPUS_APPLICATION_*</c>), which tunes the encoder for a use.</summary>
public enum OpusApplication
{
    /// <summary>Speech: favours intelligibility (SILK and Hybrid modes), the usual choice for calls.</summary>
    Voip = 2048,

    /// <summary>Music and mixed content: favours fidelity.</summary>
    Audio = 2049,

    /// <summary>Lowest delay: CELT-only, no speech-optimised modes.</summary>
    RestrictedLowDelay = 2051,
}
