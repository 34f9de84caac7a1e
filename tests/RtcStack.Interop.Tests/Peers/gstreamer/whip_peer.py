#!/usr/bin/python3
"""RtcStack's own WHIP client built on GStreamer's webrtcbin (Debian's GStreamer 1.22, through gi).

The interop suite runs it against `rtcstack serve`: a sine from audiotestsrc is encoded with
opusenc, payloaded with rtpopuspay and sent from one sendrecv transceiver; the offer (gathered,
no trickle) is POSTed to the WHIP endpoint (RFC 9725 section 4.2), the answer applied, and what
comes back is depayloaded, decoded and written to a 48 kHz mono WAV file. At the end the session is
DELETEd and one JSON summary line is printed. libnice is given 127.0.0.1 as its only local address
and UPnP is off, so nothing leaves the loopback interface.
"""

import argparse
import json
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import wave

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstSdp", "1.0")
gi.require_version("GstWebRTC", "1.0")
gi.require_version("Nice", "0.1")
from gi.repository import Gst, GstSdp, GstWebRTC, Nice  # noqa: E402


def http(method, url, body=None, token=None, content_type=None):
    req = urllib.request.Request(url, data=body.encode("ascii") if body is not None else None, method=method)
    if content_type:
        req.add_header("Content-Type", content_type)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read().decode("ascii", "replace")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode("ascii", "replace")


def wait_for(predicate, timeout, what, bus):
    """Polls predicate until true; a pipeline error on the bus or the timeout raises."""
    deadline = time.monotonic() + timeout
    while not predicate():
        msg = bus.pop_filtered(Gst.MessageType.ERROR)
        if msg is not None:
            err, debug = msg.parse_error()
            raise RuntimeError(f"pipeline error while waiting for {what}: {err.message} ({debug})")
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.005)


def promise_reply(webrtc, signal, *args):
    """Emits an action signal taking a promise and waits for it. The reply structure belongs to the
    promise (transfer none), so the promise is returned with it and must outlive its use."""
    promise = Gst.Promise.new()
    webrtc.emit(signal, *args, promise)
    if promise.wait() != Gst.PromiseResult.REPLIED:
        raise RuntimeError(signal + ": no reply")
    reply = promise.get_reply()
    if reply is not None and reply.has_field("error"):
        raise RuntimeError(f"{signal}: {reply.get_value('error')}")
    return promise, reply


