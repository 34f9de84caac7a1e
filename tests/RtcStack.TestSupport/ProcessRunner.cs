using System.Diagnostics;

// Also compiled (internal) into rtcstack, whose `bottleneck` command uses it: one implementation, linked.
#if RTCSTACK_CLI
namespace RtcStack.Cli.Bottleneck;
#else
namespace RtcStack.TestSupport;
#endif

/// <summary>Runs an outside program to completion with a timeout and captures its output.</summary>
#if RTCSTACK_CLI
internal
#else
public
#endif
static class ProcessRunner
{
    /// <summary>The result of one run.</summary>
    public sealed record Result(int ExitCode, string StdOut, string StdErr);

    /// <summary>
    /// Stops a server a test started, by its PID: kills it if it still runs, waits up to 5 s for it to exit, and
    /// disposes the handle. Never throws for a process that has already gone.
    /// </summary>
    public static void StopAndDispose(System.Diagnostics.Process process)
    {
        ArgumentNullException.ThrowIfNull(process);
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // It was never started, or its handle is gone.
        }

        process.Dispose();
    }

    /// <summary>Runs <paramref name="file"/> with <paramref name="args"/>; kills it (by PID, with its children) after <paramref name="timeout"/>.</summary>
    public static Result Run(string file, IEnumerable<string> args, TimeSpan? timeout = null, string? stdin = null, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using Process p = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + file);
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
            p.StandardInput.Close();
        }

        if (!p.WaitForExit(timeout ?? TimeSpan.FromMinutes(2)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeout}");
        }

        p.WaitForExit();
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }
}
