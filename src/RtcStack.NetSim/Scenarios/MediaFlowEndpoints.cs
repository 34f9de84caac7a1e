using RtcStack.NetSim.Endpoints;
using RtcStack.NetSim.Metrics;

namespace RtcStack.NetSim.Scenarios;

/// <summary>
/// What <see cref="ScenarioRunOptions.MediaFlowFactory"/> is given to build one media flow's two ends: the simulator
/// (virtual time 0, nothing attached yet), the flow as the scenario defines it, the controller name it runs, its index,
/// the addresses the runner attaches the ends at (routes are set), and the options the built-in sender would use.
/// </summary>
/// <param name="Simulator">The simulator (for its seeded random streams).</param>
/// <param name="Flow">The flow's definition.</param>
/// <param name="Index">The flow's index among the scenario's media flows.</param>
/// <param name="Controller">The controller name for this flow ("gcc", "nada", ...).</param>
/// <param name="Options">Start, stop, pauses, video and feedback settings, as the built-in sender gets them.</param>
/// <param name="SenderAddress">Where the sending end is attached.</param>
/// <param name="ReceiverAddress">Where the receiving end is attached.</param>
public sealed record MediaFlowSetup(
    Simulator Simulator,
    MediaFlowDefinition Flow,
    int Index,
    string Controller,
    MediaFlowOptions Options,
    SimAddress SenderAddress,
    SimAddress ReceiverAddress);

/// <summary>
/// One media flow's two ends built outside NetSim (for example two WebRTC sessions through an adapter), with what the
/// runner's metrics need from them.
/// </summary>
public sealed class MediaFlowEndpoints
{
    /// <summary>Gets the sending end.</summary>
    public required ISimEndpoint Sender { get; init; }

    /// <summary>Gets the receiving end.</summary>
    public required ISimEndpoint Receiver { get; init; }

    /// <summary>Gets the controller's name for the tables.</summary>
    public required string ControllerName { get; init; }

    /// <summary>Gets the controller's current target, bps (sampled every metrics interval).</summary>
    public required Func<double> TargetBitrateBps { get; init; }

    /// <summary>Gets the media bytes the sender put on the wire so far (read at the end of the run).</summary>
    public required Func<long> MediaBytesSent { get; init; }

    /// <summary>Gets the feedback bytes the receiver put on the wire so far (read at the end of the run).</summary>
    public required Func<long> FeedbackBytesSent { get; init; }

    /// <summary>
    /// Gets the call that hands the flow's metrics probe to the ends once the runner made it: they report each media
    /// packet received (<see cref="MetricsCollector.FlowProbe.OnReceived"/>) and each frame completed
    /// (<see cref="MetricsCollector.FlowProbe.OnFrame"/>). Packets sent and dropped are counted by the runner.
    /// </summary>
    public required Action<MetricsCollector.FlowProbe> AttachProbe { get; init; }
}
