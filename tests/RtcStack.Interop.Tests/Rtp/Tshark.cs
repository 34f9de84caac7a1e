using RtcStack.TestSupport;

namespace RtcStack.Interop.Tests.Rtp;

/// <summary>Runs tshark (Debian package 'tshark') on a capture and splits its -T fields output.</summary>
internal static class Tshark
{
    public static string Path => ExternalTool.Require("tshark", "tshark");

    /// <summary>Runs tshark; fails with its stderr when it exits non-zero.</summary>
    public static string Run(params string[] args)
    {
        // A private, empty configuration folder: no user preferences or profiles leak in.
        string home = Directory.CreateTempSubdirectory("rtcstack-tshark-home-").FullName;
        try
        {
            ProcessRunner.Result r = ProcessRunner.Run("/usr/bin/env", ["HOME=" + home, "XDG_CONFIG_HOME=" + home, Path, .. args], TimeSpan.FromMinutes(2));
            if (r.ExitCode != 0)
            {
                throw new InvalidOperationException($"tshark {string.Join(' ', args)} exited {r.ExitCode}: {r.StdErr}");
            }

            return r.StdOut;
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    /// <summary>
    /// Runs <c>tshark -r FILE -T fields</c> with every occurrence of each field joined by ',' and
    /// returns one dictionary per output line (field name to value, "" when absent).
    /// </summary>
    public static List<Dictionary<string, string>> Fields(string file, string[] decodeAs, string filter, params string[] fields)
    {
        var args = new List<string> { "-r", file, "-n" };
        foreach (string d in decodeAs)
        {
            args.Add("-d");
            args.Add(d);
        }

        args.AddRange(["-Y", filter, "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,"]);
        foreach (string f in fields)
        {
            args.Add("-e");
            args.Add(f);
        }

        var rows = new List<Dictionary<string, string>>();
        foreach (string line in Run([.. args]).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] values = line.TrimEnd('\r').Split('\t');
            var row = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int i = 0; i < fields.Length; i++)
            {
                row[fields[i]] = i < values.Length ? values[i] : "";
            }

            rows.Add(row);
        }

        return rows;
    }
}
