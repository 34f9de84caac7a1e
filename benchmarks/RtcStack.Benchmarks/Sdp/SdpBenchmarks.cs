using System.Text;
using BenchmarkDotNet.Attributes;
using RtcStack.Sdp;
using RtcStack.Sdp.Jsep;
using RtcStack.WebRtc.Jsep;
using RtcStack.TestSupport;

namespace RtcStack.Benchmarks.Sdp;

/// <summary>
/// SDP parse and write on real browser offers. There is no other .NET SDP library served here to
/// compare against (SIPSorcery is not available), so the baseline is a floor, not a competitor:
/// splitting the same text into lines and at '=' with string.Split, with no validation and no model.
/// Ratios against it say how much the validating, line-faithful parser costs over bare tokenizing.
/// </summary>
[MemoryDiagnoser]
public class SdpBenchmarks
{
    private string _text = "";
    private byte[] _utf8 = [];
    private byte[] _output = [];
    private SessionDescription _parsed = null!;
    private JsepOptions _options = null!;

    [Params("chromium-156-offer.sdp", "chromium-156-offer-audio-video-data.sdp")]
    public string Fixture { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _text = File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "RtcStack.Sdp.Tests", "Fixtures", Fixture));
        _utf8 = Encoding.UTF8.GetBytes(_text);
        _parsed = SessionDescription.Parse(_text);
        _output = new byte[_parsed.GetUtf8ByteCount()];
        _options = new JsepOptions
        {
            IceUfrag = "bench",
            IcePwd = "benchbenchbenchbenchbe",
            Fingerprints = [SdpFingerprint.FromHash("sha-256", new byte[32])],
            CName = "bench",
        };
    }

    [Benchmark(Baseline = true, Description = "Baseline: string.Split into lines and at '=' (no validation, no model)")]
    public int SplitLinesBaseline()
    {
        int n = 0;
        foreach (string line in _text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries))
        {
            n += line.Split('=', 2)[1].Length;
        }

        return n;
    }

    [Benchmark(Description = "SdpReader: scan and check every line (no model)")]
    public int ReaderScan()
    {
        var reader = new SdpReader(_text);
        int n = 0;
        while (reader.Read() == SdpReadStatus.Line)
        {
            n += reader.Value.Length;
        }

        return n;
    }

    [Benchmark(Description = "SessionDescription.TryParse(string)")]
    public SessionDescription? ParseText()
    {
        SessionDescription.TryParse(_text, out SessionDescription? sdp, out _);
        return sdp;
    }

    [Benchmark(Description = "SessionDescription.TryParse(UTF-8 bytes)")]
    public SessionDescription? ParseUtf8()
    {
        SessionDescription.TryParse(_utf8, out SessionDescription? sdp, out _);
        return sdp;
    }

    [Benchmark(Description = "SessionDescription.ToString()")]
    public string WriteText() => _parsed.ToString();

    [Benchmark(Description = "SessionDescription.TryFormatUtf8(Span<byte>)")]
    public int WriteUtf8()
    {
        _parsed.TryFormatUtf8(_output, out int written);
        return written;
    }

    [Benchmark(Description = "JsepSession: audio + video transceivers answer the offer (already parsed)")]
    public SessionDescription? Answer()
    {
        var session = new JsepSession(_options);
        session.AddTransceiver(MediaKind.Audio);
        session.AddTransceiver(MediaKind.Video);
        session.TrySetRemoteDescription(SdpType.Offer, _parsed, out _);
        session.TryCreateAnswer(out SessionDescription? answer, out _);
        return answer;
    }
}
