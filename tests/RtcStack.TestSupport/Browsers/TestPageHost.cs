using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

// Also compiled (internal) into rtcstack, whose `bottleneck` command uses it: one implementation, linked.
#if RTCSTACK_CLI
namespace RtcStack.Cli.Bottleneck;
#else
namespace RtcStack.TestSupport.Browsers;
#endif

/// <summary>
/// A Kestrel host on 127.0.0.1 (a free port) that serves test pages and collects what they POST
/// back. Pages report with <c>fetch('/report/NAME', {method:'POST', body: JSON.stringify(x)})</c>;
/// the test awaits <see cref="WaitForReportAsync"/>. Extra endpoints (WHIP, ...) are added through
/// the <c>configure</c> callback.
/// </summary>
#if RTCSTACK_CLI
internal
#else
public
#endif
sealed class TestPageHost : IAsyncDisposable
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

        // RequestDelegate endpoints (no reflection over a delegate's parameters): this file is also compiled into the
        // rtcstack tool, where the trimming analyzer is on.
        foreach ((string path, string html) in pages)
        {
            app.MapGet(path, (RequestDelegate)(ctx =>
            {
                ctx.Response.ContentType = "text/html; charset=utf-8";
                return ctx.Response.WriteAsync(html);
            }));
        }

        app.MapPost("/report/{name}", (RequestDelegate)(async ctx =>
        {
            string name = ctx.Request.RouteValues["name"] as string ?? "";
            using JsonDocument doc = await JsonDocument.ParseAsync(ctx.Request.Body).ConfigureAwait(false);
            host.Report(name).TrySetResult(doc.RootElement.Clone());
        }));
        app.MapPost("/log", (RequestDelegate)(async ctx =>
        {
            using var reader = new StreamReader(ctx.Request.Body);
            host._console.Enqueue(await reader.ReadToEndAsync().ConfigureAwait(false));
        }));
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
