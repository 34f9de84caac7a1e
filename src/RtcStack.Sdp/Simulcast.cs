using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace RtcStack.Sdp;

/// <summary>
/// "a=simulcast:send &lt;streams&gt; [recv &lt;streams&gt;]" (RFC 8853 §5.1), where streams is a
/// ';'-separated list of simulcast streams, each a ','-separated list of alternative rids.
/// Example: "send h;m;~l" sends three streams, the last paused.
/// </summary>
public sealed record Simulcast
{
    /// <summary>Initializes a new instance of the <see cref="Simulcast"/> class.</summary>
    /// <param name="send">The streams sent (each a list of alternatives), empty when none.</param>
    /// <param name="receive">The streams received, empty when none.</param>
    /// <param name="receiveFirst">Whether "recv" is written before "send".</param>
    public Simulcast(IEnumerable<IReadOnlyList<SimulcastStream>> send, IEnumerable<IReadOnlyList<SimulcastStream>> receive, bool receiveFirst = false)
    {
        ArgumentNullException.ThrowIfNull(send);
        ArgumentNullException.ThrowIfNull(receive);
        Send = Freeze(send).AsReadOnly();
        Receive = Freeze(receive).AsReadOnly();
        if (Send.Count == 0 && Receive.Count == 0)
        {
            throw new ArgumentException("a simulcast attribute needs send or recv streams (RFC 8853 §5.1)");
        }

        ReceiveFirst = receiveFirst;
    }

    /// <summary>Gets the streams sent by the writer; each entry lists alternative rids.</summary>
    public IReadOnlyList<IReadOnlyList<SimulcastStream>> Send { get; }

    /// <summary>Gets the streams received by the writer; each entry lists alternative rids.</summary>
    public IReadOnlyList<IReadOnlyList<SimulcastStream>> Receive { get; }

    /// <summary>Gets a value indicating whether "recv" comes first in the text.</summary>
    public bool ReceiveFirst { get; }

    /// <summary>Parses a simulcast attribute value.</summary>
    /// <param name="value">The text after "a=simulcast:".</param>
    /// <param name="simulcast">The simulcast description.</param>
    /// <returns>Whether the value matched RFC 8853 §5.1.</returns>
    public static bool TryParse(ReadOnlySpan<char> value, [NotNullWhen(true)] out Simulcast? simulcast)
    {
        simulcast = null;
        ReadOnlySpan<char> rest = value;
        List<IReadOnlyList<SimulcastStream>>? send = null;
        List<IReadOnlyList<SimulcastStream>>? receive = null;
        bool receiveFirst = false;
        for (int part = 0; part < 2 && !rest.IsEmpty; part++)
        {
            if (!SdpGrammar.TryNextField(ref rest, out ReadOnlySpan<char> dir)
                || !SdpGrammar.TryNextField(ref rest, out ReadOnlySpan<char> list)
                || !TryParseList(list, out List<IReadOnlyList<SimulcastStream>>? streams))
            {
                return false;
            }

            if (dir.SequenceEqual("send") && send is null)
            {
                send = streams;
            }
            else if (dir.SequenceEqual("recv") && receive is null)
            {
                receive = streams;
                receiveFirst = part == 0;
            }
            else
            {
                return false;
            }
        }

        if (!rest.IsEmpty || (send is null && receive is null))
        {
            return false;
        }

        simulcast = new Simulcast(send ?? [], receive ?? [], receiveFirst);
        return true;
    }

    /// <inheritdoc/>
    public bool Equals(Simulcast? other) => other is not null && ToString() == other.ToString();

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToString());

    /// <summary>Returns the "a=simulcast:" line.</summary>
    /// <returns>The line.</returns>
    public SdpLine ToLine() => SdpLine.Attribute(SdpAttributeNames.Simulcast, ToString());

    /// <summary>Returns the attribute value.</summary>
    /// <returns>The text after "a=simulcast:".</returns>
    public override string ToString()
    {
        var sb = new StringBuilder();
        if (ReceiveFirst)
        {
            AppendPart(sb, "recv", Receive);
            AppendPart(sb, "send", Send);
        }
        else
        {
            AppendPart(sb, "send", Send);
            AppendPart(sb, "recv", Receive);
        }

        return sb.ToString();
    }

    private static void AppendPart(StringBuilder sb, string direction, IReadOnlyList<IReadOnlyList<SimulcastStream>> streams)
    {
        if (streams.Count == 0)
        {
            return;
        }

        if (sb.Length > 0)
        {
            sb.Append(' ');
        }

        sb.Append(direction).Append(' ');
        for (int i = 0; i < streams.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(';');
            }

            for (int j = 0; j < streams[i].Count; j++)
            {
                if (j > 0)
                {
                    sb.Append(',');
                }

                sb.Append(streams[i][j].ToString());
            }
        }
    }

    private static bool TryParseList(ReadOnlySpan<char> text, [NotNullWhen(true)] out List<IReadOnlyList<SimulcastStream>>? streams)
    {
        streams = new List<IReadOnlyList<SimulcastStream>>();
        foreach (Range s in text.Split(';'))
        {
            ReadOnlySpan<char> alternatives = text[s];
            var list = new List<SimulcastStream>();
            foreach (Range a in alternatives.Split(','))
            {
                ReadOnlySpan<char> id = alternatives[a];
                bool paused = id.StartsWith('~');
                if (paused)
                {
                    id = id[1..];
                }

                if (!Rid.IsRidId(id))
                {
                    streams = null;
                    return false;
                }

                list.Add(new SimulcastStream(id.ToString(), paused));
            }

            streams.Add(list.AsReadOnly());
        }

        return true;
    }

    private static List<IReadOnlyList<SimulcastStream>> Freeze(IEnumerable<IReadOnlyList<SimulcastStream>> streams)
    {
        var list = new List<IReadOnlyList<SimulcastStream>>();
        foreach (IReadOnlyList<SimulcastStream> alternatives in streams)
        {
            ArgumentNullException.ThrowIfNull(alternatives);
            if (alternatives.Count == 0)
            {
                throw new ArgumentException("a simulcast stream needs at least one rid");
            }

            foreach (SimulcastStream s in alternatives)
            {
                if (!Rid.IsRidId(s.Rid))
                {
                    throw new ArgumentException($"'{s.Rid}' is not a rid-id (RFC 8851 §10)");
                }
            }

            list.Add(new List<SimulcastStream>(alternatives).AsReadOnly());
        }

        return list;
    }
}
