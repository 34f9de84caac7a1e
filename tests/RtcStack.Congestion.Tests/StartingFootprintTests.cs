using RtcStack.Congestion;
using RtcStack.Congestion.Feedback;
using RtcStack.Congestion.Gcc;
using Xunit;
using Xunit.Abstractions;

namespace RtcStack.Congestion.Tests;

/// <summary>
/// A host runs thousands of sessions, most of them audio (50 packets a second, a TWCC report of 3-10 packets every
/// 50-100 ms), so the per-session congestion-control objects start small and grow only when the traffic needs it
/// (the growth itself is checked by the long-interval, large-feedback and history tests). Here: what each allocates
/// when it is created, counted on this thread so that other tests do not interfere. Before 2026-12-07 their buffers
/// started at 256-512 entries and GccController allocated 12,312 bytes; after, 5,784 (FeedbackGenerator 1,208,
/// TwccFeedbackAdapter 816, CcfbFeedbackAdapter 920, CcfbFeedbackBuilder 328). The limits leave a little room.
/// </summary>
public sealed class StartingFootprintTests(ITestOutputHelper output)
{
    public static TheoryData<string, int> Creations => new()
    {
        { nameof(FeedbackGenerator), 1536 },
        { nameof(TwccFeedbackAdapter), 1024 },
        { nameof(CcfbFeedbackAdapter), 1024 },
        { nameof(CcfbFeedbackBuilder), 512 },
        { nameof(GccController), 6144 },
    };

    [Theory]
    [MemberData(nameof(Creations))]
    public void StartsSmall(string type, int limit)
    {
        Create(type); // load and initialise statics first
        long before = GC.GetAllocatedBytesForCurrentThread();
        object created = Create(type);
        long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        GC.KeepAlive(created);
        output.WriteLine($"{type}: {bytes} bytes");
        Assert.True(bytes <= limit, $"{type} allocated {bytes} bytes when created (limit {limit})");
    }

    private static object Create(string type) => type switch
    {
        nameof(FeedbackGenerator) => new FeedbackGenerator(FeedbackFormat.Twcc),
        nameof(TwccFeedbackAdapter) => new TwccFeedbackAdapter(),
        nameof(CcfbFeedbackAdapter) => new CcfbFeedbackAdapter(),
        nameof(CcfbFeedbackBuilder) => new CcfbFeedbackBuilder(1, TimeSpan.FromMilliseconds(100)),
        nameof(GccController) => new GccController(),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };
}
