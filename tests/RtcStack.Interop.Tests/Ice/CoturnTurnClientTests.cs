using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using RtcStack.Stun;
using RtcStack.Stun.Turn;
using Xunit;

namespace RtcStack.Interop.Tests.Ice;

/// <summary>Our sans-IO <see cref="TurnClient"/> against a real coturn on 127.0.0.1.</summary>
[Trait("Category", "Interop")]
public sealed class CoturnTurnClientTests
{
    [Fact]
    public void Allocate_RelayBothWays_IndicationsAndChannel_Refresh_Deallocate()
    {
        using var coturn = new CoturnServer();
        using var client = new UdpHarness();
        using var peer = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        peer.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        peer.ReceiveTimeout = 3000;
        var peerAddress = new TransportAddress((IPEndPoint)peer.LocalEndPoint!);

        var turn = new TurnClient(coturn.Address, client.Local, CoturnServer.User, CoturnServer.Password);
        turn.Allocate(client.Now);
        TurnAllocatedEvent allocated = client.PumpUntil<TurnAllocatedEvent>(turn);
        Assert.Equal(TurnClientState.Allocated, turn.State);
        Assert.True(allocated.Relayed.IsIPv4);
        Assert.Equal(client.Local, allocated.Mapped); // no NAT on loopback
        Assert.True(allocated.Lifetime > TimeSpan.Zero);

        // Send indication to the peer, after a permission.
        turn.CreatePermission(peerAddress, client.Now);
        client.PumpUntil<TurnPermissionCreatedEvent>(turn);
        client.SendThrough(turn, peerAddress, "hello via indication"u8);
        byte[] got = new byte[1500];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        int n = peer.ReceiveFrom(got, ref from);
        Assert.Equal("hello via indication", System.Text.Encoding.ASCII.GetString(got, 0, n));
        Assert.Equal(allocated.Relayed, new TransportAddress((IPEndPoint)from));

        // Peer to client: arrives as a Data indication.
        peer.SendTo("reply via data indication"u8, allocated.Relayed.ToIPEndPoint());
        (TransportAddress src, byte[] data) = client.ReceivePeerData(turn);
        Assert.Equal(peerAddress, src);
        Assert.Equal("reply via data indication", System.Text.Encoding.ASCII.GetString(data));

        // Channel both ways.
        ushort channel = turn.BindChannel(peerAddress, client.Now);
        TurnChannelBoundEvent bound = client.PumpUntil<TurnChannelBoundEvent>(turn);
        Assert.Equal(channel, bound.Channel);
        Assert.True(turn.TryGetChannel(peerAddress, out _));
        byte[] wrapped = new byte[100];
        Assert.Equal(4 + 12, turn.WrapSend(peerAddress, "over channel"u8, wrapped)); // ChannelData header only
        client.SendThrough(turn, peerAddress, "over channel"u8);
        n = peer.ReceiveFrom(got, ref from);
        Assert.Equal("over channel", System.Text.Encoding.ASCII.GetString(got, 0, n));
        peer.SendTo("channel reply"u8, allocated.Relayed.ToIPEndPoint());
        (src, data) = client.ReceivePeerData(turn, expectChannelData: true);
        Assert.Equal(peerAddress, src);
        Assert.Equal("channel reply", System.Text.Encoding.ASCII.GetString(data));

        // Refresh: jump the client's clock to just past its refresh point; coturn answers.
        client.Skew = allocated.Lifetime - TimeSpan.FromSeconds(59);
        TurnRefreshedEvent refreshed = client.PumpUntil<TurnRefreshedEvent>(turn);
        Assert.True(refreshed.Lifetime > TimeSpan.Zero);

        turn.Deallocate(client.Now);
        client.PumpUntil<TurnDeallocatedEvent>(turn);
        Assert.Equal(TurnClientState.Closed, turn.State);
    }

    [Fact]
    public void WrongPassword_FailsCleanlyWith401()
    {
        using var coturn = new CoturnServer();
        using var client = new UdpHarness();
        var turn = new TurnClient(coturn.Address, client.Local, CoturnServer.User, "not-the-password");
        turn.Allocate(client.Now);
        TurnFailedEvent failed = client.PumpUntil<TurnFailedEvent>(turn);
        Assert.Equal(StunErrorCode.Unauthenticated, failed.ErrorCode);
        Assert.Equal(TurnClientState.Failed, turn.State);
        Assert.Null(turn.PollTimeout()); // nothing left to retransmit
    }

    /// <summary>A UDP socket on 127.0.0.1 driving a TurnClient synchronously, with a real clock plus an optional skew.</summary>
    private sealed class UdpHarness : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly byte[] _buffer = new byte[2048];

        public UdpHarness()
        {
            _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            Local = new TransportAddress((IPEndPoint)_socket.LocalEndPoint!);
        }

        public TransportAddress Local { get; }

        public TimeSpan Skew { get; set; }

        public TimeSpan Now => _clock.Elapsed + Skew;

        public void Dispose() => _socket.Dispose();

        public void SendThrough(TurnClient turn, TransportAddress peer, ReadOnlySpan<byte> payload)
        {
            byte[] buf = new byte[2048];
            int n = turn.WrapSend(peer, payload, buf);
            _socket.SendTo(buf.AsSpan(0, n), SocketFlags.None, turn.Server.ToIPEndPoint());
        }

        public T PumpUntil<T>(TurnClient turn)
            where T : TurnEvent
        {
            var deadline = _clock.Elapsed + TimeSpan.FromSeconds(10);
            while (_clock.Elapsed < deadline)
            {
                Flush(turn);
                while (turn.TryPollEvent(out TurnEvent? ev))
                {
                    if (ev is T match)
                    {
                        return match;
                    }

                    if (ev is TurnFailedEvent f && typeof(T) != typeof(TurnFailedEvent))
                    {
                        throw new InvalidOperationException($"TURN failed: {f.ErrorCode} {f.Reason}");
                    }
                }

                ReceiveOnce(turn, out _, out _);
            }

            throw new TimeoutException("no " + typeof(T).Name);
        }

        public (TransportAddress Peer, byte[] Data) ReceivePeerData(TurnClient turn, bool expectChannelData = false)
        {
            var deadline = _clock.Elapsed + TimeSpan.FromSeconds(5);
            while (_clock.Elapsed < deadline)
            {
                Flush(turn);
                if (ReceiveOnce(turn, out TransportAddress peer, out byte[]? data) is TurnDataResult.PeerData)
                {
                    Assert.Equal(expectChannelData, (_buffer[0] & 0xC0) == 0x40);
                    return (peer, data!);
                }
            }

            throw new TimeoutException("no relayed data");
        }

        private void Flush(TurnClient turn)
        {
            turn.HandleTimeout(Now);
            while (turn.TryPollTransmit(_buffer, out int len))
            {
                _socket.SendTo(_buffer.AsSpan(0, len), SocketFlags.None, turn.Server.ToIPEndPoint());
            }
        }

        private TurnDataResult ReceiveOnce(TurnClient turn, out TransportAddress peer, out byte[]? data)
        {
            peer = default;
            data = null;
            if (!_socket.Poll(TimeSpan.FromMilliseconds(50), SelectMode.SelectRead))
            {
                return TurnDataResult.NotHandled;
            }

            int n = _socket.Receive(_buffer);
            TurnDataResult r = turn.HandleDatagram(_buffer.AsSpan(0, n), Now, out peer, out ReadOnlySpan<byte> payload);
            if (r == TurnDataResult.PeerData)
            {
                data = payload.ToArray();
            }

            return r;
        }
    }
}
