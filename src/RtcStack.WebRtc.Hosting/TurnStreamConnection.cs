using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;
using RtcStack.Stun;
using RtcStack.Stun.Turn;

namespace RtcStack.WebRtc.Io;

/// <summary>
/// One TCP or TLS-over-TCP connection from a session to a TURN server (RFC 8656 §3.1). The session's TURN client
/// (sans-IO, in RtcStack.Stun) writes whole framed messages; this class carries them on
/// <see cref="System.IO.Pipelines"/>: <see cref="TrySend"/> appends to an outgoing <see cref="Pipe"/> that a write loop
/// drains onto the stream, and a read loop cuts the incoming stream (a <see cref="PipeReader"/> over it) into STUN and
/// ChannelData messages with <see cref="TurnStreamFraming"/> and hands each to the session. The socket is bound to the
/// host candidate's address, so the relay is reached over the same interface as the candidate it belongs to.
/// </summary>
internal sealed class TurnStreamConnection
{
    // Like a socket send buffer: a connection that cannot keep up loses messages instead of growing without bound.
    private const int MaxQueuedBytes = 1 << 20;

    private readonly Pipe _outgoing = new(new PipeOptions(pauseWriterThreshold: 0, resumeWriterThreshold: 0, useSynchronizationContext: false));
    private readonly Lock _writeGate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly string? _serverName;
    private readonly RemoteCertificateValidationCallback? _validation;
    private readonly TimeSpan _connectTimeout;
    private readonly MessageHandler _onMessage;
    private readonly Action<string> _onClosed;
    private readonly ILogger _logger;
    private long _queued;
    private bool _writerCompleted;
    private volatile bool _disposed;

    public TurnStreamConnection(
        TransportAddress local,
        TransportAddress server,
        TurnTransport transport,
        string? serverName,
        RemoteCertificateValidationCallback? validation,
        TimeSpan connectTimeout,
        MessageHandler onMessage,
        Action<string> onClosed,
        ILogger logger)
    {
        Local = local;
        Server = server;
        Transport = transport;
        _serverName = serverName;
        _validation = validation;
        _connectTimeout = connectTimeout;
        _onMessage = onMessage;
        _onClosed = onClosed;
        _logger = logger;
    }

    /// <summary>Receives one whole message from the server.</summary>
    public delegate void MessageHandler(ReadOnlySpan<byte> message);

    public TransportAddress Local { get; }

    public TransportAddress Server { get; }

    public TurnTransport Transport { get; }

    /// <summary>Gets the number of messages dropped because the connection was closed or its queue full.</summary>
    public long Dropped { get; private set; }

    public Task? Running { get; private set; }

    public void Start() => Running = Task.Run(RunAsync);

    /// <summary>Queues one whole message (already framed: ChannelData padded). False when closed or the queue is full.</summary>
    public bool TrySend(ReadOnlySpan<byte> message)
    {
        lock (_writeGate)
        {
            if (_writerCompleted || Interlocked.Read(ref _queued) + message.Length > MaxQueuedBytes)
            {
                Dropped++;
                return false;
            }

            _outgoing.Writer.Write(message);
            Interlocked.Add(ref _queued, message.Length);

            // No back-pressure threshold: the flush completes at once and only wakes the write loop.
            ValueTask<FlushResult> flush = _outgoing.Writer.FlushAsync();
            if (!flush.IsCompletedSuccessfully)
            {
                _ = flush.AsTask();
            }

            return true;
        }
    }

    /// <summary>
    /// Closes the connection: what is queued is still written (a deallocation, for instance) for up to a second, then the
    /// socket closes, which also ends the allocation on the server (RFC 8656 §3.1). No closed report follows.
    /// </summary>
    public void Dispose()
    {
        _disposed = true;
        lock (_writeGate)
        {
            if (!_writerCompleted)
            {
                _writerCompleted = true;
                _outgoing.Writer.Complete();
            }
        }

        try
        {
            _stop.CancelAfter(TimeSpan.FromSeconds(1));
        }
        catch (ObjectDisposedException)
        {
            // Already finished.
        }
    }

