using System.Collections.ObjectModel;

namespace RtcStack.Sdp;

/// <summary>
/// The ordered lines of a session-level or media-level section. Only the line types the section
/// may hold are accepted (RFC 8866 §9: session level i u e p c b t r z k a; media level i c b k a).
/// The writer emits lines in list order; <see cref="SdpSection.AddAttribute"/> appends attributes
/// at the end, where the grammar puts them.
/// </summary>
public sealed class SdpLineCollection : Collection<SdpLine>
{
    private readonly bool _mediaLevel;

    internal SdpLineCollection(bool mediaLevel)
        : base(new List<SdpLine>())
    {
        _mediaLevel = mediaLevel;
    }

    /// <summary>Returns the index of the first attribute named <paramref name="name"/>, or -1.</summary>
    /// <param name="name">The attribute name.</param>
    /// <returns>The index or -1.</returns>
    public int IndexOfAttribute(string name)
    {
        for (int i = 0; i < Count; i++)
        {
            if (this[i].IsAttributeNamed(name))
            {
                return i;
            }
        }

        return -1;
    }

    internal void AddTrusted(SdpLine line) => Items.Add(line);

    /// <inheritdoc/>
    protected override void InsertItem(int index, SdpLine item)
    {
        Check(item);
        base.InsertItem(index, item);
    }

    /// <inheritdoc/>
    protected override void SetItem(int index, SdpLine item)
    {
        Check(item);
        base.SetItem(index, item);
    }

    private void Check(SdpLine item)
    {
        ArgumentNullException.ThrowIfNull(item);
        bool allowed = _mediaLevel
            ? item.Type is 'i' or 'c' or 'b' or 'k' or 'a'
            : item.Type is 'i' or 'u' or 'e' or 'p' or 'c' or 'b' or 't' or 'r' or 'z' or 'k' or 'a';
        if (!allowed)
        {
            throw new ArgumentException($"a {item.Type}= line does not belong in a {(_mediaLevel ? "media" : "session")}-level section (RFC 8866 §9)", nameof(item));
        }
    }
}
