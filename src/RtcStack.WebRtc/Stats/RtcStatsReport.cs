using System.Text;
using System.Text.Json;

namespace RtcStack.WebRtc;

/// <summary>A snapshot of a session's statistics, shaped like the W3C <c>RTCStatsReport</c> (webrtc-pc §8.3).</summary>
public sealed class RtcStatsReport
{
    /// <summary>Initializes a report holding <paramref name="stats"/>.</summary>
    public RtcStatsReport(IReadOnlyList<RtcStats> stats)
    {
        Stats = stats ?? throw new ArgumentNullException(nameof(stats));
    }

    /// <summary>Gets every entry.</summary>
    public IReadOnlyList<RtcStats> Stats { get; }

    /// <summary>Gets the first entry of type <typeparamref name="T"/>, or null.</summary>
    public T? Get<T>()
        where T : RtcStats
    {
        foreach (RtcStats s in Stats)
        {
            if (s is T t)
            {
                return t;
            }
        }

        return null;
    }

    /// <summary>Gets every entry of type <typeparamref name="T"/>.</summary>
    public IReadOnlyList<T> All<T>()
        where T : RtcStats
    {
        var list = new List<T>();
        foreach (RtcStats s in Stats)
        {
            if (s is T t)
            {
                list.Add(t);
            }
        }

        return list;
    }

    /// <summary>Writes the report as a JSON object keyed by id, like <c>Object.fromEntries(await pc.getStats())</c>.</summary>
    public void WriteJson(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        foreach (RtcStats s in Stats)
        {
            writer.WritePropertyName(s.Id);
            s.WriteJson(writer);
        }

        writer.WriteEndObject();
    }

    /// <summary>Returns the report as JSON text.</summary>
    public string ToJson(bool indented = false)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented }))
        {
            WriteJson(writer);
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }
}