class Peer:
    def __init__(self, args):
        self.args = args
        self.summary = {"gstreamer": Gst.version_string(), "connected": False, "whipStatus": 0, "deleteStatus": 0,
                        "packetsSent": 0, "packetsReceived": 0, "samplesReceived": 0}
        self.pcm = bytearray()
        self.lock = threading.Lock()
        self.connected_at = None
        self.pipeline = Gst.parse_launch(
            f"audiotestsrc is-live=true wave=sine freq={args.tone_hz} volume=0.3 "
            "! audioconvert ! audioresample ! audio/x-raw,rate=48000,channels=1 "
            "! opusenc bitrate=64000 frame-size=20 ! rtpopuspay name=pay pt=111 "
            "! application/x-rtp,media=audio,encoding-name=OPUS,clock-rate=48000,payload=111 "
            "! webrtcbin name=webrtc bundle-policy=max-bundle")
        self.webrtc = self.pipeline.get_by_name("webrtc")
        # Keep Python references to the ICE objects for the whole run: PyGObject would otherwise free
        # the wrapper and the process crashes at exit (PEERS.md).
        self.ice = self.webrtc.get_property("ice-agent")
        self.ice.set_property("ice-tcp", False)
        self.agent = self.ice.get_property("agent")
        self.agent.set_property("upnp", False)
        loopback = Nice.Address.new()
        loopback.set_from_string("127.0.0.1")
        if not self.agent.add_local_address(loopback):
            raise RuntimeError("libnice refused 127.0.0.1 as a local address")
        self.webrtc.connect("pad-added", self.on_pad_added)
        # RTCP every second instead of rtpbin's 5 s minimum (RFC 3550 §6.2 lets a session choose a smaller one), so
        # that a 3 s call surely carries a sender report with a report block about serve's stream: with 5 s the
        # reports sometimes all went out before serve's first packet arrived, and serve saw no report block.
        self.rtpbin = self.webrtc.get_by_name("rtpbin")
        self.rtpbin.connect("on-new-ssrc", self.on_new_ssrc)
        self.pipeline.get_by_name("pay").get_static_pad("src").add_probe(Gst.PadProbeType.BUFFER, self.on_sent)

    def on_new_ssrc(self, rtpbin, session_id, _ssrc):
        session = rtpbin.emit("get-internal-session", session_id)
        if session is not None:
            session.set_property("rtcp-min-interval", 1_000_000_000)

    def on_sent(self, pad, info):
        if self.connected_at is not None:
            self.summary["packetsSent"] += 1
        return Gst.PadProbeReturn.OK

    def on_received_rtp(self, pad, info):
        self.summary["packetsReceived"] += 1
        return Gst.PadProbeReturn.OK

    def on_pad_added(self, _webrtc, pad):
        if pad.get_direction() != Gst.PadDirection.SRC:
            return
        caps = pad.get_current_caps() or pad.query_caps(None)
        s = caps.get_structure(0)
        self.summary["receivedCaps"] = s.to_string()
        branch = Gst.parse_bin_from_description(
            "rtpopusdepay ! opusdec ! audioconvert ! audioresample "
            "! audio/x-raw,format=S16LE,rate=48000,channels=1 ! appsink name=sink emit-signals=true sync=false",
            True)
        self.pipeline.add(branch)
        branch.get_by_name("sink").connect("new-sample", self.on_sample)
        branch.sync_state_with_parent()
        pad.add_probe(Gst.PadProbeType.BUFFER, self.on_received_rtp)
        pad.link(branch.get_static_pad("sink"))

    def on_sample(self, sink):
        sample = sink.emit("pull-sample")
        buf = sample.get_buffer()
        ok, info = buf.map(Gst.MapFlags.READ)
        if ok:
            with self.lock:
                self.pcm.extend(info.data)
            buf.unmap(info)
        return Gst.FlowReturn.OK

    def run(self):
        args = self.args
        bus = self.pipeline.get_bus()
        self.pipeline.set_state(Gst.State.PLAYING)
        transceiver = self.webrtc.emit("get-transceiver", 0)
        transceiver.set_property("direction", GstWebRTC.WebRTCRTPTransceiverDirection.SENDRECV)

        _offer_promise, reply = promise_reply(self.webrtc, "create-offer", None)
        offer = reply.get_value("offer")
        promise_reply(self.webrtc, "set-local-description", offer)
        wait_for(lambda: self.webrtc.get_property("ice-gathering-state") == GstWebRTC.WebRTCICEGatheringState.COMPLETE,
                 args.timeout, "ICE gathering", bus)
        local = self.webrtc.get_property("local-description").sdp.as_text()
        if args.offer_out:
            with open(args.offer_out, "w", newline="") as f:
                f.write(local)

        start = time.monotonic()
        status, headers, answer = http("POST", args.whip, local, args.token, "application/sdp")
        self.summary["whipStatus"] = status
        if status != 201:
            raise RuntimeError(f"WHIP POST answered {status}: {answer.strip()}")
        location = headers.get("Location") or headers.get("location")
        if args.answer_out:
            with open(args.answer_out, "w", newline="") as f:
                f.write(answer)
        result, message = GstSdp.SDPMessage.new_from_text(answer)
        if result != GstSdp.SDPResult.OK:
            raise RuntimeError(f"GStreamer could not parse the answer: {result}")
        description = GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.ANSWER, message)
        promise_reply(self.webrtc, "set-remote-description", description)

        wait_for(lambda: self.webrtc.get_property("connection-state") == GstWebRTC.WebRTCPeerConnectionState.CONNECTED,
                 args.timeout, "the connection", bus)
        self.connected_at = time.monotonic()
        self.summary["connected"] = True
        self.summary["connectedMs"] = round((self.connected_at - start) * 1000, 1)

        # Media both ways for the asked time; a pipeline error ends the run early.
        wait_for(lambda: time.monotonic() - self.connected_at >= args.seconds + args.tail, args.seconds + args.tail + 5,
                 "the end of the call", bus)
        self.summary["stats"] = self.stats()
        if location:
            status, _, _ = http("DELETE", urllib.parse.urljoin(args.whip, location), None, args.token)
            self.summary["deleteStatus"] = status

    def stats(self):
        """A few counters from webrtcbin's get-stats (1.22 labels every RTP stream as video; only counts are used)."""
        out = {}
        _promise, reply = promise_reply(self.webrtc, "get-stats", None)

        def visit(_field, value):
            if isinstance(value, Gst.Structure):
                kind = value.get_name()
                for key in ("packets-sent", "packets-received", "packets-lost"):
                    ok, n = value.get_uint64(key)
                    if not ok:
                        ok, n = value.get_int64(key)
                    if ok:
                        out[f"{kind}.{key}"] = out.get(f"{kind}.{key}", 0) + n
                if kind == "transport":
                    ok, state = value.get_enum("dtls-state", GstWebRTC.WebRTCDTLSTransportState.__gtype__)
                    if ok:
                        out["transport.dtls-state"] = GstWebRTC.WebRTCDTLSTransportState(state).value_nick
            return True

        reply.foreach(visit)
        return out

    def stop(self):
        self.pipeline.set_state(Gst.State.NULL)
        with self.lock:
            pcm = bytes(self.pcm)
        self.summary["samplesReceived"] = len(pcm) // 2
        with wave.open(self.args.out, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(48000)
            w.writeframes(pcm)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--whip", required=True, help="WHIP endpoint URL (http://127.0.0.1:PORT/whip)")
    p.add_argument("--token", help="bearer token for the WHIP endpoint")
    p.add_argument("--tone-hz", type=float, default=440, help="frequency of the tone we send")
    p.add_argument("--seconds", type=float, default=3, help="how long to send once connected")
    p.add_argument("--tail", type=float, default=0.6, help="how long to keep receiving after that")
    p.add_argument("--timeout", type=float, default=15, help="give up when gathering or connecting takes longer")
    p.add_argument("--out", required=True, help="WAV file for the received audio (48 kHz mono)")
    p.add_argument("--offer-out", help="file to write our offer to")
    p.add_argument("--answer-out", help="file to write the WHIP answer to")
    args = p.parse_args()

    Gst.init(None)
    try:
        peer = Peer(args)
    except Exception as e:  # a missing element (plugin package) or a libnice problem
        print(json.dumps({"gstreamer": Gst.version_string(), "connected": False, "error": f"{type(e).__name__}: {e}"}), flush=True)
        return 1
    error = None
    try:
        peer.run()
    except Exception as e:  # reported in the summary; the exit code says it failed
        error = f"{type(e).__name__}: {e}"
    finally:
        peer.stop()
    if error:
        peer.summary["error"] = error
    print(json.dumps(peer.summary), flush=True)
    return 1 if error else 0


if __name__ == "__main__":
    sys.exit(main())
