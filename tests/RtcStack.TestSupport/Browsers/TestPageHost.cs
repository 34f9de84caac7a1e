using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RtcStack.TestSupport.Browsers;

/// <summary>
/// A Kestrel host on 127.0.0.1 (a free port) that serves test pages and collects what they POST
/// back. Pages report with <c>fetch('/report/NAME', {method:'POST', body: JSON.stringify(x)})</c>;
/// the test awaits <see cref="WaitForReportAsync"/>. Extra endpoints (WHIP, ...) are added through
/// the <c>configure</c> callback.
/// </summary>
public sealed class TestPageHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement>> _reports = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _console = new();

    private TestPageHost(WebApplication app)
    {
        _app = app;
    }

    /// <summary>Gets the base address, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string BaseAddress { get; private set; } = "";

    /// <summary>Gets the lines pages sent to <c>/log</c> (their console), for failure messages.</summary>
    public string PageLog => string.Join('\n', _console);

    /// <summary>Starts a host serving <paramref name="pages"/> (path → HTML) plus the report and log endpoints.</summary>
    public static async Task<TestPageHost> StartAsync(IReadOnlyDictionary<string, string> pages, Action<WebApplication>? configure = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        WebApplication app = builder.Build();
        var host = new TestPageHost(app);

        foreach ((string path, string html) in pages)
        {
            app.MapGet(path, () => Results.Content(html, "text/html; charset=utf-8"));
        }

        app.MapPost("/report/{name}", async (string name, HttpRequest request) =>
        {
            using JsonDocument doc = await JsonDocument.ParseAsync(request.Body).ConfigureAwait(false);
            host.Report(name).TrySetResult(doc.RootElement.Clone());
            return Results.Ok();
        });
        app.MapPost("/log", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            host._console.Enqueue(await reader.ReadToEndAsync().ConfigureAwait(false));
            return Results.Ok();
        });
        configure?.Invoke(app);

        await app.StartAsync().ConfigureAwait(false);
        host.BaseAddress = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return host;
    }

    /// <summary>Waits for the page to POST <c>/report/<paramref name="name"/></c>; throws <see cref="TimeoutException"/> with the page log after <paramref name="timeout"/>.</summary>
    public async Task<JsonElement> WaitForReportAsync(string name, TimeSpan timeout, HeadlessBrowser? browser = null)
    {
        Task<JsonElement> report = Report(name).Task;
        Task finished = await Task.WhenAny(report, Task.Delay(timeout)).ConfigureAwait(false);
        if (finished != report)
        {
            throw new TimeoutException(
                $"no '{name}' report from the page within {timeout.TotalSeconds:0.#} s\n--- page log ---\n{PageLog}" +
                (browser is null ? "" : $"\n--- browser output (pid {browser.ProcessId}, exited: {browser.HasExited}) ---\n{browser.Log}"));
        }

        return await report.ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private TaskCompletionSource<JsonElement> Report(string name) =>
        _reports.GetOrAdd(name, _ => new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously));
}
