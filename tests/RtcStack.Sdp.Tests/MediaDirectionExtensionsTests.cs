using Xunit;

namespace RtcStack.Sdp.Tests;

/// <summary>
/// The answer direction, pinned case by case: RFC 3264 §6.1 (an answer may send only what the offer receives and
/// receive only what it sends) and RFC 8829 §5.3.1 (the answer takes the intersection with the answerer's own
/// direction). The property test in SdpPropertyTests only bounds the answer from above, which an answerer that always
/// says "inactive" would also meet; this table does not allow that.
/// </summary>
public class MediaDirectionExtensionsTests
{
    [Theory]
    [InlineData(MediaDirection.SendRecv, MediaDirection.SendRecv, MediaDirection.SendRecv)]
    [InlineData(MediaDirection.SendRecv, MediaDirection.SendOnly, MediaDirection.SendOnly)]
    [InlineData(MediaDirection.SendRecv, MediaDirection.RecvOnly, MediaDirection.RecvOnly)]
    [InlineData(MediaDirection.SendRecv, MediaDirection.Inactive, MediaDirection.Inactive)]
    [InlineData(MediaDirection.SendOnly, MediaDirection.SendRecv, MediaDirection.RecvOnly)]
    [InlineData(MediaDirection.SendOnly, MediaDirection.SendOnly, MediaDirection.Inactive)]
    [InlineData(MediaDirection.SendOnly, MediaDirection.RecvOnly, MediaDirection.RecvOnly)]
    [InlineData(MediaDirection.SendOnly, MediaDirection.Inactive, MediaDirection.Inactive)]
    [InlineData(MediaDirection.RecvOnly, MediaDirection.SendRecv, MediaDirection.SendOnly)]
    [InlineData(MediaDirection.RecvOnly, MediaDirection.SendOnly, MediaDirection.SendOnly)]
    [InlineData(MediaDirection.RecvOnly, MediaDirection.RecvOnly, MediaDirection.Inactive)]
    [InlineData(MediaDirection.RecvOnly, MediaDirection.Inactive, MediaDirection.Inactive)]
    [InlineData(MediaDirection.Inactive, MediaDirection.SendRecv, MediaDirection.Inactive)]
    [InlineData(MediaDirection.Inactive, MediaDirection.SendOnly, MediaDirection.Inactive)]
    [InlineData(MediaDirection.Inactive, MediaDirection.RecvOnly, MediaDirection.Inactive)]
    [InlineData(MediaDirection.Inactive, MediaDirection.Inactive, MediaDirection.Inactive)]
    public void AnswerToFollowsTheRfc3264Table(MediaDirection offered, MediaDirection wanted, MediaDirection expected)
    {
        Assert.Equal(expected, offered.AnswerTo(wanted));
    }

    [Theory]
    [InlineData(MediaDirection.SendRecv, MediaDirection.SendRecv)]
    [InlineData(MediaDirection.SendOnly, MediaDirection.RecvOnly)]
    [InlineData(MediaDirection.RecvOnly, MediaDirection.SendOnly)]
    [InlineData(MediaDirection.Inactive, MediaDirection.Inactive)]
    public void ReverseIsTheOtherSidesView(MediaDirection direction, MediaDirection reversed)
    {
        Assert.Equal(reversed, direction.Reverse());
    }
}
