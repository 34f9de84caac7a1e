namespace RtcStack.Sdp;

/// <summary>
/// Limits applied while parsing untrusted session descriptions, so that no input makes the parser
/// allocate or work without bound. The defaults are far above what browsers produce (a Chromium
/// offer with one audio section is about 2 KB; one with 50 simulcast video sections about 150 KB).
/// </summary>
public sealed record SdpParserOptions
{
    /// <summary>The default <see cref="MaxInputLength"/>: 1 MiB.</summary>
    public const int DefaultMaxInputLength = 1024 * 1024;

    /// <summary>The default <see cref="MaxLineLength"/>: 16 KiB.</summary>
    public const int DefaultMaxLineLength = 16 * 1024;

    /// <summary>Gets the shared default options: tolerant parsing (<see cref="SdpParseMode.Tolerant"/>) with the default limits.</summary>
    public static SdpParserOptions Default { get; } = new();

    /// <summary>Gets strict options for conformance checks: every deviation is an error (<see cref="SdpParseMode.Strict"/>).</summary>
    public static SdpParserOptions Strict { get; } = new() { Mode = SdpParseMode.Strict };

    /// <summary>Gets how strictly the input is held to the grammar; <see cref="SdpParseMode.Tolerant"/> by default.</summary>
    public SdpParseMode Mode { get; init; } = SdpParseMode.Tolerant;

    /// <summary>Gets the largest accepted input, in characters (or bytes for UTF-8 input).</summary>
    public int MaxInputLength { get; init; } = DefaultMaxInputLength;

    /// <summary>Gets the longest accepted line, in characters, without its line ending.</summary>
    public int MaxLineLength { get; init; } = DefaultMaxLineLength;

    /// <summary>Gets the largest accepted number of lines.</summary>
    public int MaxLineCount { get; init; } = 50_000;

    /// <summary>Gets the largest accepted number of m= sections.</summary>
    public int MaxMediaDescriptions { get; init; } = 1024;
}
