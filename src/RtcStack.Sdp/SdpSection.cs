using System.Diagnostics.CodeAnalysis;

namespace RtcStack.Sdp;

/// <summary>
/// What the session level and each media level of a description share: an ordered list of lines
/// (<see cref="Lines"/>, the source of truth, written back as it is) and typed views of the
/// attributes that may appear at either level. Typed getters read the lines each time they are
/// called; typed setters replace, add or remove lines.
/// </summary>
public abstract class SdpSection
{
    private protected SdpSection(bool mediaLevel)
    {
        Lines = new SdpLineCollection(mediaLevel);
    }

    /// <summary>Gets the lines of this section in order (for a media section, those after its m= line).</summary>
    public SdpLineCollection Lines { get; }

    /// <summary>Gets or sets "a=ice-ufrag" (RFC 8839 §5.4); null removes it.</summary>
    public string? IceUfrag
    {
        get => GetAttribute(SdpAttributeNames.IceUfrag);
        set => SetOrRemove(SdpAttributeNames.IceUfrag, value);
    }

    /// <summary>Gets or sets "a=ice-pwd" (RFC 8839 §5.4); null removes it.</summary>
    public string? IcePwd
    {
        get => GetAttribute(SdpAttributeNames.IcePwd);
        set => SetOrRemove(SdpAttributeNames.IcePwd, value);
    }

    /// <summary>Gets or sets "a=setup" (RFC 4145 §4, RFC 8842 §5); null removes it.</summary>
    public SetupRole? Setup
    {
        get => GetAttribute(SdpAttributeNames.Setup) is string v && SetupRoleExtensions.TryParseSetupRole(v, out SetupRole r) ? r : null;
        set => SetOrRemove(SdpAttributeNames.Setup, value?.ToSdpString());
    }

    /// <summary>
    /// Gets or sets the direction attribute (RFC 8866 §6.7): the first of sendrecv/sendonly/recvonly/inactive
    /// present, or null when none is (the default is then sendrecv). Setting replaces any direction attribute.
    /// </summary>
    public MediaDirection? Direction
    {
        get
        {
            foreach (SdpLine line in Lines)
            {
                if (line.IsAttribute && line.AttributeValue is null && MediaDirectionExtensions.TryParseMediaDirection(line.AttributeName, out MediaDirection d))
                {
                    return d;
                }
            }

            return null;
        }

        set
        {
            int index = -1;
            for (int i = Lines.Count - 1; i >= 0; i--)
            {
                SdpLine line = Lines[i];
                if (line.IsAttribute && line.AttributeValue is null && MediaDirectionExtensions.TryParseMediaDirection(line.AttributeName, out _))
                {
                    Lines.RemoveAt(i);
                    index = i;
                }
            }

            if (value is MediaDirection d)
            {
                SdpLine line = SdpLine.Attribute(d.ToSdpString());
                if (index >= 0)
                {
                    Lines.Insert(index, line);
                }
                else
                {
                    Lines.Add(line);
                }
            }
        }
    }

    /// <summary>Gets or sets whether "a=extmap-allow-mixed" is present (RFC 8285 §6).</summary>
    public bool ExtMapAllowMixed
    {
        get => HasAttribute(SdpAttributeNames.ExtMapAllowMixed);
        set => SetFlag(SdpAttributeNames.ExtMapAllowMixed, value);
    }

    /// <summary>Returns whether an attribute named <paramref name="name"/> is present.</summary>
    /// <param name="name">The attribute name.</param>
    /// <returns>Whether it is present.</returns>
    public bool HasAttribute(string name) => Lines.IndexOfAttribute(name) >= 0;

    /// <summary>Returns the value of the first attribute named <paramref name="name"/>, or null when it is absent or has no value.</summary>
    /// <param name="name">The attribute name.</param>
    /// <returns>The value or null.</returns>
    public string? GetAttribute(string name)
    {
        int i = Lines.IndexOfAttribute(name);
        return i < 0 ? null : Lines[i].AttributeValue;
    }

    /// <summary>Returns the values of every attribute named <paramref name="name"/>, in order (property attributes give no value and are skipped).</summary>
    /// <param name="name">The attribute name.</param>
    /// <returns>The values.</returns>
    public IReadOnlyList<string> GetAttributeValues(string name)
    {
        var list = new List<string>();
        foreach (SdpLine line in Lines)
        {
            if (line.IsAttributeNamed(name) && line.AttributeValue is not null)
            {
                list.Add(line.AttributeValue);
            }
        }

        return list;
    }

    /// <summary>Appends an attribute line (attributes come last in a section, RFC 8866 §9).</summary>
    /// <param name="name">The attribute name.</param>
    /// <param name="value">The value, or null for a property attribute.</param>
    /// <returns>The line added.</returns>
    public SdpLine AddAttribute(string name, string? value = null)
    {
        SdpLine line = SdpLine.Attribute(name, value);
        Lines.Add(line);
        return line;
    }

