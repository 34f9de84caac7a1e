using RtcStack.Sctp.Packets;

namespace RtcStack.Sctp;

public sealed partial class SctpAssociation
{
    private readonly List<ushort> _streamsToReset = new();
    private uint _nextRequestSequence;
    private uint _peerNextRequestSequence;
    private uint _peerLastRequestSequence;
    private ReconfigResult _peerLastResult;
    private PendingReset? _ourRequest;
    private PendingReset? _deferredReset;
    private TimeSpan? _reconfigTimer;

    /// <summary>
    /// Resets outgoing streams (RFC 6525 §5.1.2, how RFC 8831 §6.7 closes a data channel): messages already
    /// queued on them are sent first, then an Outgoing SSN Reset Request goes out; new sends on them fail
    /// until the peer answers (reported as <see cref="SctpStreamsResetEvent"/> with Incoming false).
    /// </summary>
    /// <param name="streams">The streams to reset.</param>
    /// <param name="now">The current monotonic time.</param>
    public void ResetStreams(ReadOnlySpan<ushort> streams, TimeSpan now)
    {
        if (State != SctpAssociationState.Established)
        {
            throw new InvalidOperationException("streams can be reset only on an established association");
        }

        if (!_peerSupportsReconfig)
        {
            throw new InvalidOperationException("the peer did not offer RE-CONFIG (RFC 6525)");
        }

        foreach (ushort id in streams)
        {
            OutboundStream stream = GetOutbound(id);
            if (!stream.ResetPending)
            {
                stream.ResetPending = true;
                _streamsToReset.Add(id);
            }
        }

        Flush(now);
    }

    private void TryStartStreamReset(TimeSpan now)
    {
        if (_ourRequest is not null || _streamsToReset.Count == 0 || State != SctpAssociationState.Established)
        {
            return;
        }

        // Wait until every message queued on these streams has its TSNs (RFC 6525 §5.1.2: the Sender's
        // Last Assigned TSN must cover them).
        foreach (ushort id in _streamsToReset)
        {
            if (_outbound[id].Queue.Count > 0 || _outbound[id].Current is not null)
            {
                return;
            }
        }

        int count = Math.Min(_streamsToReset.Count, (_mtu - 64) / 2);
        ushort[] streams = _streamsToReset.GetRange(0, count).ToArray();
        _streamsToReset.RemoveRange(0, count);
        _ourRequest = new PendingReset(_nextRequestSequence++, streams, _nextTsn - 1);
        QueueResetRequest(_ourRequest);
        _reconfigTimer = now + _rto.Rto;
    }

    private void QueueResetRequest(PendingReset request)
    {
        byte[] parameter = new byte[(OutgoingResetRequest.FixedLength + (2 * request.Streams.Length) + 3) & ~3];
        OutgoingResetRequest.Write(parameter, request.Sequence, _peerLastRequestSequence, (uint)request.LastTsn, request.Streams);
        QueueControl(SctpChunkType.ReConfig, 0, parameter);
    }

    private void OnReconfigTimer(TimeSpan now)
    {
        if (_ourRequest is null)
        {
            _reconfigTimer = null;
            return;
        }

        // RFC 6525 §5.1.1: retransmit the request on T3-rtx-like expiry; it counts as an association error.
        _errorCount++;
        if (_errorCount > _options.MaxRetransmissions)
        {
            Fail("RE-CONFIG unanswered");
            return;
        }

        QueueResetRequest(_ourRequest);
        _reconfigTimer = now + _rto.Rto;
    }

    private void HandleReconfig(ReadOnlySpan<byte> value, TimeSpan now)
    {
        foreach (SctpParameter p in new SctpParameterEnumerator(value))
        {
            if (OutgoingResetRequest.TryParse(p, out OutgoingResetRequest request))
            {
                HandleOutgoingResetRequest(request);
            }
            else if (ReconfigResponse.TryParse(p, out ReconfigResponse response))
            {
                HandleReconfigResponse(response, now);
            }
            else if (p.Type is (ushort)SctpParameterType.IncomingSsnResetRequest or (ushort)SctpParameterType.SsnTsnResetRequest
                or (ushort)SctpParameterType.AddOutgoingStreamsRequest or (ushort)SctpParameterType.AddIncomingStreamsRequest
                && p.Value.Length >= 4)
            {
                // Requests we do not carry out (WebRTC only resets outgoing streams): answer Denied (RFC 6525 §5.2).
                uint seq = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(p.Value);
                QueueResponse(seq, seq == _peerNextRequestSequence ? ReconfigResult.Denied : ReconfigResult.ErrorBadSequenceNumber);
                if (seq == _peerNextRequestSequence)
                {
                    _peerLastRequestSequence = seq;
                    _peerNextRequestSequence++;
                    _peerLastResult = ReconfigResult.Denied;
                }
            }
        }
    }

