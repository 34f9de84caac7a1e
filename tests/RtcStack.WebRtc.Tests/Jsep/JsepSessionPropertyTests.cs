using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RtcStack.Sdp;
using RtcStack.WebRtc.Jsep;
using static RtcStack.WebRtc.Tests.Jsep.JsepTestKit;

namespace RtcStack.WebRtc.Tests.Jsep;

/// <summary>
/// Random sequences of add / stop / direction / offer-answer (either side) / rollback / glare between two JsepSessions
/// always end with both sides agreeing on every m= section (RFC 8829 §5.8, §5.10).
/// </summary>
public sealed class JsepSessionPropertyTests
{
    /// <summary>One step of a run.</summary>
    public abstract record Op;

    /// <summary>Side adds a transceiver (kind 0 audio, 1 video, 2 the data section) with a direction.</summary>
    public sealed record Add(int Side, int Kind, int Direction) : Op;

    /// <summary>Side stops one of its transceivers (any index: taken modulo the count).</summary>
    public sealed record Stop(int Side, int Index) : Op;

    /// <summary>Side changes the direction of one of its transceivers.</summary>
    public sealed record Direct(int Side, int Index, int Direction) : Op;

    /// <summary>Side offers, the other answers.</summary>
    public sealed record Exchange(int Offerer) : Op;

    /// <summary>Side creates and applies an offer, then rolls it back.</summary>
    public sealed record LocalRollback(int Side) : Op;

    /// <summary>The other side offers; Side applies the offer and rolls it back.</summary>
    public sealed record RemoteRollback(int Side) : Op;

    /// <summary>Both sides offer at once; Polite rolls back and answers the other's offer.</summary>
    public sealed record Glare(int Polite) : Op;

    private static Gen<Op> OpGen()
    {
        Gen<int> side = Gen.Choose(0, 1);
        Gen<int> any = Gen.Choose(int.MinValue, int.MaxValue);
        Gen<int> direction = Gen.Choose(0, 3);
        return Gen.Frequency(
            (5, from s in side from k in Gen.Choose(0, 2) from d in direction select (Op)new Add(s, k, d)),
            (2, from s in side from i in any select (Op)new Stop(s, i)),
            (3, from s in side from i in any from d in direction select (Op)new Direct(s, i, d)),
            (5, from s in side select (Op)new Exchange(s)),
            (1, from s in side select (Op)new LocalRollback(s)),
            (1, from s in side select (Op)new RemoteRollback(s)),
            (1, from s in side select (Op)new Glare(s)));
    }

    private static Arbitrary<Op[]> Sequences() =>
        Arb.From(
            Gen.Choose(0, 40).SelectMany(n => OpGen().ArrayOf(n)),
            ops => Enumerable.Range(0, ops.Length).Select(i => ops.Where((_, k) => k != i).ToArray()));

    [Property(MaxTest = 200)]
    public Property EverySequenceEndsWithBothSidesAgreeing() =>
        Prop.ForAll(Sequences(), Run);

    private static bool Run(Op[] ops)
    {
        var sides = new[] { new JsepSession(Options(100)), new JsepSession(Options(101)) };
        foreach (Op op in ops)
        {
            switch (op)
            {
                case Add(int s, int k, int d):
                    if (k == 2)
                    {
                        sides[s].AddDataSection();
                    }
                    else
                    {
                        sides[s].AddTransceiver(k == 0 ? MediaKind.Audio : MediaKind.Video, (MediaDirection)d);
                    }

                    break;
                case Stop(int s, int i):
                    Pick(sides[s], i)?.Stop();
                    break;
                case Direct(int s, int i, int d):
                    if (Pick(sides[s], i) is { Stopping: false, Kind: not MediaKind.Application } t)
                    {
                        t.Direction = (MediaDirection)d;
                    }

                    break;
                case Exchange(int s):
                    JsepTestKit.Exchange(sides[s], sides[1 - s]);
                    AssertConsistent(sides[0], sides[1]);
                    break;
                case LocalRollback(int s):
                    sides[s].SetLocalDescription(SdpType.Offer, sides[s].CreateOffer());
                    sides[s].SetLocalDescription(SdpType.Rollback, null);
                    break;
                case RemoteRollback(int s):
                    SessionDescription offer = sides[1 - s].CreateOffer();
                    sides[s].SetRemoteDescription(SdpType.Offer, SessionDescription.Parse(offer.ToString()));
                    sides[s].SetRemoteDescription(SdpType.Rollback, null);
                    break;
                case Glare(int polite):
                    JsepSession p = sides[polite];
                    JsepSession q = sides[1 - polite];
                    SessionDescription po = p.CreateOffer();
                    p.SetLocalDescription(SdpType.Offer, po);
                    SessionDescription qo = q.CreateOffer();
                    q.SetLocalDescription(SdpType.Offer, qo);
                    p.SetLocalDescription(SdpType.Rollback, null);
                    p.SetRemoteDescription(SdpType.Offer, SessionDescription.Parse(qo.ToString()));
                    SessionDescription answer = p.CreateAnswer();
                    p.SetLocalDescription(SdpType.Answer, answer);
                    q.SetRemoteDescription(SdpType.Answer, SessionDescription.Parse(answer.ToString()));
                    AssertConsistent(sides[0], sides[1]);
                    break;
            }
        }

        // Whatever happened, one more exchange each way leaves both sides with every transceiver negotiated.
        JsepTestKit.Exchange(sides[0], sides[1]);
        JsepTestKit.Exchange(sides[1], sides[0]);
        AssertConsistent(sides[0], sides[1]);
        foreach (JsepSession side in sides)
        {
            foreach (Transceiver t in side.Transceivers)
            {
                if (!t.Stopped)
                {
                    NegotiatedSection s = side.NegotiatedSections[t.MLineIndex!.Value];
                    if (s.Transceiver != t || s.Mid != t.Mid || (t.Kind != MediaKind.Application && s.Direction != Expected(side, t)))
                    {
                        return false;
                    }
                }
            }
        }

        return true;
    }

    // The last exchange was offered by side 1: side 0 answered what it wanted within the offer.
    private static MediaDirection Expected(JsepSession side, Transceiver t) => t.CurrentDirection!.Value;

    private static Transceiver? Pick(JsepSession side, int index) =>
        side.Transceivers.Count == 0 ? null : side.Transceivers[(int)((uint)index % (uint)side.Transceivers.Count)];
}
