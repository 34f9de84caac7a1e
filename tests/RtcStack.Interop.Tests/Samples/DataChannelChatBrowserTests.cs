using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using RtcStack.Interop.Tests.WebRtc;
using RtcStack.Sctp.DataChannels;
using RtcStack.TestSupport;
using RtcStack.TestSupport.Browsers;
using RtcStack.WebRtc;
using RtcStack.WebRtc.Io;
using Xunit;

namespace RtcStack.Interop.Tests.Samples;

/// <summary>
/// samples/DataChannelChat's own page in headless Chromium: the page joins the room (its offer with an application
/// m-section, its "chat" channel) and says one line, which must reach another member (our own WebRtcSession) as
/// "NAME: text", after "* NAME joined".
/// </summary>
[Trait("Category", "Interop")]
[Collection(RealTimePeersCollection.Name)]
public sealed class DataChannelChatBrowserTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task ChromiumJoinsTheChatPage_AndItsMessageReachesAnotherMember()
    {
        HeadlessBrowser.RequireExecutable(BrowserKind.Chromium);
        string config = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        string dll = Path.Combine(RepoPaths.Root, "samples", "DataChannelChat", "bin", config, "net10.0", "DataChannelChat.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build the solution");
        var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add("0");
        using Process chat = Process.Start(psi)!;
        try
        {
            string banner = await chat.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)) ?? "";
            Assert.StartsWith("DataChannelChat listening on ", banner, StringComparison.Ordinal);
            var sampleOutput = new StringBuilder();
            _ = Task.Run(async () =>
            {
                while (await chat.StandardOutput.ReadLineAsync() is string line)
                {
                    lock (sampleOutput)
                    {
                        sampleOutput.AppendLine(line);
                    }
                }
            });
            string url = banner["DataChannelChat listening on ".Length..];

            // The other member: our own session, which opens its "chat" channel once SCTP is up, as the page does.
            using var host = new UdpSessionHost(new UdpSessionHostOptions { BindAddress = IPAddress.Loopback, IncludeLoopback = true });
            using var session = new WebRtcSession();
            var heard = new List<string>();
            DataChannel? botChat = null;
            UdpSessionHandle handle = host.Add(session, (_, now) =>
            {
                while (session.TryPollEvent(out SessionEvent? e))
                {
                    if (e is SessionDataChannelEvent { Event: DataChannelTransportConnectedEvent })
                    {
                        botChat = session.CreateDataChannel(new DataChannelOptions { Label = "chat" }, now);
                    }
                    else if (e is SessionDataChannelEvent { Event: DataChannelMessageEvent message })
                    {
                        heard.Add(Encoding.UTF8.GetString(message.Data));
                    }
                }
            });
            string offer = handle.Invoke(now =>
            {
                session.AddDataChannels();
                session.CreateOffer(now);
                return session.GetLocalDescription();
            });
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            using var content = new StringContent(offer, Encoding.UTF8);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/sdp");
            using HttpResponseMessage joined = await http.PostAsync(new Uri(url + "/join?name=bot"), content);
            Assert.Equal(HttpStatusCode.Created, joined.StatusCode);
            string answer = await joined.Content.ReadAsStringAsync();
            Assert.True(handle.Invoke(now => session.TryApplyAnswer(answer, now, out _)));

            var watch = Stopwatch.StartNew();
            while (handle.Invoke(_ => botChat?.State) != DataChannelState.Open)
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), "the bot's own channel did not open: " + handle.Invoke(_ => session.State));
                await Task.Delay(50);
            }

            using HeadlessBrowser browser = HeadlessBrowser.Launch(BrowserKind.Chromium, url + "/?name=chromium&join&say=" + Uri.EscapeDataString("hello from the page ✓"), ["--enable-logging=stderr"]);
            watch.Restart();
            string[] expected = ["* chromium joined", "chromium: hello from the page ✓"];
            while (!expected.All(handle.Invoke(_ => heard.ToList()).Contains) && watch.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(100);
            }

            List<string> got = handle.Invoke(_ => heard.ToList());
            output.WriteLine(string.Join('\n', got));
            lock (sampleOutput)
            {
                Assert.True(expected.All(got.Contains), "the bot heard:\n" + string.Join('\n', got) + "\n--- the sample ---\n" + sampleOutput + "\n--- browser ---\n" + browser.Log);
            }

            host.Remove(handle);
        }
        finally
        {
            ProcessRunner.StopAndDispose(chat);
        }
    }
}
