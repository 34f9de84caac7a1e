using Xunit;

namespace RtcStack.Interop.Tests.WebRtc;

/// <summary>
/// Tests that measure timing-sensitive browser behaviour run alone, never beside another test class. xUnit runs
/// test classes in parallel; with a second headless browser and its call sharing the 2 CI cores, our receive
/// thread is most likely scheduled late, the TWCC arrival times we report then carry that CPU delay, and Chromium's delay-based
/// estimator rightly reacts to it (seen twice in full CI runs: one 250 ms estimate sample fell to ~110 kbit/s
/// at the end of the call; the test passes 3 of 3 when run alone). Connect-time medians are skewed the same way.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class QuietMachineCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Quiet machine (timing-sensitive browser measurements)";
}
