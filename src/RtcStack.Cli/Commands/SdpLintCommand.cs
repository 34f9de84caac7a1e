using System.CommandLine;
using System.Text;
using System.Text.Json;
using RtcStack.Sdp;

namespace RtcStack.Cli.Commands;

/// <summary>
/// <c>rtcstack sdp lint FILE</c>: reads a session description as <c>serve</c> does (tolerant) and prints every
/// deviation it repaired or accepted, with the line, the text and the rule it breaks; then says whether strict
/// conformance parsing would accept it.
/// </summary>
internal static class SdpLintCommand
{
    /// <summary>Exit code: the description is clean (no warning, strict parsing accepts it).</summary>
    public const int ExitClean = 0;

    /// <summary>Exit code: the description is accepted, with warnings.</summary>
    public const int ExitWarnings = 1;

    /// <summary>Exit code: the file cannot be read or an option is wrong.</summary>
    public const int ExitUsage = 2;

    /// <summary>Exit code: the description is refused even by the tolerant parser.</summary>
    public const int ExitRefused = 3;

    public static Command Create()
    {
        var file = new Argument<string>("FILE")
        {
            Description = "The session description (UTF-8), or - for standard input.",
        };
        var json = new Option<bool>("--json")
        {
            Description = "Print JSON: accepted, strictAccepted, error, and warnings with line, code, rule, message and the line's text.",
        };
        var command = new Command("lint",
            "Check a session description the way `serve` reads it: tolerantly, as browsers do. Prints each deviation that was repaired (whitespace, LF line ends, empty lines, unknown line types, lines out of order, repeated lines and attributes, malformed optional attributes) or accepted (attributes at the wrong level), with its line and the RFC section it breaks, then whether strict (conformance) parsing accepts it. " +
            "Exit codes: 0 clean; 1 accepted with warnings; 2 the file cannot be read; 3 refused (the error names the line and the rule).")
        {
            file, json,
        };
        command.SetAction(parse =>
        {
            TextWriter output = parse.InvocationConfiguration.Output;
            TextWriter error = parse.InvocationConfiguration.Error;
            string path = parse.GetValue(file)!;
            byte[] bytes;
            try
            {
                bytes = path == "-" ? ReadAll(Console.OpenStandardInput()) : File.ReadAllBytes(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                error.WriteLine($"error: cannot read '{path}': {e.Message}");
                return ExitUsage;
            }

            bool accepted = SessionDescription.TryParse(bytes, out SessionDescription? sdp, out SdpParseError parseError);
            bool strictAccepted = SessionDescription.TryParse(bytes, SdpParserOptions.Strict, out _, out SdpParseError strictError);
            string[] lines = SplitLines(bytes);
            IReadOnlyList<SdpParseWarning> warnings = sdp?.ParseWarnings ?? [];
            if (parse.GetValue(json))
            {
                WriteJson(output, path, accepted, parseError, strictAccepted, strictError, warnings, lines);
            }
            else
            {
                WriteText(output, path, accepted, parseError, strictAccepted, strictError, warnings, lines);
            }

            return !accepted ? ExitRefused : warnings.Count > 0 || !strictAccepted ? ExitWarnings : ExitClean;
        });
        return command;
    }

    private static void WriteText(TextWriter output, string path, bool accepted, SdpParseError parseError, bool strictAccepted, SdpParseError strictError, IReadOnlyList<SdpParseWarning> warnings, string[] lines)
    {
        string name = path == "-" ? "(stdin)" : path;
        if (!accepted)
        {
            output.WriteLine($"{name}: refused: {parseError}");
            PrintLine(output, lines, parseError.LineNumber);
            return;
        }

        output.WriteLine(warnings.Count == 0 ? $"{name}: accepted, no warnings" : $"{name}: accepted, {warnings.Count} warning{(warnings.Count == 1 ? "" : "s")}");
        foreach (SdpParseWarning w in warnings)
        {
            output.WriteLine($"line {w.LineNumber}: {w.Message} ({w.Rule}) [{w.Code}]");
            PrintLine(output, lines, w.LineNumber);
        }

        output.WriteLine(strictAccepted ? "strict (conformance) parsing: accepted" : $"strict (conformance) parsing: refused: {strictError}");
    }

    private static void WriteJson(TextWriter output, string path, bool accepted, SdpParseError parseError, bool strictAccepted, SdpParseError strictError, IReadOnlyList<SdpParseWarning> warnings, string[] lines)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("file", path);
            w.WriteBoolean("accepted", accepted);
            if (!accepted)
            {
                WriteError(w, "error", parseError, lines);
            }

            w.WriteBoolean("strictAccepted", strictAccepted);
            if (!strictAccepted)
            {
                WriteError(w, "strictError", strictError, lines);
            }

            w.WriteStartArray("warnings");
            foreach (SdpParseWarning warning in warnings)
            {
                w.WriteStartObject();
                w.WriteNumber("line", warning.LineNumber);
                w.WriteString("code", warning.Code.ToString());
                w.WriteString("rule", warning.Rule);
                w.WriteString("message", warning.Message);
                w.WriteString("text", LineText(lines, warning.LineNumber));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        output.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static void WriteError(Utf8JsonWriter w, string name, SdpParseError error, string[] lines)
    {
        w.WriteStartObject(name);
        w.WriteNumber("line", error.LineNumber);
        w.WriteString("code", error.Code.ToString());
        w.WriteString("message", error.Message);
        w.WriteString("text", LineText(lines, error.LineNumber));
        w.WriteEndObject();
    }

    private static void PrintLine(TextWriter output, string[] lines, int lineNumber)
    {
        string text = LineText(lines, lineNumber);
        if (text.Length > 0)
        {
            // Quoted and escaped so that trailing spaces, tabs and stray CRs are visible.
            output.WriteLine("    " + Quote(text));
        }
    }

    private static string Quote(string text)
    {
        var sb = new StringBuilder(text.Length + 2).Append('"');
        foreach (char c in text)
        {
            sb.Append(c switch
            {
                '\t' => "\\t",
                '\r' => "\\r",
                '"' => "\\\"",
                '\\' => "\\\\",
                < ' ' => $"\\x{(int)c:X2}",
                _ => c.ToString(),
            });
        }

        return sb.Append('"').ToString();
    }

    private static string LineText(string[] lines, int lineNumber) =>
        lineNumber >= 1 && lineNumber <= lines.Length ? Truncate(lines[lineNumber - 1].TrimEnd('\r')) : string.Empty;

    private static string Truncate(string s) => s.Length <= 200 ? s : s[..200] + "...";

    private static string[] SplitLines(byte[] bytes)
    {
        // Invalid UTF-8 shows as U+FFFD; the parser's error names the line.
        string text = Encoding.UTF8.GetString(bytes);
        return text.Split('\n');
    }

    private static byte[] ReadAll(Stream stream)
    {
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }
}
