namespace RtcStack.Congestion.External;

/// <summary>
/// The line transport between an <see cref="ExternalController"/> and the controller it speaks to (a child process's
/// stdin and stdout in the CLI; a function in tests). Sans-IO seen from the controller: it hands over one request line
/// and gets back the answer line, and the caller decides how that happens. Virtual time does not move while
/// <see cref="Exchange"/> runs, which is what keeps a simulation with an outside controller deterministic.
/// </summary>
public interface IExternalControllerChannel
{
    /// <summary>Sends <paramref name="request"/> (one JSON object, no newline) and returns the answer line.</summary>
    string Exchange(string request);

    /// <summary>Sends a last line that expects no answer.</summary>
    void Send(string message);
}
