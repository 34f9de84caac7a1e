namespace RtcStack.Sdp;

/// <summary>
/// One line of a session description, "&lt;type&gt;=&lt;value&gt;" (RFC 8866 §5), kept exactly as
/// received so that unknown or unusual lines are written back untouched. For attribute lines
/// (type 'a', RFC 8866 §5.13) the value splits at the first ':' into
/// <see cref="AttributeName"/> and <see cref="AttributeValue"/>; a property attribute such as
/// "a=rtcp-mux" has no value. Lines are immutable; <see cref="Create"/> and
/// <see cref="Attribute"/> check the value against its grammar, so a line in a model is always
/// one the parser would accept.
/// </summary>
public sealed class SdpLine : IEquatable<SdpLine>
{
    private SdpLine(char type, string value)
    {
        Type = type;
        Value = value;
        if (type == 'a')
        {
            int colon = value.IndexOf(':', StringComparison.Ordinal);
            AttributeName = colon < 0 ? value : value[..colon];
            AttributeValue = colon < 0 ? null : value[(colon + 1)..];
        }
    }

    /// <summary>Gets the type letter (RFC 8866 §5).</summary>
    public char Type { get; }

    /// <summary>Gets the text after "=", without the line ending.</summary>
    public string Value { get; }

    /// <summary>Gets a value indicating whether this is an "a=" line.</summary>
    public bool IsAttribute => Type == 'a';

    /// <summary>Gets the attribute name of an "a=" line (RFC 8866 §5.13 att-field), or null for other lines.</summary>
    public string? AttributeName { get; }

    /// <summary>Gets the attribute value (text after the first ':'), or null for a property attribute or another line type.</summary>
    public string? AttributeValue { get; }

    /// <summary>Creates a line after checking it against RFC 8866 §9 and, for known attributes, their own grammar.</summary>
    /// <param name="type">The type letter; 'v', 'o' and 'm' lines are held by <see cref="SessionDescription"/> and <see cref="MediaDescription"/> themselves.</param>
    /// <param name="value">The text after "=".</param>
    /// <returns>The line.</returns>
    /// <exception cref="ArgumentException">The type is unknown or the value does not match its grammar.</exception>
    public static SdpLine Create(char type, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!SdpReader.IsKnownType(type))
        {
            throw new ArgumentException($"'{type}' is not an SDP line type", nameof(type));
        }

        SdpGrammar.RequireLineText(value, nameof(value));
        if (!SdpLineValidator.TryValidate(type, value, out _, out string message))
        {
            throw new ArgumentException($"invalid {type}= line '{value}': {message}", nameof(value));
        }

        return new SdpLine(type, value);
    }

    /// <summary>Creates an "a=name" or "a=name:value" line (RFC 8866 §5.13), checking known attributes against their grammar.</summary>
    /// <param name="name">The attribute name, a token.</param>
    /// <param name="value">The value, or null for a property attribute.</param>
    /// <returns>The line.</returns>
    /// <exception cref="ArgumentException">The name is not a token or the value does not match its grammar.</exception>
    public static SdpLine Attribute(string name, string? value = null)
    {
        SdpGrammar.RequireToken(name, nameof(name));
        if (name.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException("an attribute name cannot contain ':'", nameof(name));
        }

        return Create('a', value is null ? name : name + ":" + value);
    }

    /// <summary>Wraps text the parser already validated.</summary>
    internal static SdpLine CreateTrusted(char type, string value) => new(type, value);

    /// <summary>Returns whether this is an attribute line named <paramref name="name"/> (case-sensitive, as RFC 8866 §5.13 names are compared).</summary>
    /// <param name="name">The attribute name.</param>
    /// <returns>Whether the names match.</returns>
    public bool IsAttributeNamed(string name) => Type == 'a' && string.Equals(AttributeName, name, StringComparison.Ordinal);

    /// <inheritdoc/>
    public bool Equals(SdpLine? other) => other is not null && Type == other.Type && string.Equals(Value, other.Value, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as SdpLine);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Type, StringComparer.Ordinal.GetHashCode(Value));

    /// <summary>Returns the line as written, "type=value", without a line ending.</summary>
    /// <returns>The line text.</returns>
    public override string ToString() => Type + "=" + Value;
}
