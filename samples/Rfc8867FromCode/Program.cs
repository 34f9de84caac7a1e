// Rfc8867FromCode: run one RFC 8867 test case (§5.1, variable available capacity with a single media flow) in the
// deterministic network simulator, from code, and write its time series as CSV and as an SVG plot.
//
//   dotnet run --project samples/Rfc8867FromCode -- [OUT_DIR] [gcc|nada|scream] [SEED]
//
// Nothing here waits on a clock: the simulator runs the 100 s case in virtual time, in milliseconds of CPU, and the
// same seed gives the same numbers. `rtcstack sim` does this for every case; this is the few lines underneath.
using System.Globalization;
using System.Text;
using RtcStack.NetSim.Metrics;
using RtcStack.NetSim.Scenarios;

string outDir = args.Length > 0 ? args[0] : "rfc8867-out";
string controller = args.Length > 1 ? args[1] : "gcc";
int seed = args.Length > 2 && int.TryParse(args[2], out int s) ? s : 1;
if (!ScenarioRunner.Controllers.Contains(controller))
{
    Console.Error.WriteLine($"unknown controller '{controller}'; built in: {string.Join(", ", ScenarioRunner.Controllers)}");
    return 2;
}

// 1. The scenario: RFC 8867 §5.1's link (capacity 1 → 2.5 → 0.6 → 1 Mbit/s over 100 s, 50 ms one way) and one flow.
//    Rfc8867Presets has every case of §5; a ScenarioDefinition can also be built by hand or read from JSON.
ScenarioDefinition scenario = Rfc8867Presets.Case51();

// 2. Run it with a built-in congestion controller. The result holds 200 ms samples of every flow and link.
ScenarioResult result = ScenarioRunner.Run(scenario, controller, seed);
FlowSeries flow = result.Flows[0];
LinkSeries link = result.Links[0];

// 3. The numbers RFC 8868 asks for, over the whole run.
foreach (FlowSummary summary in result.Summary.Flows)
{
    Console.WriteLine($"{summary.Id} ({controller}, seed {seed}): sent {summary.AvgSendBps / 1000:F0} kbit/s, " +
        $"received {summary.AvgReceiveBps / 1000:F0} kbit/s, median queue delay {summary.QueueDelayP50Ms:F1} ms");
}

// 4. CSV: one row per 200 ms step: time, link capacity, the controller's target, send and receive rates, queue delay.
Directory.CreateDirectory(outDir);
var csv = new StringBuilder("time_s,capacity_kbps,target_kbps,send_kbps,receive_kbps,queue_delay_p50_ms\n");
for (int i = 0; i < result.Times.Count; i++)
{
    csv.AppendLine(string.Create(CultureInfo.InvariantCulture,
        $"{result.Times[i]:F1},{link.CapacityBps[i] / 1000:F1},{flow.TargetBps[i] / 1000:F1},{flow.SendBps[i] / 1000:F1},{flow.ReceiveBps[i] / 1000:F1},{flow.QueueDelayP50Ms[i]:F1}"));
}

string csvPath = Path.Combine(outDir, "case-5.1.csv");
File.WriteAllText(csvPath, csv.ToString());

// 5. The plot: capacity against what the flow sent and what arrived, as SVG polylines (no plotting library).
const double Width = 800, Height = 300;
double maxKbps = Math.Max(link.CapacityBps.Max(), flow.SendBps.Max()) / 1000 * 1.1;
double maxTime = result.Times[^1];
string Line(List<double> bps, string colour, string label, int row)
{
    string points = string.Join(' ', bps.Select((v, i) => string.Create(CultureInfo.InvariantCulture,
        $"{result.Times[i] / maxTime * Width:F1},{Height - (v / 1000 / maxKbps * Height):F1}")));
    return $"<polyline fill=\"none\" stroke=\"{colour}\" points=\"{points}\"/>" +
        $"<text x=\"10\" y=\"{20 * row}\" fill=\"{colour}\">{label}</text>\n";
}

string svg = $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" font-family=\"sans-serif\" font-size=\"12\">\n" +
    $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n" +
    Line(link.CapacityBps, "black", "link capacity", 1) +
    Line(flow.SendBps, "steelblue", $"sent ({controller})", 2) +
    Line(flow.ReceiveBps, "darkorange", "received", 3) +
    string.Create(CultureInfo.InvariantCulture, $"<text x=\"{Width - 230}\" y=\"20\">0-{maxKbps:F0} kbit/s, 0-{maxTime:F0} s</text>\n") +
    "</svg>\n";
string svgPath = Path.Combine(outDir, "case-5.1.svg");
File.WriteAllText(svgPath, svg);
Console.WriteLine($"wrote {csvPath} ({result.Times.Count} rows) and {svgPath}");
return 0;