    /// <summary>RFC 6525 §5.2.2: reset our incoming streams once everything before the sender's last TSN has arrived.</summary>
    private void HandleOutgoingResetRequest(OutgoingResetRequest request)
    {
        uint seq = request.RequestSequence;
        ReconfigResult result;
        if (seq == _peerNextRequestSequence)
        {
            _peerNextRequestSequence++;
            _peerLastRequestSequence = seq;
            ushort[] streams = new ushort[request.StreamCount];
            for (int i = 0; i < streams.Length; i++)
            {
                streams[i] = request.GetStream(i);
            }

            long last = Unwrap(request.SendersLastTsn, _peerCumTsn);
            if (last <= _peerCumTsn)
            {
                PerformIncomingReset(streams);
                result = ReconfigResult.SuccessPerformed;
            }
            else
            {
                _deferredReset = new PendingReset(seq, streams, last);
                result = ReconfigResult.InProgress;
            }

            _peerLastResult = result;
        }
        else if (seq == _peerNextRequestSequence - 1)
        {
            // A retransmission: the same answer, or the outcome of the deferred reset by now.
            result = _peerLastResult;
        }
        else
        {
            result = ReconfigResult.ErrorBadSequenceNumber;
        }

        QueueResponse(seq, result);
    }

    private void CheckDeferredReset(TimeSpan now)
    {
        _ = now;
        if (_deferredReset is PendingReset d && d.LastTsn <= _peerCumTsn)
        {
            _deferredReset = null;
            PerformIncomingReset(d.Streams);
            if (_peerLastRequestSequence == d.Sequence)
            {
                _peerLastResult = ReconfigResult.SuccessPerformed;
            }
        }
    }

    private void PerformIncomingReset(ushort[] streams)
    {
        if (streams.Length == 0)
        {
            foreach (KeyValuePair<ushort, InboundStream> kv in _inbound)
            {
                kv.Value.NextSsn = 0;
                if (_interleaving)
                {
                    ResetInboundMids(kv.Key, kv.Value);
                }
            }
        }

        foreach (ushort id in streams)
        {
            InboundStream s = GetInbound(id);
            s.NextSsn = 0;
            DeliverPending(id, s);
            if (_interleaving)
            {
                ResetInboundMids(id, s);
            }
        }

        RaiseEvent(new SctpStreamsResetEvent(streams, Incoming: true, ReconfigResult.SuccessPerformed));
    }

    private void QueueResponse(uint sequence, ReconfigResult result)
    {
        byte[] parameter = new byte[12];
        ReconfigResponse.Write(parameter, sequence, result);
        QueueControl(SctpChunkType.ReConfig, 0, parameter);
    }

    private void HandleReconfigResponse(ReconfigResponse response, TimeSpan now)
    {
        if (_ourRequest is not PendingReset request || response.ResponseSequence != request.Sequence)
        {
            return;
        }

        if (response.Result == ReconfigResult.InProgress)
        {
            // RFC 6525 §5.2.7: the peer is waiting for data; ask again after a while.
            _reconfigTimer = now + _rto.Rto;
            return;
        }

        _ourRequest = null;
        _reconfigTimer = null;
        _errorCount = 0;
        bool ok = response.Result is ReconfigResult.SuccessPerformed or ReconfigResult.SuccessNothingToDo;
        foreach (ushort id in request.Streams)
        {
            OutboundStream s = GetOutbound(id);
            s.ResetPending = false;
            if (ok)
            {
                // RFC 6525 §5.1.2 resets the SSN; with I-DATA the MIDs, ordered and unordered, start again at 0 too.
                s.NextSsn = 0;
                s.NextMid = 0;
                s.NextUnorderedMid = 0;
            }
        }

        RaiseEvent(new SctpStreamsResetEvent(request.Streams, Incoming: false, response.Result));
    }

    private sealed record PendingReset(uint Sequence, ushort[] Streams, long LastTsn);
}
