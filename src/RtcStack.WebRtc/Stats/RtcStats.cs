using System.Text.Json;

namespace RtcStack.WebRtc;

/// <summary>
/// One entry of an <see cref="RtcStatsReport"/>, shaped like the W3C <c>RTCStats</c> dictionary
/// (webrtc-stats §5): an id, a type string and a timestamp, plus the members of its type. Member
/// names follow webrtc-stats; members it does not define are marked as RtcStack extras.
/// </summary>
public abstract record RtcStats
{
    /// <summary>Gets the unique id of the object in the report.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the session time of the snapshot.</summary>
    public required TimeSpan Timestamp { get; init; }

    /// <summary>Gets the webrtc-stats type name ("inbound-rtp", "candidate-pair", ...).</summary>
    public abstract string Type { get; }

    /// <summary>Writes the entry as a JSON object the way browsers' <c>getStats()</c> entries look (timestamp in ms).</summary>
    public void WriteJson(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("id", Id);
        writer.WriteString("type", Type);
        writer.WriteNumber("timestamp", Timestamp.TotalMilliseconds);
        WriteMembers(writer);
        writer.WriteEndObject();
    }

    /// <summary>Writes the type's own members.</summary>
    protected abstract void WriteMembers(Utf8JsonWriter writer);

    /// <summary>Writes a number member only when it has a value (browsers omit unknown members).</summary>
    protected static void WriteOptional(Utf8JsonWriter writer, string name, double? value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is double v)
        {
            writer.WriteNumber(name, v);
        }
    }

    /// <summary>Writes a string member only when it has a value.</summary>
    protected static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }
}
