namespace RtcStack.Opus;

/// <summary>A hint about the signal being encoded (<c>OPUS_SIGNAL_*</c>).</summary>
public enum OpusSignal
{
    /// <summary>Let the encoder decide (<c>OPUS_AUTO</c>).</summary>
    Auto = -1000,

    /// <summary>The signal is mostly voice.</summary>
    Voice = 3001,

    /// <summary>The signal is mostly music.</summary>
    Music = 3002,
}
