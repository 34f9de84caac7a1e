namespace RtcStack.Dtls;

/// <summary>Aborts handshake processing with an alert; caught inside <see cref="DtlsEndpoint"/>, never escapes it.</summary>
internal sealed class HandshakeFailureException : Exception
{
    public HandshakeFailureException(DtlsError error, AlertDescription? alert, string message)
        : base(message)
    {
        Error = error;
        Alert = alert;
    }

    public HandshakeFailureException()
    {
    }

    public HandshakeFailureException(string message)
        : base(message)
    {
    }

    public HandshakeFailureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DtlsError Error { get; }

    public AlertDescription? Alert { get; }
}
