using System.Buffers.Binary;
using System.Text;
using RtcStack.Ice;
using RtcStack.Stun;

namespace RtcStack.Fuzz.Targets;

/// <summary>
/// The ICE agent's receive path as a stateful target: the input is a sequence of datagrams
/// (2-byte length prefix each, from one of four sources, at advancing times) fed to a controlled
/// agent that knows one remote candidate. Datagrams that happen to be well-formed STUN get valid
/// MESSAGE-INTEGRITY and FINGERPRINT re-applied half of the time, so the authenticated paths
/// (role conflict, nomination, peer-reflexive learning, responses) are reached too. The agent must
/// never throw, and its timers must always advance.
/// </summary>
[FuzzTarget("ice-agent")]
public sealed class IceAgentTarget : IFuzzTarget
{
    private static readonly TransportAddress s_local = TransportAddress.Parse("10.0.0.1:1000");
    private static readonly TransportAddress[] s_sources =
    [
        TransportAddress.Parse("10.0.0.2:2000"),
        TransportAddress.Parse("10.0.0.3:3000"),
        TransportAddress.Parse("[2001:db8::1]:4000"),
        TransportAddress.Parse("192.0.2.1:3478"),
    ];

    /// <inheritdoc/>
    public void Run(ReadOnlySpan<byte> data)
    {
        var agent = new IceAgent(new IceAgentOptions
        {
            Role = IceRole.Controlled,
            Random = new Random(1),
            LocalCredentials = new IceCredentials("locl", "localpasswordlocalpassword"),
            TieBreaker = 0x8000_0000_0000_0000,
        });
        agent.AddHostAddress(s_local);
        agent.SetRemoteCredentials("remt", "remotepasswordremotepassword");
        TimeSpan now = TimeSpan.Zero;
        agent.StartGathering(now);
        agent.AddRemoteCandidate(new IceCandidate("1", 1, IceTransportProtocol.Udp, 2130706431, s_sources[0], IceCandidateType.Host), now);
        byte[] buffer = new byte[2048];
        byte[] local = Encoding.ASCII.GetBytes("localpasswordlocalpassword");
        byte[] remote = Encoding.ASCII.GetBytes("remotepasswordremotepassword");
        int i = 0;
        while (i + 3 <= data.Length)
        {
            int header = data[i];
            int length = Math.Min(BinaryPrimitives.ReadUInt16BigEndian(data[(i + 1)..]), data.Length - i - 3);
            ReadOnlySpan<byte> datagram = data.Slice(i + 3, length);
            i += 3 + length;
            now += TimeSpan.FromMilliseconds(header >> 3);
            TransportAddress from = s_sources[header & 3];
            if ((header & 4) != 0 && StunMessageReader.TryParse(datagram, out StunMessageReader m) == StunParseStatus.Ok)
            {
                datagram = Resign(datagram, m.Class == StunClass.Request ? local : remote);
            }

            agent.HandleDatagram(s_local, from, datagram, now, out ReadOnlySpan<byte> app);
            if (app.Length > datagram.Length)
            {
                throw new InvalidOperationException("application data larger than the datagram");
            }

            Drain(agent, buffer);
            if (agent.PollTimeout() is TimeSpan t && t <= now)
            {
                agent.HandleTimeout(now);
                Drain(agent, buffer);
            }
        }

        // Let the timers run out: each wake-up must move time forward.
        for (int k = 0; k < 200 && agent.PollTimeout() is TimeSpan t; k++)
        {
            if (t < now)
            {
                agent.HandleTimeout(now);
                if (agent.PollTimeout() is TimeSpan again && again < now)
                {
                    throw new InvalidOperationException("a timeout in the past was not consumed");
                }
            }

            now = t > now ? t : now;
            agent.HandleTimeout(now);
            Drain(agent, buffer);
        }
    }

    private static void Drain(IceAgent agent, byte[] buffer)
    {
        while (agent.TryPollTransmit(buffer, out IceTransmit t))
        {
            if (t.Length > buffer.Length || t.Source != s_local)
            {
                throw new InvalidOperationException("bad transmit");
            }
        }

        while (agent.TryPollEvent(out _))
        {
        }
    }

    // Rewrites the message's attributes up to MESSAGE-INTEGRITY, then appends a valid MI and FINGERPRINT.
    private static byte[] Resign(ReadOnlySpan<byte> datagram, byte[] key)
    {
        StunMessageReader.TryParse(datagram, out StunMessageReader m);
        byte[] buf = new byte[datagram.Length + 64];
        var w = new StunMessageWriter(buf, m.MessageType, m.TransactionId);
        foreach (StunAttribute a in m.GetAttributes())
        {
            if (a.Type is StunAttributeType.MessageIntegrity or StunAttributeType.MessageIntegritySha256 or StunAttributeType.Fingerprint)
            {
                break;
            }

            if (w.Length + 8 + a.Value.Length + 32 > buf.Length)
            {
                break;
            }

            w.AddAttribute(a.Type, a.Value);
        }

        w.AddMessageIntegrity(key);
        w.AddFingerprint();
        return w.Written.ToArray();
    }
}
