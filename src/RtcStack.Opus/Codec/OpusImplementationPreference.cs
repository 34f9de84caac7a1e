namespace RtcStack.Opus;

/// <summary>How <see cref="OpusCodecProvider"/> chooses its <see cref="OpusImplementation"/>.</summary>
public enum OpusImplementationPreference
{
    /// <summary>libopus when it loads, Concentus otherwise (the default).</summary>
    Auto,

    /// <summary>libopus only; creating the provider throws <see cref="OpusLibraryNotFoundException"/> when it cannot be loaded.</summary>
    LibOpus,

    /// <summary>Concentus only, even where libopus is installed.</summary>
    Concentus,
}
