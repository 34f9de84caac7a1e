namespace RtcStack.Fuzz;

/// <summary>
/// A target whose seeds are recorded from our own code rather than captured (e.g. a server flight
/// that only decrypts for a client with fixed randomness): <c>RtcStack.Fuzz TARGET --make-seeds DIR</c>
/// writes them.
/// </summary>
public interface ISeedSource
{
    /// <summary>Records the seeds: file name and input bytes.</summary>
    IEnumerable<(string Name, byte[] Data)> MakeSeeds();
}
