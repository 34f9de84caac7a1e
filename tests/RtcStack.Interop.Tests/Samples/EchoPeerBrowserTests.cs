using System.Diagnostics;
using RtcStack.Interop.Tests.WebRtc;
using RtcStack.TestSupport;
using RtcStack.TestSupport.Browsers;
using Xunit;

namespace RtcStack.Interop.Tests.Samples;

/// <summary>
/// samples/EchoPeer's own page in headless Chromium (its fake microphone, a beep): the page's offer must be answered,
/// the call must connect and the sample must echo audio back. The tone itself is checked by
/// RtcStack.Cli.Tests' SampleProgramTests with our own peer; this checks the page's JavaScript and a browser's offer.
/// </summary>
[Trait("Category", "Interop")]
[Collection(RealTimePeersCollection.Name)]
public sealed class EchoPeerBrowserTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task ChromiumCallsTheEchoPeerPage_AndTheSampleEchoesItsAudio()
    {
        HeadlessBrowser.RequireExecutable(BrowserKind.Chromium);
        string config = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        string dll = Path.Combine(RepoPaths.Root, "samples", "EchoPeer", "bin", config, "net10.0", "EchoPeer.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build the solution");
        var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add("0");
        var lines = new List<string>();
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var echoing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using Process echo = Process.Start(psi)!;
        echo.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not string line)
            {
                return;
            }

            lock (lines)
            {
                lines.Add(line);
            }

            if (line.StartsWith("EchoPeer listening on ", StringComparison.Ordinal))
            {
                listening.TrySetResult(line["EchoPeer listening on ".Length..]);
            }
            else if (line == "call: echoing audio")
            {
                echoing.TrySetResult();
            }
        };
        echo.BeginOutputReadLine();
        try
        {
            string url = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
            using HeadlessBrowser browser = HeadlessBrowser.Launch(BrowserKind.Chromium, url + "/?start");
            Task done = await Task.WhenAny(echoing.Task, Task.Delay(TimeSpan.FromSeconds(30)));
            lock (lines)
            {
                output.WriteLine(string.Join('\n', lines));
                Assert.True(done == echoing.Task, "no echoed audio within 30 s; EchoPeer said:\n" + string.Join('\n', lines) + "\n--- browser ---\n" + browser.Log);
                Assert.Contains(lines, l => l.StartsWith("call ", StringComparison.Ordinal) && l.EndsWith(": answered", StringComparison.Ordinal));
                Assert.Contains("call: Connected", lines);
            }
        }
        finally
        {
            ProcessRunner.StopAndDispose(echo);
        }
    }
}