    private async Task RunAsync()
    {
        string reason = "closed by the server";
        Socket? socket = null;
        Stream? stream = null;
        try
        {
            socket = new Socket(Server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            socket.Bind(new IPEndPoint(Local.ToIPAddress(), 0));
            using (var connect = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
            {
                connect.CancelAfter(_connectTimeout);
                await socket.ConnectAsync(Server.ToIPEndPoint(), connect.Token).ConfigureAwait(false);
                stream = new NetworkStream(socket, ownsSocket: true);
                if (Transport == TurnTransport.Tls)
                {
                    var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                    stream = tls;
                    await tls.AuthenticateAsClientAsync(
                        new SslClientAuthenticationOptions
                        {
                            TargetHost = _serverName ?? Server.AddressToString(),
                            RemoteCertificateValidationCallback = _validation,
                        },
                        connect.Token).ConfigureAwait(false);
                }
            }

            _logger.LogDebug("TURN {Transport} connection {Local} -> {Server} open", Transport, socket.LocalEndPoint, Server);
            Task writing = WriteLoopAsync(stream);
            Task<string> reading = ReadLoopAsync(stream);
            Task first = await Task.WhenAny(writing, reading).ConfigureAwait(false);
            if (first == reading)
            {
                reason = await reading.ConfigureAwait(false);
            }
            else
            {
                await writing.ConfigureAwait(false);
                reason = "closed";
            }
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or AuthenticationException or InvalidDataException or ObjectDisposedException)
        {
            reason = e is OperationCanceledException && !_disposed ? "connect timed out" : e.Message;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever else ends the connection (a fault in the session's handler included) must still reach the session,
            // or its relay would wait for Ti instead of failing.
            _logger.LogWarning(e, "TURN {Transport} connection to {Server} failed", Transport, Server);
            reason = e.GetType().Name + ": " + e.Message;
        }
        finally
        {
            lock (_writeGate)
            {
                if (!_writerCompleted)
                {
                    _writerCompleted = true;
                    _outgoing.Writer.Complete();
                }
            }

            _outgoing.Reader.Complete();
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                socket?.Dispose();
            }

            _stop.Dispose();
        }

        _logger.LogDebug("TURN {Transport} connection to {Server} ended: {Reason}", Transport, Server, reason);
        if (!_disposed)
        {
            _onClosed(reason);
        }
    }

    private async Task WriteLoopAsync(Stream stream)
    {
        PipeReader queue = _outgoing.Reader;
        while (true)
        {
            ReadResult r = await queue.ReadAsync(_stop.Token).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = r.Buffer;
            foreach (ReadOnlyMemory<byte> segment in buffer)
            {
                await stream.WriteAsync(segment, _stop.Token).ConfigureAwait(false);
            }

            await stream.FlushAsync(_stop.Token).ConfigureAwait(false);
            Interlocked.Add(ref _queued, -buffer.Length);
            queue.AdvanceTo(buffer.End);
            if (r.IsCompleted)
            {
                return;
            }
        }
    }

    private async Task<string> ReadLoopAsync(Stream stream)
    {
        PipeReader reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        try
        {
            while (true)
            {
                ReadResult r = await reader.ReadAsync(_stop.Token).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = r.Buffer;
                if (!DeliverWhole(ref buffer))
                {
                    return "the server sent bytes that are neither STUN nor ChannelData (RFC 8656 §12)";
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (r.IsCompleted || r.IsCanceled)
                {
                    return "closed by the server";
                }
            }
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    // Hands every whole message at the front of buffer to the session and leaves buffer at the first incomplete one.
    private bool DeliverWhole(ref ReadOnlySequence<byte> buffer)
    {
        Span<byte> head = stackalloc byte[8];
        while (true)
        {
            int h = (int)Math.Min(head.Length, buffer.Length);
            buffer.Slice(0, h).CopyTo(head);
            TurnStreamFrameStatus status = TurnStreamFraming.TryGetFrameLength(head[..h], out int length);
            if (status == TurnStreamFrameStatus.Invalid)
            {
                return false;
            }

            if (status == TurnStreamFrameStatus.NeedMore || buffer.Length < length)
            {
                return true;
            }

            ReadOnlySequence<byte> message = buffer.Slice(0, length);
            if (message.IsSingleSegment)
            {
                _onMessage(message.FirstSpan);
            }
            else
            {
                byte[] copy = ArrayPool<byte>.Shared.Rent(length);
                message.CopyTo(copy);
                _onMessage(copy.AsSpan(0, length));
                ArrayPool<byte>.Shared.Return(copy);
            }

            buffer = buffer.Slice(length);
        }
    }
}
