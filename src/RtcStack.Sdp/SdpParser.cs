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

        var reader = new SdpReader(text, options.MaxLineLength);

        // v=, o=, s= open every description in that order (RFC 8866 §5).
        if (!Expect(ref reader, 'v', SdpParseErrorCode.MissingVersion, "the first line must be v=0 (RFC 8866 §5.1)", out error))
        {
            return false;
        }

        if (!reader.Value.SequenceEqual("0"))
        {
            error = new SdpParseError(SdpParseErrorCode.UnsupportedVersion, reader.LineNumber, "only v=0 is defined (RFC 8866 §5.1)");
            return false;
        }

        if (!Expect(ref reader, 'o', SdpParseErrorCode.MissingOrigin, "the second line must be o= (RFC 8866 §5.2)", out error))
        {
            return false;
        }

        if (!SdpOrigin.TryParse(reader.Value, out SdpOrigin? origin))
        {
            error = Invalid(ref reader, 'o');
            return false;
        }

        if (!Expect(ref reader, 's', SdpParseErrorCode.MissingSessionName, "the third line must be s= (RFC 8866 §5.3)", out error))
        {
            return false;
        }

        if (reader.Value.IsEmpty)
        {
            error = new SdpParseError(SdpParseErrorCode.InvalidField, reader.LineNumber, "s= cannot be empty; use \"s=-\" (RFC 8866 §5.3)");
            return false;
        }

        SessionDescription session = SessionDescription.CreateParsed(origin, reader.Value.ToString());
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

            if (reader.LineNumber > options.MaxLineCount)
            {
                error = new SdpParseError(SdpParseErrorCode.TooManyLines, reader.LineNumber, $"more than {options.MaxLineCount} lines");
                return false;
            }

            char type = reader.Type;
            if (type == 'm')
            {
                if (!sawTiming)
                {
                    error = new SdpParseError(SdpParseErrorCode.MissingTiming, reader.LineNumber, "no t= line before the first m= line (RFC 8866 §5.9)");
                    return false;
                }

                if (++mediaCount > options.MaxMediaDescriptions)
                {
                    error = new SdpParseError(SdpParseErrorCode.TooManyMediaDescriptions, reader.LineNumber, $"more than {options.MaxMediaDescriptions} m= sections");
                    return false;
                }

                if (!SdpMediaLine.TryParse(reader.Value, out SdpMediaLine? mediaLine))
                {
                    error = Invalid(ref reader, 'm');
                    return false;
                }

                media = new MediaDescription(mediaLine);
                session.MediaDescriptions.Add(media);
                target = media.Lines;
                lastRank = 0;
                lastType = 'm';
                continue;
            }

            int rank = media is null ? SessionRank(type) : MediaRank(type);
            if (rank < 0)
            {
                error = new SdpParseError(SdpParseErrorCode.LineOutOfOrder, reader.LineNumber, $"a {type}= line is not allowed {(media is null ? "here at session level" : "in a media description")} (RFC 8866 §9)");
                return false;
            }

            if (media is null)
            {
                // t= may follow r= (a new time description); r= only follows t= or r=.
                bool repeatedTiming = type == 't' && lastType is 't' or 'r';
                if (type == 'r' && lastType is not ('t' or 'r'))
                {
                    error = new SdpParseError(SdpParseErrorCode.LineOutOfOrder, reader.LineNumber, "an r= line must follow a t= or r= line (RFC 8866 §5.10)");
                    return false;
                }

                if (rank < lastRank && !repeatedTiming)
                {
                    error = new SdpParseError(SdpParseErrorCode.LineOutOfOrder, reader.LineNumber, $"a {type}= line after a {lastType}= line is out of order (RFC 8866 §9)");
                    return false;
                }

                sawTiming |= type == 't';
            }
            else if (rank < lastRank)
            {
                error = new SdpParseError(SdpParseErrorCode.LineOutOfOrder, reader.LineNumber, $"a {type}= line after a {lastType}= line is out of order in a media description (RFC 8866 §9)");
                return false;
            }

            if (type == lastType && IsSingle(type, media is not null))
            {
                error = new SdpParseError(SdpParseErrorCode.DuplicateLine, reader.LineNumber, $"only one {type}= line is allowed here (RFC 8866 §9)");
                return false;
            }

            if (!SdpLineValidator.TryValidate(type, reader.Value, out SdpParseErrorCode code, out string message))
            {
                error = new SdpParseError(code, reader.LineNumber, message);
                return false;
            }

            target.AddTrusted(SdpLine.CreateTrusted(type, reader.Value.ToString()));
            lastRank = rank;
            lastType = type;
        }

        if (!sawTiming)
        {
            error = new SdpParseError(SdpParseErrorCode.MissingTiming, reader.LineNumber, "no t= line (RFC 8866 §5.9)");
            return false;
        }

        description = session;
        error = SdpParseError.None;
        return true;
    }

    private static bool Expect(ref SdpReader reader, char type, SdpParseErrorCode code, string message, out SdpParseError error)
    {
        SdpReadStatus status = reader.Read();
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

    private static SdpParseError Invalid(ref SdpReader reader, char type)
    {
        SdpLineValidator.TryValidate(type, reader.Value, out SdpParseErrorCode code, out string message);
        return new SdpParseError(code == SdpParseErrorCode.None ? SdpParseErrorCode.InvalidField : code, reader.LineNumber, message);
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
}
