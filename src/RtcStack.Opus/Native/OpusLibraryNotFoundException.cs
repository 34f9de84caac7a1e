namespace RtcStack.Opus;

/// <summary>The libopus shared library could not be loaded. The message names every file tried and how to point RtcStack at another build.</summary>
public sealed class OpusLibraryNotFoundException : DllNotFoundException
{
    /// <summary>Initializes a new instance of the <see cref="OpusLibraryNotFoundException"/> class.</summary>
    public OpusLibraryNotFoundException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="OpusLibraryNotFoundException"/> class.</summary>
    public OpusLibraryNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="OpusLibraryNotFoundException"/> class.</summary>
    public OpusLibraryNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
