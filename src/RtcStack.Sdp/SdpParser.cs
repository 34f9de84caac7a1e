using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace RtcStack.Sdp;

/// <summary>
/// Builds a <see cref="SessionDescription"/> from text, enforcing RFC 8866 §9's order of lines:
/// session level v o s [i] [u] *e *p [c] *b 1*(t *r) [z] [k] *a, then per media m [i] *c *b [k] *a.
/// </summary>
internal static class SdpParser
{
    private const int SessionRankA = 13;

    public static bool TryParseUtf8(ReadOnlySpan<byte> utf8, SdpParserOptions options, out SessionDescription? description, out SdpParseError error)
    {
        description = null;
        if (utf8.Length > options.MaxInputLength)
        {
            error = new SdpParseError(SdpParseErrorCode.InputTooLarge, 0, $"input of {utf8.Length} bytes is over the {options.MaxInputLength}-byte limit");
            return false;
        }

        char[] buffer = ArrayPool<char>.Shared.Rent(Math.Max(1, utf8.Length));
        try
        {
            OperationStatus status = Utf8.ToUtf16(utf8, buffer, out int read, out int written, replaceInvalidSequences: false, isFinalBlock: true);
            if (status != OperationStatus.Done)
            {
                int line = 1 + utf8[..read].Count((byte)'\n');
                error = new SdpParseError(SdpParseErrorCode.InvalidUtf8, line, $"invalid UTF-8 at byte {read}");
                return false;
            }

            return TryParse(buffer.AsSpan(0, written), options, out description, out error);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    public static bool TryParse(ReadOnlySpan<char> text, SdpParserOptions options, out SessionDescription? description, out SdpParseError error)
    {
        description = null;
        if (text.Length > options.MaxInputLength)
        {
            error = new SdpParseError(SdpParseErrorCode.InputTooLarge, 0, $"input of {text.Length} characters is over the {options.MaxInputLength}-character limit");
            return false;
        }

        if (text.IsEmpty)
        {
            error = new SdpParseError(SdpParseErrorCode.Empty, 0, "empty session description");
            return false;
        }

        var state = new ParseState(options.Mode == SdpParseMode.Tolerant);
        var reader = new SdpReader(text, options.MaxLineLength, state.Tolerant);

        // v=, o=, s= open every description in that order (RFC 8866 §5).
        if (!Expect(ref reader, state, 'v', SdpParseErrorCode.MissingVersion, "the first line must be v=0 (RFC 8866 §5.1)", out error))
        {
            return false;
        }

        if (!state.Normalise('v', reader.Value, reader.LineNumber).SequenceEqual("0"))
        {
            error = new SdpParseError(SdpParseErrorCode.UnsupportedVersion, reader.LineNumber, "only v=0 is defined (RFC 8866 §5.1)");
            return false;
        }

        if (!Expect(ref reader, state, 'o', SdpParseErrorCode.MissingOrigin, "the second line must be o= (RFC 8866 §5.2)", out error))
        {
            return false;
        }

        ReadOnlySpan<char> originText = state.Normalise('o', reader.Value, reader.LineNumber);
        if (!SdpOrigin.TryParse(originText, out SdpOrigin? origin))
        {
            error = Invalid('o', originText, reader.LineNumber);
            return false;
        }

        if (!Expect(ref reader, state, 's', SdpParseErrorCode.MissingSessionName, "the third line must be s= (RFC 8866 §5.3)", out error))
        {
            return false;
        }

        string sessionName = reader.Value.ToString();
        if (sessionName.Length == 0)
        {
            if (!state.Tolerant)
            {
                error = new SdpParseError(SdpParseErrorCode.InvalidField, reader.LineNumber, "s= cannot be empty; use \"s=-\" (RFC 8866 §5.3)");
                return false;
            }

            state.Warn(SdpParseWarningCode.EmptySessionName, reader.LineNumber, "empty s= line read as \"s=-\"", "RFC 8866 §5.3");
            sessionName = "-";
        }

        SessionDescription session = SessionDescription.CreateParsed(origin, sessionName);
        MediaDescription? media = null;
        int lastRank = 2;
        char lastType = 's';
        bool sawTiming = false;
        int mediaCount = 0;
        SdpLineCollection target = session.Lines;

        while (true)
        {
            SdpReadStatus status = reader.Read();
            if (status == SdpReadStatus.End)
            {
                break;
            }

            if (status == SdpReadStatus.Error)
            {
                error = reader.Error;
                return false;
            }

            int lineNumber = reader.LineNumber;
            if (lineNumber > options.MaxLineCount)
            {
                error = new SdpParseError(SdpParseErrorCode.TooManyLines, lineNumber, $"more than {options.MaxLineCount} lines");
                return false;
            }

            state.NoteLine(ref reader);
            char type = reader.Type;
            if (!SdpReader.IsKnownType(type))
            {
                // Only a tolerant reader returns these: RFC 8866 §5 lets a parser ignore the line.
                state.Warn(SdpParseWarningCode.UnknownLineType, lineNumber, $"unknown line type '{type}=' ignored", "RFC 8866 §5");
                continue;
            }

            ReadOnlySpan<char> value = state.Normalise(type, reader.Value, lineNumber);
            if (type == 'm')
            {
                if (!sawTiming)
                {
                    error = new SdpParseError(SdpParseErrorCode.MissingTiming, lineNumber, "no t= line before the first m= line (RFC 8866 §5.9)");
                    return false;
                }

                if (++mediaCount > options.MaxMediaDescriptions)
                {
                    error = new SdpParseError(SdpParseErrorCode.TooManyMediaDescriptions, lineNumber, $"more than {options.MaxMediaDescriptions} m= sections");
                    return false;
                }

                if (!SdpMediaLine.TryParse(value, out SdpMediaLine? mediaLine))
                {
                    error = Invalid('m', value, lineNumber);
                    return false;
                }

                state.FlushSection(target);
                media = new MediaDescription(mediaLine);
                session.MediaDescriptions.Add(media);
                target = media.Lines;
                lastRank = 0;
                lastType = 'm';
                continue;
            }

            int rank = media is null ? SessionRank(type) : MediaRank(type);
            string where = media is null ? "here at session level" : "in a media description";
            if (rank < 0)
            {
                if (!state.Tolerant)
                {
                    error = new SdpParseError(SdpParseErrorCode.LineOutOfOrder, lineNumber, $"a {type}= line is not allowed {where} (RFC 8866 §9)");
                    return false;
                }

                state.Warn(SdpParseWarningCode.LineOutOfOrder, lineNumber, $"a {type}= line is not allowed {where}; ignored", "RFC 8866 §9");
                continue;
            }

            bool outOfOrder;
            if (media is null)
            {
                // t= may follow r= (a new time description); r= only follows t= or r=.
                bool repeatedTiming = type == 't' && lastType is 't' or 'r';
                if (type == 'r' && lastType is not ('t' or 'r'))
                {
                    if (!state.Tolerant)
                    {
                        error = new SdpParseError(SdpParseErrorCode.LineOutOfOrder, lineNumber, "an r= line must follow a t= or r= line (RFC 8866 §5.10)");
                        return false;
                    }

                    state.Warn(SdpParseWarningCode.LineOutOfOrder, lineNumber, "an r= line that does not follow a t= or r= line is ignored", "RFC 8866 §5.10");
                    continue;
                }

                outOfOrder = rank < lastRank && !repeatedTiming;
                sawTiming |= type == 't';
            }
            else
            {
                outOfOrder = rank < lastRank;
            }

            if (IsSingle(type, media is not null) && (type == lastType || (state.Tolerant && state.HasLineOfRank(rank))))
            {
                if (!state.Tolerant)
                {
                    error = new SdpParseError(SdpParseErrorCode.DuplicateLine, lineNumber, $"only one {type}= line is allowed here (RFC 8866 §9)");
                    return false;
                }

                state.Warn(SdpParseWarningCode.DuplicateLine, lineNumber, $"a second {type}= line {where} is ignored; the first is kept", "RFC 8866 §9");
                continue;
            }

            if (outOfOrder && !state.Tolerant)
            {
                error = new SdpParseError(SdpParseErrorCode.LineOutOfOrder, lineNumber, media is null
                    ? $"a {type}= line after a {lastType}= line is out of order (RFC 8866 §9)"
                    : $"a {type}= line after a {lastType}= line is out of order in a media description (RFC 8866 §9)");
                return false;
            }

            if (!SdpLineValidator.TryValidate(type, value, out SdpParseErrorCode code, out string message))
            {
                if (!state.Tolerant || type != 'a' || !SdpGrammar.TrySplit(value, ':', out ReadOnlySpan<char> badName, out _) || !SdpAttributeRules.CanDrop(badName))
                {
                    error = new SdpParseError(code, lineNumber, message);
                    return false;
                }

                state.Warn(SdpParseWarningCode.MalformedAttributeDropped, lineNumber, $"malformed a={badName} dropped: {message}", RuleOf(message));
                continue;
            }

            if (type == 'a')
            {
                if (!state.CheckAttribute(value, media is not null, lineNumber, out bool keep, out error))
                {
                    return false;
                }

                if (!keep)
                {
                    continue;
                }
            }

            // Lines are kept in buckets by rank until the section ends, so a line out of order (tolerated) takes
            // its place in RFC 8866 §9's order without moving the others; r= shares t='s bucket.
            state.AddLine(type == 'r' ? SessionRank('t') : rank, SdpLine.CreateTrusted(type, value.ToString()));
            if (outOfOrder)
            {
                state.Warn(SdpParseWarningCode.LineOutOfOrder, lineNumber, $"a {type}= line after a {lastType}= line is out of order {where}; moved to its place", "RFC 8866 §9");
                continue;
            }

            lastRank = rank;
            lastType = type;
        }

        if (!sawTiming)
        {
            error = new SdpParseError(SdpParseErrorCode.MissingTiming, reader.LineNumber, "no t= line (RFC 8866 §5.9)");
            return false;
        }

        state.FlushSection(target);
        state.Finish();
        session.ParseWarnings = state.Warnings;
        description = session;
        error = SdpParseError.None;
        return true;
    }

    private static bool Expect(ref SdpReader reader, ParseState state, char type, SdpParseErrorCode code, string message, out SdpParseError error)
    {
        SdpReadStatus status = reader.Read();
        if (status == SdpReadStatus.Line)
        {
            state.NoteLine(ref reader);
        }

        if (status == SdpReadStatus.Error)
        {
            error = reader.Error;
            return false;
        }

        if (status == SdpReadStatus.End || reader.Type != type)
        {
            error = new SdpParseError(code, status == SdpReadStatus.End ? reader.LineNumber + 1 : reader.LineNumber, message);
            return false;
        }

        error = SdpParseError.None;
        return true;
    }

    private static SdpParseError Invalid(char type, ReadOnlySpan<char> value, int lineNumber)
    {
        SdpLineValidator.TryValidate(type, value, out SdpParseErrorCode code, out string message);
        return new SdpParseError(code == SdpParseErrorCode.None ? SdpParseErrorCode.InvalidField : code, lineNumber, message);
    }

    /// <summary>The "(RFC ... §...)" that ends a validator message, without its parentheses.</summary>
    private static string RuleOf(string message)
    {
        int open = message.LastIndexOf("(RFC ", StringComparison.Ordinal);
        return open >= 0 && message.EndsWith(')') ? message[(open + 1)..^1] : "RFC 8866 §5.13";
    }

    private static int SessionRank(char type) => type switch
    {
        'i' => 3,
        'u' => 4,
        'e' => 5,
        'p' => 6,
        'c' => 7,
        'b' => 8,
        't' => 9,
        'r' => 10,
        'z' => 11,
        'k' => 12,
        'a' => SessionRankA,
        _ => -1,
    };

    private static int MediaRank(char type) => type switch
    {
        'i' => 1,
        'c' => 2,
        'b' => 3,
        'k' => 4,
        'a' => 5,
        _ => -1,
    };

    private static bool IsSingle(char type, bool mediaLevel) =>
        mediaLevel ? type is 'i' or 'k' : type is 'i' or 'u' or 'c' or 'z' or 'k';

    /// <summary>What one parse carries between lines: warnings, the current section's lines by rank, and the attributes seen in it.</summary>
    private sealed class ParseState
    {
        private readonly List<SdpLine>?[] _byRank = new List<SdpLine>?[SessionRankA + 1];
        private readonly HashSet<string> _uniqueAttributes = new(StringComparer.Ordinal);
        private List<SdpParseWarning>? _warnings;
        private int _lfOnlyLines;
        private int _firstLfOnlyLine;

        public ParseState(bool tolerant)
        {
            Tolerant = tolerant;
        }

        public bool Tolerant { get; }

        public IReadOnlyList<SdpParseWarning> Warnings => (IReadOnlyList<SdpParseWarning>?)_warnings ?? [];

        public void Warn(SdpParseWarningCode code, int lineNumber, string message, string rule) =>
            (_warnings ??= []).Add(new SdpParseWarning(code, lineNumber, message, rule));

        /// <summary>Records what the reader saw around the line just read: skipped empty lines, an LF-only ending.</summary>
        public void NoteLine(ref SdpReader reader)
        {
            if (reader.EmptyLinesSkipped > 0)
            {
                int n = reader.EmptyLinesSkipped;
                Warn(SdpParseWarningCode.EmptyLine, reader.LineNumber - n, n == 1 ? "empty line skipped" : $"{n} empty lines skipped", "RFC 8866 §5");
            }

            if (reader.LineEndsWithLfOnly && _lfOnlyLines++ == 0)
            {
                _firstLfOnlyLine = reader.LineNumber;
            }
        }

        /// <summary>
        /// In tolerant mode, removes leading and trailing whitespace and collapses runs of spaces and tabs to
        /// one space in lines whose fields RFC 8866 §9 separates by single spaces (o c b t r z m, and the
        /// attributes whose grammar this library checks); other text is kept as received.
        /// </summary>
        public ReadOnlySpan<char> Normalise(char type, ReadOnlySpan<char> value, int lineNumber)
        {
            if (!Tolerant)
            {
                return value;
            }

            ReadOnlySpan<char> head = default;
            ReadOnlySpan<char> fields = value;
            bool collapse = true;
            switch (type)
            {
                case 'v' or 'o' or 'c' or 'b' or 't' or 'r' or 'z' or 'm':
                    break;
                case 'a':
                    if (!SdpGrammar.TrySplit(value, ':', out ReadOnlySpan<char> name, out ReadOnlySpan<char> attributeValue))
                    {
                        // A property attribute ("a=rtcp-mux"): only trailing whitespace can be dropped.
                        ReadOnlySpan<char> trimmed = value.TrimEnd(" \t");
                        if (trimmed.Length == value.Length || trimmed.IsEmpty)
                        {
                            return value;
                        }

                        Warn(SdpParseWarningCode.ExtraWhitespace, lineNumber, "trailing whitespace removed", "RFC 8866 §9");
                        return trimmed.ToString();
                    }

                    SdpAttributeRules.Whitespace rule = SdpAttributeRules.GetWhitespace(name);
                    if (rule == SdpAttributeRules.Whitespace.Keep)
                    {
                        return value;
                    }

                    collapse = rule == SdpAttributeRules.Whitespace.Collapse;
                    head = value[..(name.Length + 1)];
                    fields = attributeValue;
                    break;
                default:
                    return value;
            }

            bool edges = !fields.IsEmpty && (fields[0] is ' ' or '\t' || fields[^1] is ' ' or '\t');
            bool inner = collapse && (fields.Contains('\t') || fields.Contains("  ", StringComparison.Ordinal));
            if (!edges && !inner)
            {
                return value;
            }

            ReadOnlySpan<char> body = fields.Trim(" \t");
            var sb = new System.Text.StringBuilder(value.Length);
            sb.Append(head);
            if (!collapse)
            {
                sb.Append(body);
            }
            else
            {
                bool pendingSpace = false;
                foreach (char c in body)
                {
                    if (c is ' ' or '\t')
                    {
                        pendingSpace = true;
                        continue;
                    }

                    if (pendingSpace)
                    {
                        sb.Append(' ');
                        pendingSpace = false;
                    }

                    sb.Append(c);
                }
            }

            string what = fields[^1] is ' ' or '\t' ? "trailing whitespace removed"
                : fields[0] is ' ' or '\t' ? "leading whitespace removed"
                : fields.Contains('\t') ? "tab between fields replaced by one space"
                : "repeated spaces between fields collapsed to one";
            Warn(SdpParseWarningCode.ExtraWhitespace, lineNumber, what, "RFC 8866 §9");
            return sb.ToString();
        }

        /// <summary>
        /// Checks an attribute's level and whether the section already holds one of its kind. Strict mode
        /// refuses; tolerant mode warns, keeps a misplaced attribute and drops a repeated one.
        /// </summary>
        public bool CheckAttribute(ReadOnlySpan<char> line, bool mediaLevel, int lineNumber, out bool keep, out SdpParseError error)
        {
            keep = true;
            error = SdpParseError.None;
            SdpGrammar.TrySplit(line, ':', out ReadOnlySpan<char> name, out ReadOnlySpan<char> value);
            SdpAttributeRules.Level level = SdpAttributeRules.GetLevel(name, out string levelRule);
            if ((level == SdpAttributeRules.Level.SessionOnly && mediaLevel) || (level == SdpAttributeRules.Level.MediaOnly && !mediaLevel))
            {
                string message = $"a={name} belongs at {(mediaLevel ? "session" : "media")} level, not {(mediaLevel ? "in a media description" : "at session level")}";
                if (!Tolerant)
                {
                    error = new SdpParseError(SdpParseErrorCode.AttributeNotAllowedHere, lineNumber, $"{message} ({levelRule})");
                    return false;
                }

                Warn(SdpParseWarningCode.AttributeAtWrongLevel, lineNumber, message + "; kept but not used there", levelRule);
            }

            string? key = SdpAttributeRules.GetUniqueKey(name, value, out string uniqueRule);
            if (key is not null && !_uniqueAttributes.Add(key))
            {
                string what = key == "direction" ? "a second direction attribute" : $"a second a={(key.Contains(':', StringComparison.Ordinal) ? key : name.ToString())}";
                if (!Tolerant)
                {
                    error = new SdpParseError(SdpParseErrorCode.DuplicateAttribute, lineNumber, $"{what} in one section ({uniqueRule})");
                    return false;
                }

                Warn(SdpParseWarningCode.RepeatedAttribute, lineNumber, $"{what} in one section is ignored; the first is kept", uniqueRule);
                keep = false;
            }

            return true;
        }

        public bool HasLineOfRank(int rank) => _byRank[rank] is { Count: > 0 };

        public void AddLine(int rank, SdpLine line) => (_byRank[rank] ??= []).Add(line);

        /// <summary>Writes the section's lines in RFC 8866 §9's order and starts a new section.</summary>
        public void FlushSection(SdpLineCollection target)
        {
            foreach (List<SdpLine>? lines in _byRank)
            {
                if (lines is null)
                {
                    continue;
                }

                foreach (SdpLine line in lines)
                {
                    target.AddTrusted(line);
                }

                lines.Clear();
            }

            _uniqueAttributes.Clear();
        }

        public void Finish()
        {
            if (_lfOnlyLines == 0)
            {
                return;
            }

            var warning = new SdpParseWarning(SdpParseWarningCode.LfLineEnding, _firstLfOnlyLine, _lfOnlyLines == 1 ? "a line ends in LF alone, not CRLF" : $"{_lfOnlyLines} lines end in LF alone, not CRLF (the first here)", "RFC 8866 §5");
            _warnings ??= [];
            int at = 0;
            while (at < _warnings.Count && _warnings[at].LineNumber <= _firstLfOnlyLine)
            {
                at++;
            }

            _warnings.Insert(at, warning);
        }
    }
}
