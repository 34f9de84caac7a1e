namespace RtcStack.Opus;

/// <summary>Which Opus (RFC 6716) codec implementation an encoder or decoder runs on.</summary>
public enum OpusImplementation
{
    /// <summary>The native reference library, libopus, through <see cref="OpusEncoder"/> and <see cref="OpusDecoder"/>: the fast path where it is installed.</summary>
    LibOpus,

    /// <summary>Concentus, a managed C# port of libopus, through <see cref="ConcentusOpusEncoder"/> and <see cref="ConcentusOpusDecoder"/>: no native code, runs everywhere .NET runs.</summary>
    Concentus,
}
