namespace RtcStack.Congestion.External;

/// <summary>An outside controller answered something that is not a valid answer (the run cannot go on).</summary>
public sealed class ExternalControllerException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ExternalControllerException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ExternalControllerException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public ExternalControllerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
