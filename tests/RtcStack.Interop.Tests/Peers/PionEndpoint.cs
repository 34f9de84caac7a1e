using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Xunit;

namespace RtcStack.Interop.Tests.Peers;

/// <summary>
/// Builds the Pion v3 WHIP/WHEP endpoint (Peers/pionendpoint/main.go) once per test class, offline, the same way as the
/// Pion client (<see cref="PionPeerBuild.BuildGoProgramAsync"/>).
/// </summary>
public sealed class PionEndpointBuild : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rtcstack-pionendpoint-").FullName;
    private readonly Lazy<Task<(string Binary, string PionVersion, string GoVersion)>> _binary;

    public PionEndpointBuild() => _binary = new(() => PionPeerBuild.BuildGoProgramAsync("pionendpoint", "whipendpoint", Path.Combine(_dir, "build")));

    /// <summary>Builds the program once and returns its path and the Pion and Go versions.</summary>
    public Task<(string Binary, string PionVersion, string GoVersion)> GetAsync() => _binary.Value;

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}

/// <summary>
/// The Pion endpoint as a process on 127.0.0.1 (a port the OS picks). Its stdout is one JSON object per line: each is
/// kept, in order, for the test to inspect. Stopped by closing its stdin (it then closes every session), killed by PID
/// if it does not exit within 10 s.
/// </summary>
internal sealed class PionEndpoint : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<JsonElement> _events = [];
    private readonly StringBuilder _log = new();
    private readonly SemaphoreSlim _changed = new(0);

    private PionEndpoint(Process process, string dumpDirectory)
    {
        _process = process;
        DumpDirectory = dumpDirectory;
    }

    /// <summary>Gets the base URL (http://127.0.0.1:PORT).</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Gets the directory the endpoint writes each session's received RTP into (ID.rtp).</summary>
    public string DumpDirectory { get; }

    /// <summary>Gets everything the endpoint printed (stdout and stderr).</summary>
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

    /// <summary>Gets the events printed so far.</summary>
    public IReadOnlyList<JsonElement> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>Starts the endpoint with <paramref name="args"/> (besides -listen and -dir) and waits for "listening".</summary>
    public static async Task<PionEndpoint> StartAsync(string binary, string dumpDirectory, params string[] args)
    {
        Directory.CreateDirectory(dumpDirectory);
        var psi = new ProcessStartInfo(binary)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string a in (string[])["-listen", "127.0.0.1:0", "-dir", dumpDirectory, .. args])
        {
            psi.ArgumentList.Add(a);
        }

        var endpoint = new PionEndpoint(Process.Start(psi) ?? throw new InvalidOperationException("could not start " + binary), dumpDirectory);
        endpoint._process.OutputDataReceived += (_, e) => endpoint.OnLine(e.Data, json: true);
        endpoint._process.ErrorDataReceived += (_, e) => endpoint.OnLine(e.Data, json: false);
        endpoint._process.BeginOutputReadLine();
        endpoint._process.BeginErrorReadLine();
        JsonElement? listening = await endpoint.WaitForAsync(e => Is(e, "listening"), TimeSpan.FromSeconds(30));
        if (listening is null)
        {
            await endpoint.DisposeAsync();
            Assert.Fail("the Pion endpoint did not start:\n" + endpoint.Log);
        }

        endpoint.BaseAddress = new Uri(listening.Value.GetProperty("url").GetString()!);
        Assert.Equal("127.0.0.1", endpoint.BaseAddress.Host);
        return endpoint;
    }

    /// <summary>Whether <paramref name="e"/> is an event named <paramref name="name"/>.</summary>
    public static bool Is(JsonElement e, string name) => e.TryGetProperty("event", out JsonElement v) && v.GetString() == name;

    /// <summary>The requests the endpoint answered with <paramref name="method"/>, in order.</summary>
    public IReadOnlyList<JsonElement> Requests(string method) =>
        [.. Events.Where(e => Is(e, "request") && e.GetProperty("method").GetString() == method)];

    /// <summary>Waits until an event matches (null after <paramref name="timeout"/> or when the process exited without one).</summary>
    public async Task<JsonElement?> WaitForAsync(Func<JsonElement, bool> match, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            foreach (JsonElement e in Events)
            {
                if (match(e))
                {
                    return e;
                }
            }

            TimeSpan left = timeout - clock.Elapsed;
            if (left <= TimeSpan.Zero || _process.HasExited)
            {
                return null;
            }

            await _changed.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>Closes stdin (the endpoint ends its sessions and exits) and waits; returns the exit code. Kills by PID after 10 s.</summary>
    public async Task<int> StopAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                _process.StandardInput.Close();
            }
            catch (IOException)
            {
                // Already gone.
            }

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
        _changed.Dispose();
    }

    private void OnLine(string? line, bool json)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }

        if (json && line.StartsWith('{'))
        {
            try
            {
                using JsonDocument doc = JsonDocument.Parse(line);
                lock (_events)
                {
                    _events.Add(doc.RootElement.Clone());
                }
            }
            catch (JsonException)
            {
                // Not one of its event lines (a Pion log line): kept in the log only.
            }
        }

        try
        {
            _changed.Release();
        }
        catch (ObjectDisposedException)
        {
            // A line after the process was disposed.
        }
    }
}
