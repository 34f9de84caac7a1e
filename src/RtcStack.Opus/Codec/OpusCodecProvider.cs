using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace RtcStack.Opus;

/// <summary>
/// Creates Opus encoders and decoders on one implementation, chosen once: libopus where it loads
/// (the fast path), Concentus where it does not (Windows, macOS, containers without libopus), or
/// the one a <see cref="OpusImplementationPreference"/> demands. The choice is logged once at
/// construction and exposed through <see cref="Implementation"/> and <see cref="Description"/>,
/// so statistics can report it (W3C <c>RTCInboundRtpStreamStats.decoderImplementation</c> and
/// <c>RTCOutboundRtpStreamStats.encoderImplementation</c> take <see cref="ImplementationName"/>).
/// </summary>
public sealed class OpusCodecProvider
{
    private static readonly Lazy<OpusCodecProvider> s_default = new(() => new OpusCodecProvider());

    /// <summary>Initializes a new instance of the <see cref="OpusCodecProvider"/> class.</summary>
    /// <param name="preference">Which implementation to use; <see cref="OpusImplementationPreference.Auto"/> tries libopus first.</param>
    /// <param name="logger">Receives one information line naming the choice (and why libopus was not used).</param>
    /// <exception cref="OpusLibraryNotFoundException"><paramref name="preference"/> is LibOpus and libopus cannot be loaded.</exception>
    public OpusCodecProvider(OpusImplementationPreference preference = OpusImplementationPreference.Auto, ILogger? logger = null)
        : this(preference, logger, OpusLibrary.EnsureLoaded)
    {
    }

    /// <summary>Test seam: <paramref name="loadLibOpus"/> stands in for <see cref="OpusLibrary.EnsureLoaded"/>.</summary>
    internal OpusCodecProvider(OpusImplementationPreference preference, ILogger? logger, Action loadLibOpus)
    {
        logger ??= NullLogger.Instance;
        switch (preference)
        {
            case OpusImplementationPreference.Concentus:
                Implementation = OpusImplementation.Concentus;
                Description = $"Concentus {ConcentusVersion} (managed, chosen by configuration)";
                break;
            case OpusImplementationPreference.LibOpus:
                loadLibOpus();
                Implementation = OpusImplementation.LibOpus;
                Description = $"{LibOpusDescription()} (chosen by configuration)";
                break;
            case OpusImplementationPreference.Auto:
                try
                {
                    loadLibOpus();
                    Implementation = OpusImplementation.LibOpus;
                    Description = LibOpusDescription();
                }
                catch (OpusLibraryNotFoundException ex)
                {
                    Implementation = OpusImplementation.Concentus;
                    Description = $"Concentus {ConcentusVersion} (managed; libopus not loaded: {ex.Message})";
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(preference), preference, "Unknown preference.");
        }

        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.LogInformation("Opus codec: {OpusImplementation}: {OpusDescription}", ImplementationName, Description);
        }
    }

    /// <summary>Gets a provider with the automatic choice, created (and its choice made) on first use.</summary>
    public static OpusCodecProvider Default => s_default.Value;

    /// <summary>Gets the version of the Concentus assembly this build references.</summary>
    public static string ConcentusVersion { get; } =
        typeof(Concentus.Structs.OpusDecoder).Assembly.GetName().Version?.ToString(3) ?? "unknown";

    /// <summary>Gets the implementation every encoder and decoder from this provider uses.</summary>
    public OpusImplementation Implementation { get; }

    /// <summary>Gets the short name for statistics: <c>libopus</c> or <c>Concentus</c>.</summary>
    public string ImplementationName => Implementation == OpusImplementation.LibOpus ? "libopus" : "Concentus";

    /// <summary>Gets a human-readable account of the choice: version, file loaded from, or why libopus was not used.</summary>
    public string Description { get; }

    /// <summary>Creates an encoder (RFC 6716 §5) on <see cref="Implementation"/>.</summary>
    public IOpusEncoder CreateEncoder(int sampleRate, int channels, OpusApplication application)
        => Implementation == OpusImplementation.LibOpus
            ? new OpusEncoder(sampleRate, channels, application)
            : new ConcentusOpusEncoder(sampleRate, channels, application);

    /// <summary>Creates a decoder (RFC 6716 §4) on <see cref="Implementation"/>.</summary>
    public IOpusDecoder CreateDecoder(int sampleRate, int channels)
        => Implementation == OpusImplementation.LibOpus
            ? new OpusDecoder(sampleRate, channels)
            : new ConcentusOpusDecoder(sampleRate, channels);

    private static string LibOpusDescription() => $"{OpusLibrary.Version} from {OpusLibrary.LoadedFrom}";
}
