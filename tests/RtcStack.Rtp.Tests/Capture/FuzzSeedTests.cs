using RtcStack.Rtp.Capture;
using RtcStack.TestSupport;
using Xunit;

namespace RtcStack.Rtp.Tests.Capture;

/// <summary>The seed corpus of the capture-reader fuzz target holds valid captures of every kind it is meant to cover.</summary>
public class FuzzSeedTests
{
    [Fact]
    public void CaptureReaderSeeds_AreCompleteCapturesWithRtp()
    {
        string dir = Path.Combine(RepoPaths.Root, "fuzz", "corpus", "capture-reader");
        var formats = new HashSet<(CaptureFormat, bool)>();
        foreach (string file in Directory.EnumerateFiles(dir))
        {
            using CaptureReader reader = CaptureReader.Open(file);
            var analyzer = new RtpStreamAnalyzer();
            CaptureReadStatus status;
            while ((status = reader.ReadNext(out CaptureRecord record)) == CaptureReadStatus.Record)
            {
                analyzer.Add(record);
            }

            Assert.True(status == CaptureReadStatus.EndOfCapture, $"{file}: {reader.Error}");
            Assert.True(analyzer.Counters.Rtp >= 2, file);
            formats.Add((reader.Format, reader.IsBigEndian));
        }

        Assert.Equal(4, formats.Count); // pcap and pcapng, each in both byte orders
    }
}
