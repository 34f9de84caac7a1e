using System.Diagnostics;
using RtcStack.Congestion.External;

namespace RtcStack.Cli.Sim;

/// <summary>
/// Runs an outside controller as a child process (<c>/bin/sh -c COMMAND</c>) and speaks the line protocol over its
/// stdin and stdout; its stderr goes to ours. Each exchange blocks until the answer line arrives, so virtual time waits
/// for the controller. A controller that does not answer within <see cref="AnswerTimeout"/> of wall time fails the run
/// instead of hanging it.
/// </summary>
internal sealed class ProcessControllerChannel : IExternalControllerChannel, IDisposable
{
    /// <summary>Longest wait for one answer line.</summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly string _command;
    private bool _closed;

    public ProcessControllerChannel(string command, string? workingDirectory)
    {
        _command = command;
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        _process = Process.Start(start) ?? throw new ExternalControllerException($"could not start '{command}'");
        _process.StandardInput.AutoFlush = false;
        _process.StandardInput.NewLine = "\n";
    }

    public string Exchange(string request)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        try
        {
            _process.StandardInput.WriteLine(request);
            _process.StandardInput.Flush();
        }
        catch (IOException e)
        {
            throw new ExternalControllerException($"controller process '{_command}' is gone ({Exited()})", e);
        }
        Task<string?> read = _process.StandardOutput.ReadLineAsync();
        if (!read.Wait(AnswerTimeout))
        {
            throw new ExternalControllerException($"controller process '{_command}' did not answer within {AnswerTimeout.TotalSeconds:F0} s");
        }
        return read.Result ?? throw new ExternalControllerException($"controller process '{_command}' closed its output ({Exited()})");
    }

    public void Send(string message)
    {
        if (_closed)
        {
            return;
        }
        try
        {
            _process.StandardInput.WriteLine(message);
            _process.StandardInput.Flush();
        }
        catch (IOException)
        {
            // Already gone: Dispose reaps it.
        }
        Dispose();
    }

    /// <summary>Closes stdin, gives the process a few seconds to exit, then kills it (by its own handle).</summary>
    public void Dispose()
    {
        if (_closed)
        {
            return;
        }
        _closed = true;
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
        }
        if (!_process.WaitForExit(TimeSpan.FromSeconds(5)))
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
    }

    private string Exited() => _process.HasExited ? $"exit code {_process.ExitCode}" : "still running";
}
