using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using RtcStack.TestSupport;
using Xunit;

namespace RtcStack.Interop.Tests.Peers;

/// <summary>
/// <c>rtcstack serve</c> as a separate process (the CLI built beside this test assembly), on 127.0.0.1 with an
/// HTTP port the OS picks, recording what it receives. Stopped with SIGTERM by PID (serve then closes its calls
/// and finishes its recordings), killed by PID if it does not exit.
/// </summary>
internal sealed partial class ServeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private ServeProcess(Process process, string recordDirectory)
    {
        _process = process;
        RecordDirectory = recordDirectory;
    }

    /// <summary>Gets the server's base address (http://127.0.0.1:PORT).</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Gets the directory serve records each received stream into.</summary>
    public string RecordDirectory { get; }

    /// <summary>Gets the process id.</summary>
    public int Pid => _process.Id;

    /// <summary>Gets what serve printed so far.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts <c>rtcstack serve --port 0 --record DIR</c> plus <paramref name="extraArgs"/> and waits for its banner.</summary>
    public static async Task<ServeProcess> StartAsync(string recordDirectory, params string[] extraArgs)
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "rtcstack.dll");
        Assert.True(File.Exists(cli), "rtcstack.dll is not beside the test assembly: " + cli);
        string? host = Environment.ProcessPath;
        if (host is null || !Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.Ordinal))
        {
            host = ExternalTool.Require("dotnet", "the .NET SDK");
        }

        var psi = new ProcessStartInfo(host)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string a in (string[])[cli, "serve", "--address", "127.0.0.1", "--port", "0", "--record", recordDirectory, .. extraArgs])
        {
            psi.ArgumentList.Add(a);
        }

        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = new ServeProcess(Process.Start(psi) ?? throw new InvalidOperationException("could not start rtcstack serve"), recordDirectory);
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (server._log)
            {
                server._log.AppendLine(line);
            }

            const string Banner = "rtcstack serve: http://";
            if (line.StartsWith(Banner, StringComparison.Ordinal))
            {
                ready.TrySetResult(line["rtcstack serve: ".Length..].Split(' ', ',')[0]);
            }
        }

        server._process.OutputDataReceived += (_, e) => OnLine(e.Data);
        server._process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        await Task.WhenAny(ready.Task, server._process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(30)));
        if (!ready.Task.IsCompleted)
        {
            await server.DisposeAsync();
            Assert.Fail("rtcstack serve did not start:\n" + server.Log);
        }

        server.BaseAddress = new Uri(ready.Task.Result);
        Assert.Equal("127.0.0.1", server.BaseAddress.Host);
        return server;
    }

    /// <summary>Gets /status as JSON (with the bearer token <paramref name="authorization"/>, for a serve started with --token).</summary>
    public async Task<JsonElement> StatusAsync(string? authorization = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(BaseAddress, "/status"));
        if (authorization is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", authorization);
        }

        using HttpResponseMessage response = await _http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        string json = await response.Content.ReadAsStringAsync();
        using JsonDocument doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    /// <summary>Sends SIGTERM and waits for the exit; returns the exit code (kills by PID after 10 s).</summary>
    public async Task<int> StopAsync()
    {
        if (!_process.HasExited)
        {
            _ = Kill(_process.Id, 15);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
        _http.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
