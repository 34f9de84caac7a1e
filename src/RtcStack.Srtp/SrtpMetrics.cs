using System.Diagnostics.Metrics;

namespace RtcStack.Srtp;

/// <summary>
/// Counters of the "RtcStack.Srtp" meter: <c>rtcstack.srtp.protect</c> and
/// <c>rtcstack.srtp.unprotect</c>, in packets, tagged with <c>kind</c> (rtp, rtcp) and
/// <c>status</c> (the <see cref="SrtpStatus"/> name in snake case). The tag lists are built once
/// so recording allocates nothing.
/// </summary>
internal sealed class SrtpMetrics
{
    public const string MeterName = "RtcStack.Srtp";
    private static readonly Lazy<SrtpMetrics> s_shared = new(() => new SrtpMetrics(new Meter(MeterName)));
    private static readonly string[] s_statusNames = BuildStatusNames();
    private static readonly KeyValuePair<string, object?>[][] s_tags = BuildTags();
    private readonly Counter<long> _protect;
    private readonly Counter<long> _unprotect;

    private SrtpMetrics(Meter meter)
    {
        _protect = meter.CreateCounter<long>("rtcstack.srtp.protect", "{packet}", "SRTP/SRTCP protect calls by kind and status");
        _unprotect = meter.CreateCounter<long>("rtcstack.srtp.unprotect", "{packet}", "SRTP/SRTCP unprotect calls by kind and status");
    }

    public static SrtpMetrics Create(IMeterFactory? factory) =>
        factory is null ? s_shared.Value : new SrtpMetrics(factory.Create(new MeterOptions(MeterName)));

    public void Protect(bool rtcp, SrtpStatus status)
    {
        if (_protect.Enabled)
        {
            _protect.Add(1, Tags(rtcp, status));
        }
    }

    public void Unprotect(bool rtcp, SrtpStatus status)
    {
        if (_unprotect.Enabled)
        {
            _unprotect.Add(1, Tags(rtcp, status));
        }
    }

    internal static string StatusName(SrtpStatus status) => s_statusNames[(int)status];

    private static ReadOnlySpan<KeyValuePair<string, object?>> Tags(bool rtcp, SrtpStatus status) =>
        s_tags[((int)status * 2) + (rtcp ? 1 : 0)];

    private static string[] BuildStatusNames()
    {
        SrtpStatus[] values = Enum.GetValues<SrtpStatus>();
        var names = new string[values.Length];
        foreach (SrtpStatus s in values)
        {
            string n = s.ToString();
            var sb = new System.Text.StringBuilder();
            for (int i = 0; i < n.Length; i++)
            {
                if (char.IsUpper(n[i]) && i > 0)
                {
                    sb.Append('_');
                }

                sb.Append(char.ToLowerInvariant(n[i]));
            }

            names[(int)s] = sb.ToString();
        }

        return names;
    }

    private static KeyValuePair<string, object?>[][] BuildTags()
    {
        int count = Enum.GetValues<SrtpStatus>().Length;
        var tags = new KeyValuePair<string, object?>[count * 2][];
        for (int s = 0; s < count; s++)
        {
            for (int k = 0; k < 2; k++)
            {
                tags[(s * 2) + k] =
                [
                    new("kind", k == 1 ? "rtcp" : "rtp"),
                    new("status", s_statusNames[s]),
                ];
            }
        }

        return tags;
    }
}
