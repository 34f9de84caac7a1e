using Xunit;

namespace RtcStack.Dtls.Tests;

/// <summary>
/// Tests that compare the managed heap before and after an attack run alone: the heap is the whole test
/// process's, so another test class running beside them (xUnit runs classes in parallel) would be counted too
/// (seen: 345 KiB of someone else's allocations in a full run, 2 KiB alone).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HeapMeasurementCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Heap measurements (run alone)";
}
