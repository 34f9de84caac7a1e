namespace RtcStack.Sdp;

/// <summary>
/// A forward-only, allocation-free reader of the lines of a session description: each line is
/// "&lt;type&gt;=&lt;value&gt;" (RFC 8866 §5), ended by CRLF or, tolerated as §5 recommends, a lone LF.
/// The last line may lack its line ending, and line endings after the last line are ignored; any
/// other empty line, a NUL, a CR not followed by LF, a missing "=", or an unknown type letter is an
/// error with the 1-based line number. A tolerant reader instead skips empty lines (counted in
/// <see cref="EmptyLinesSkipped"/>) and returns lines with unknown type letters, for the parser to
/// warn about and ignore. The reader checks line syntax only; the order of lines and
/// the grammar of each value are checked by <see cref="SessionDescription.TryParse(ReadOnlySpan{char}, out SessionDescription?, out SdpParseError)"/>.
/// </summary>
public ref struct SdpReader
{
    private readonly int _maxLineLength;
    private readonly bool _tolerant;
    private ReadOnlySpan<char> _remaining;
    private int _lineNumber;
    private char _type;
    private ReadOnlySpan<char> _value;
    private SdpParseError _error;
    private bool _failed;

    /// <summary>Initializes a new instance of the <see cref="SdpReader"/> struct.</summary>
    /// <param name="text">The session description text.</param>
    /// <param name="maxLineLength">The longest line accepted, without its line ending.</param>
    public SdpReader(ReadOnlySpan<char> text, int maxLineLength = SdpParserOptions.DefaultMaxLineLength)
        : this(text, maxLineLength, tolerant: false)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="SdpReader"/> struct.</summary>
    /// <param name="text">The session description text.</param>
    /// <param name="maxLineLength">The longest line accepted, without its line ending.</param>
    /// <param name="tolerant">Whether empty lines are skipped and unknown type letters returned instead of failing.</param>
    public SdpReader(ReadOnlySpan<char> text, int maxLineLength, bool tolerant)
    {
        _remaining = text;
        _maxLineLength = maxLineLength;
        _tolerant = tolerant;
        EmptyLinesSkipped = 0;
        LineEndsWithLfOnly = false;
        _lineNumber = 0;
        _type = '\0';
        _value = default;
        _error = SdpParseError.None;
        _failed = false;
    }

    /// <summary>Gets the 1-based number of the line last read (or at fault).</summary>
    public readonly int LineNumber => _lineNumber;

    /// <summary>Gets the type letter of the line last read.</summary>
    public readonly char Type => _type;

    /// <summary>Gets the value of the line last read: everything after "=" up to the line ending.</summary>
    public readonly ReadOnlySpan<char> Value => _value;

    /// <summary>Gets how many empty lines a tolerant reader skipped just before the line last read.</summary>
    public int EmptyLinesSkipped { get; private set; }

    /// <summary>Gets whether the line last read ended in LF alone rather than CRLF (RFC 8866 §5 tolerates it).</summary>
    public bool LineEndsWithLfOnly { get; private set; }

    /// <summary>Gets the error after <see cref="Read"/> returned <see cref="SdpReadStatus.Error"/>.</summary>
    public readonly SdpParseError Error => _error;

    /// <summary>Returns true for the type letters RFC 8866 §5 defines (v o s i u e p c b t r z k a m).</summary>
    /// <param name="type">The type letter.</param>
    /// <returns>Whether the letter is a defined SDP line type.</returns>
    public static bool IsKnownType(char type) => type switch
    {
        'v' or 'o' or 's' or 'i' or 'u' or 'e' or 'p' or 'c' or 'b' or 't' or 'r' or 'z' or 'k' or 'a' or 'm' => true,
        _ => false,
    };

    /// <summary>Reads the next line.</summary>
    /// <returns><see cref="SdpReadStatus.Line"/>, <see cref="SdpReadStatus.End"/> or <see cref="SdpReadStatus.Error"/>.</returns>
    public SdpReadStatus Read()
    {
        if (_failed)
        {
            return SdpReadStatus.Error;
        }

        if (_remaining.IsEmpty || OnlyLineEndingsLeft(_remaining))
        {
            _remaining = default;
            return SdpReadStatus.End;
        }

        EmptyLinesSkipped = 0;
        ReadOnlySpan<char> line;
        while (true)
        {
            _lineNumber++;
            int lf = _remaining.IndexOf('\n');
            line = lf < 0 ? _remaining : _remaining[..lf];
            _remaining = lf < 0 ? default : _remaining[(lf + 1)..];
            LineEndsWithLfOnly = lf >= 0 && (line.IsEmpty || line[^1] != '\r');
            if (!line.IsEmpty && line[^1] == '\r')
            {
                line = line[..^1];
            }

            if (line.Length > _maxLineLength)
            {
                return Fail(SdpParseErrorCode.LineTooLong, $"line longer than {_maxLineLength} characters");
            }

            if (!line.IsEmpty)
            {
                break;
            }

            if (!_tolerant)
            {
                return Fail(SdpParseErrorCode.EmptyLine, "empty line (RFC 8866 §5)");
            }

            EmptyLinesSkipped++;
            if (_remaining.IsEmpty || OnlyLineEndingsLeft(_remaining))
            {
                _remaining = default;
                return SdpReadStatus.End;
            }
        }

        int bad = line.IndexOfAny('\0', '\r');
        if (bad >= 0)
        {
            return Fail(SdpParseErrorCode.InvalidCharacter, line[bad] == '\0' ? "NUL character in line (RFC 8866 §9)" : "CR not followed by LF (RFC 8866 §5)");
        }

        if (line.Length < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z')
        {
            return Fail(SdpParseErrorCode.MalformedLine, "line is not <type>=<value> with a lower-case type letter (RFC 8866 §5)");
        }

        if (!_tolerant && !IsKnownType(line[0]))
        {
            return Fail(SdpParseErrorCode.UnknownLineType, $"unknown line type '{line[0]}=' (RFC 8866 §5)");
        }

        _type = line[0];
        _value = line[2..];
        return SdpReadStatus.Line;
    }

    private static bool OnlyLineEndingsLeft(ReadOnlySpan<char> rest)
    {
        // A trailing "\r\n\r\n" (common when SDP is copied around) is tolerated at the very end only.
        return rest.IndexOfAnyExcept('\r', '\n') < 0 && rest[^1] == '\n' && !rest.Contains("\r\r", StringComparison.Ordinal);
    }

    private SdpReadStatus Fail(SdpParseErrorCode code, string message)
    {
        _failed = true;
        _type = '\0';
        _value = default;
        _error = new SdpParseError(code, _lineNumber, message);
        return SdpReadStatus.Error;
    }
}
