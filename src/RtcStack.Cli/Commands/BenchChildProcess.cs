using System.Diagnostics;

namespace RtcStack.Cli.Commands;

/// <summary>Starts a second copy of this program for the two-process <c>bench</c> commands (its peer side).</summary>
internal static class BenchChildProcess
{
    /// <summary>
    /// Starts this program again with <paramref name="arguments"/>, standard input, output and error redirected: the
    /// apphost, or <c>dotnet rtcstack.dll</c> when this process runs through the host.
    /// </summary>
    /// <param name="arguments">The command line after the program.</param>
    /// <param name="what">What the child is, for the error messages ("the receiver").</param>
    /// <param name="failure">Makes the command's own exception from a message.</param>
    public static Process StartSelf(IEnumerable<string> arguments, string what, Func<string, Exception> failure)
    {
        string dll = typeof(Program).Assembly.Location;
        string? processPath = Environment.ProcessPath;
        ProcessStartInfo psi;
        if (!string.IsNullOrEmpty(dll) && File.Exists(dll))
        {
            string host = processPath is not null && Path.GetFileNameWithoutExtension(processPath) == "dotnet"
                ? processPath
                : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
            psi = new ProcessStartInfo(host);
            psi.ArgumentList.Add(dll);
        }
        else
        {
            psi = new ProcessStartInfo(processPath ?? throw failure($"cannot find this program to start {what}"));
        }

        foreach (string a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        psi.UseShellExecute = false;
        psi.RedirectStandardInput = true;
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        return Process.Start(psi) ?? throw failure($"could not start {what}");
    }
}
