using System.Buffers;
using System.Text;
using System.Text.Json;

namespace RtcStack.Congestion.External;

/// <summary>
/// The outside-controller line protocol, version 1: one JSON object per line each way. The host sends <c>init</c>
/// once, then <c>feedback</c> for every feedback report (RFC 8888 §3.1 / TWCC per-packet entries matched with what
/// was sent) and <c>tick</c> at the tick interval, each in virtual time, and waits for one answer line to each; at the
/// end it sends <c>end</c> and expects no answer. Times are seconds of virtual time, sizes bytes, rates bits per
/// second. docs/cc-research.md gives every field.
/// </summary>
public static class ExternalControllerProtocol
{
    /// <summary>Protocol version sent in <c>init</c>.</summary>
    public const int Version = 1;

    /// <summary>Highest rate an answer may give, bps (100 Gbps).</summary>
    public const double MaxBps = 100e9;

    /// <summary>Longest answer line read, characters.</summary>
    public const int MaxAnswerLength = 64 * 1024;

    /// <summary>The <c>init</c> line.</summary>
    public static string Init(string name, CongestionControllerSettings settings) => Write(w =>
    {
        w.WriteString("type", "init");
        w.WriteNumber("version", Version);
        w.WriteString("name", name);
        w.WriteNumber("minBps", settings.MinBitrateBps);
        w.WriteNumber("maxBps", settings.MaxBitrateBps);
        w.WriteNumber("startBps", settings.StartBitrateBps);
        w.WriteStartObject("params");
        foreach (string key in settings.Parameters.Keys.Order(StringComparer.Ordinal))
        {
            w.WriteNumber(key, settings.Parameters[key]);
        }
        w.WriteEndObject();
    });

    /// <summary>The <c>tick</c> line.</summary>
    public static string Tick(TimeSpan now, long queuedBytes, TimeSpan? rtt) => Write(w =>
    {
        w.WriteString("type", "tick");
        w.WriteNumber("now", Seconds(now));
        w.WriteNumber("queuedBytes", queuedBytes);
        WriteRtt(w, rtt);
    });

    /// <summary>
    /// The <c>feedback</c> line: one entry per reported packet still in <paramref name="history"/>, with its send time
    /// and size and either its arrival time (receiver clock) or null when the report says it was lost.
    /// </summary>
    public static string Feedback(TimeSpan now, ReadOnlySpan<PacketFeedback> feedback, SentPacketHistory history, long queuedBytes, TimeSpan? rtt)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + (feedback.Length * 80));
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("type", "feedback");
            w.WriteNumber("now", Seconds(now));
            w.WriteNumber("queuedBytes", queuedBytes);
            WriteRtt(w, rtt);
            w.WriteStartArray("packets");
            foreach (PacketFeedback f in feedback)
            {
                if (!history.TryGet(f.TransportSequenceNumber, out SentPacket sent))
                {
                    continue;
                }
                w.WriteStartObject();
                w.WriteNumber("seq", f.TransportSequenceNumber);
                w.WriteNumber("sent", Seconds(sent.SendTime));
                w.WriteNumber("size", sent.Size);
                if (f.Received)
                {
                    w.WriteNumber("arrival", Seconds(f.ArrivalTime));
                }
                else
                {
                    w.WriteNull("arrival");
                }
                w.WriteBoolean("ce", f.EcnCe);
                if (sent.IsPadding)
                {
                    w.WriteBoolean("padding", true);
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The <c>end</c> line.</summary>
    public static string End() => Write(w => w.WriteString("type", "end"));

    /// <summary>
    /// Parses an answer line (untrusted: never throws). It must be one JSON object with a finite <c>targetBps</c> in
    /// [0, <see cref="MaxBps"/>]; <c>pacingBps</c>, <c>paddingBps</c> (same range) and <c>tickMs</c> (1–10,000) are
    /// optional; other members are ignored.
    /// </summary>
    public static bool TryParseAnswer(string? line, out ExternalControllerAnswer answer, out string? error)
    {
        answer = default;
        if (line is null)
        {
            error = "no answer (the controller closed its output)";
            return false;
        }
        if (line.Length > MaxAnswerLength)
        {
            error = $"answer longer than {MaxAnswerLength} characters";
            return false;
        }
        try
        {
            using var doc = JsonDocument.Parse(line);
            JsonElement root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "the answer is not a JSON object";
                return false;
            }
            if (!TryRate(root, "targetBps", required: true, out double? target, out error)
                || !TryRate(root, "pacingBps", required: false, out double? pacing, out error)
                || !TryRate(root, "paddingBps", required: false, out double? padding, out error))
            {
                return false;
            }
            double? tick = null;
            if (root.TryGetProperty("tickMs", out JsonElement t))
            {
                if (t.ValueKind != JsonValueKind.Number || !t.TryGetDouble(out double ms) || !double.IsFinite(ms) || ms < 1 || ms > 10_000)
                {
                    error = "tickMs must be a number in [1, 10000]";
                    return false;
                }
                tick = ms;
            }
            answer = new ExternalControllerAnswer(target!.Value, pacing, padding, tick);
            error = null;
            return true;
        }
        catch (JsonException e)
        {
            error = "not JSON: " + e.Message;
            return false;
        }
    }

    private static bool TryRate(JsonElement root, string name, bool required, out double? value, out string? error)
    {
        value = null;
        error = null;
        if (!root.TryGetProperty(name, out JsonElement e) || e.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                error = $"{name} is missing";
                return false;
            }
            return true;
        }
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetDouble(out double v) || !double.IsFinite(v) || v < 0 || v > MaxBps)
        {
            error = $"{name} must be a number in [0, {MaxBps:R}]";
            return false;
        }
        value = v;
        return true;
    }

    private static void WriteRtt(Utf8JsonWriter w, TimeSpan? rtt)
    {
        if (rtt is { } r)
        {
            w.WriteNumber("rtt", Seconds(r));
        }
    }

    private static double Seconds(TimeSpan t) => t.Ticks / (double)TimeSpan.TicksPerSecond;

    private static string Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