    /// <summary>Replaces the first attribute named <paramref name="name"/> in place and removes any others, or appends one.</summary>
    /// <param name="name">The attribute name.</param>
    /// <param name="value">The value, or null for a property attribute.</param>
    public void SetAttribute(string name, string? value = null)
    {
        SdpLine line = SdpLine.Attribute(name, value);
        int first = Lines.IndexOfAttribute(name);
        if (first < 0)
        {
            Lines.Add(line);
            return;
        }

        Lines[first] = line;
        for (int i = Lines.Count - 1; i > first; i--)
        {
            if (Lines[i].IsAttributeNamed(name))
            {
                Lines.RemoveAt(i);
            }
        }
    }

    /// <summary>Removes every attribute named <paramref name="name"/>.</summary>
    /// <param name="name">The attribute name.</param>
    /// <returns>How many lines were removed.</returns>
    public int RemoveAttributes(string name)
    {
        int removed = 0;
        for (int i = Lines.Count - 1; i >= 0; i--)
        {
            if (Lines[i].IsAttributeNamed(name))
            {
                Lines.RemoveAt(i);
                removed++;
            }
        }

        return removed;
    }

    /// <summary>Returns the "a=ice-options" tags (RFC 8839 §5.6), e.g. "trickle".</summary>
    /// <returns>The option tags of every ice-options line, in order.</returns>
    public IReadOnlyList<string> GetIceOptions()
    {
        var list = new List<string>();
        foreach (string value in GetAttributeValues(SdpAttributeNames.IceOptions))
        {
            list.AddRange(value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        }

        return list;
    }

    /// <summary>Returns the "a=fingerprint" attributes of this section (RFC 8122 §5).</summary>
    /// <returns>The fingerprints.</returns>
    public IReadOnlyList<SdpFingerprint> GetFingerprints() => GetTyped<SdpFingerprint>(SdpAttributeNames.Fingerprint, SdpFingerprint.TryParse);

    /// <summary>Returns the "a=extmap" attributes of this section (RFC 8285 §8; allowed at session and media level).</summary>
    /// <returns>The header extension mappings.</returns>
    public IReadOnlyList<ExtMap> GetExtMaps() => GetTyped<ExtMap>(SdpAttributeNames.ExtMap, ExtMap.TryParse);

    /// <summary>Returns the "c=" line of this section (RFC 8866 §5.7), or null.</summary>
    /// <returns>The first connection line, or null.</returns>
    public SdpConnection? GetConnection()
    {
        foreach (SdpLine line in Lines)
        {
            if (line.Type == 'c' && SdpConnection.TryParse(line.Value, out SdpConnection? c))
            {
                return c;
            }
        }

        return null;
    }

    /// <summary>Returns the "b=" lines of this section (RFC 8866 §5.8).</summary>
    /// <returns>The bandwidth lines.</returns>
    public IReadOnlyList<SdpBandwidth> GetBandwidths()
    {
        var list = new List<SdpBandwidth>();
        foreach (SdpLine line in Lines)
        {
            if (line.Type == 'b' && SdpBandwidth.TryParse(line.Value, out SdpBandwidth? b))
            {
                list.Add(b);
            }
        }

        return list;
    }

    /// <summary>Adds or removes a property attribute such as "a=rtcp-mux".</summary>
    /// <param name="name">The attribute name.</param>
    /// <param name="present">Whether it should be present.</param>
    protected void SetFlag(string name, bool present)
    {
        if (present)
        {
            if (!HasAttribute(name))
            {
                AddAttribute(name);
            }
        }
        else
        {
            RemoveAttributes(name);
        }
    }

    /// <summary>Sets a single-valued attribute, or removes it when <paramref name="value"/> is null.</summary>
    /// <param name="name">The attribute name.</param>
    /// <param name="value">The value or null.</param>
    protected void SetOrRemove(string name, string? value)
    {
        if (value is null)
        {
            RemoveAttributes(name);
        }
        else
        {
            SetAttribute(name, value);
        }
    }

    /// <summary>Parses every attribute named <paramref name="name"/> with <paramref name="parser"/>.</summary>
    /// <typeparam name="T">The typed attribute.</typeparam>
    /// <param name="name">The attribute name.</param>
    /// <param name="parser">The value parser.</param>
    /// <returns>The parsed values, in order.</returns>
    private protected IReadOnlyList<T> GetTyped<T>(string name, AttributeParser<T> parser)
        where T : class
    {
        var list = new List<T>();
        foreach (SdpLine line in Lines)
        {
            if (line.IsAttributeNamed(name) && line.AttributeValue is not null && parser(line.AttributeValue, out T? value))
            {
                list.Add(value);
            }
        }

        return list;
    }

    /// <summary>A typed attribute value parser.</summary>
    /// <typeparam name="T">The typed attribute.</typeparam>
    /// <param name="value">The attribute value.</param>
    /// <param name="result">The parsed value.</param>
    /// <returns>Whether it parsed.</returns>
    private protected delegate bool AttributeParser<T>(ReadOnlySpan<char> value, [NotNullWhen(true)] out T? result)
        where T : class;
}
