namespace RtcStack.Cli.Serve;

/// <summary>
/// The page <c>rtcstack serve</c> shows at /: a loopback call with live stats and a chart, and a data channel beside it
/// (a chat box and a 16 MiB transfer showing its throughput), and rooms: publish camera and microphone with simulcast
/// into a room or watch one, with each viewer's layer and estimate from /status, live; no outside scripts.
/// </summary>
internal static class ServePage
{
    public const string Html = """
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>rtcstack serve</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 2em; max-width: 60em; color: #222; }
  button { font-size: 1.1em; padding: .4em 1.2em; }
  table { border-collapse: collapse; margin-top: 1em; }
  td, th { padding: .2em .8em; border-bottom: 1px solid #ddd; text-align: left; }
  canvas { border: 1px solid #ccc; margin-top: 1em; width: 100%; height: 220px; }
  .legend span { margin-right: 1.5em; }
  #state { font-weight: bold; }
</style>
</head>
<body>
<h1>rtcstack serve</h1>
<p>Press Start: your microphone (and with the box ticked, your camera) goes to the RtcStack server over WebRTC
(WHIP), and what the server sends back plays here (an echo of your voice and picture, or a tone, depending on
<code>--mode</code>).</p>
<p><label><input type="checkbox" id="camera"> camera and microphone</label></p>
<p><button id="start">Start</button> <button id="stop" disabled>Stop</button> State: <span id="state">idle</span></p>
<table>
  <tr><th></th><th>sent</th><th>received</th></tr>
  <tr><td>packets</td><td id="ps">-</td><td id="pr">-</td></tr>
  <tr><td>bit rate</td><td id="bs">-</td><td id="br">-</td></tr>
  <tr><td>packets lost (reported)</td><td id="ls">-</td><td id="lr">-</td></tr>
  <tr><td>jitter</td><td id="js">-</td><td id="jr">-</td></tr>
  <tr><td>round-trip time</td><td id="rtt" colspan="2">-</td></tr>
  <tr><td>transport</td><td id="tr" colspan="2">-</td></tr>
  <tr><td>video</td><td id="vs">-</td><td id="vr">-</td></tr>
</table>
<p><video id="remoteVideo" autoplay playsinline muted style="max-width: 100%; display: none"></video></p>
<canvas id="chart" width="900" height="220"></canvas>
<div class="legend"><span style="color:#1f77b4">&#9632; kbit/s sent</span><span style="color:#2ca02c">&#9632; kbit/s received</span><span style="color:#d62728">&#9632; RTT ms (right axis)</span></div>
<h2>Data channel</h2>
<p>A data channel rides beside the call; the server echoes every message on it.
<input id="chatText" size="40" placeholder="a message" disabled> <button id="chatSend" disabled>Send</button>
<button id="bulk" disabled>Send 16 MiB</button> <span id="bulkState"></span></p>
<div id="chatLog" style="font-family: monospace; white-space: pre-wrap; max-height: 8em; overflow-y: auto"></div>
<h2>Rooms</h2>
<p>Broadcast: publish your camera and microphone into a room (the camera in three simulcast layers), or watch a room.
Each viewer gets the layer its connection's estimate allows; the table shows each one's layer and estimate live.
<input id="room" size="16" value="demo"> <button id="publish">Publish camera + mic</button> <button id="watch">Watch</button>
<button id="leave" disabled>Leave</button> <span id="roomState"></span></p>
<p><video id="roomVideo" autoplay playsinline muted style="max-width: 100%; display: none"></video></p>
<table id="rooms"><tr><th>room</th><th>viewer</th><th>state</th><th>layer (rid)</th><th>target layer</th><th>estimate</th><th>packets sent</th></tr></table>
<audio id="remote" autoplay></audio>
<script>
const $ = (id) => document.getElementById(id);
const q = new URLSearchParams(location.search);
let pc = null, resource = null, timer = null, last = null, dc = null, bulkRun = null, chatWaiter = null;
const history = [];

async function start() {
  $('start').disabled = true; $('stop').disabled = false;
  let stream;
  const camera = $('camera').checked;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: camera });
  } catch (e) {
    // No microphone (or camera): send silence so the call still runs.
    const ctx = new AudioContext(); stream = ctx.createMediaStreamDestination().stream;
  }
  pc = new RTCPeerConnection();
  pc.addTransceiver(stream.getAudioTracks()[0], { direction: 'sendrecv', streams: [stream] });
  if (stream.getVideoTracks().length > 0) pc.addTransceiver(stream.getVideoTracks()[0], { direction: 'sendrecv', streams: [stream] });
  pc.ontrack = (e) => {
    if (e.track.kind === 'video') { $('remoteVideo').srcObject = new MediaStream([e.track]); $('remoteVideo').style.display = ''; }
    else $('remote').srcObject = new MediaStream([e.track]);
  };
  pc.onconnectionstatechange = () => { $('state').textContent = pc.connectionState; };
  dc = pc.createDataChannel('chat');
  dc.binaryType = 'arraybuffer';
  dc.onopen = () => {
    $('chatText').disabled = false; $('chatSend').disabled = false; $('bulk').disabled = false;
    if (q.get('data') === '1') dataCheck().catch(e => console.log('rtcstack-data ' + JSON.stringify({ error: String(e) })));
  };
  dc.onmessage = (e) => onData(e.data);
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
    setTimeout(resolve, 2000);
  });
  const headers = { 'Content-Type': 'application/sdp' };
  if (q.get('token')) headers['Authorization'] = 'Bearer ' + q.get('token');
  const r = await fetch('/whip', { method: 'POST', headers, body: pc.localDescription.sdp });
  if (r.status !== 201) { $('state').textContent = 'refused: ' + r.status + ' ' + await r.text(); return; }
  resource = r.headers.get('Location');
  await pc.setRemoteDescription({ type: 'answer', sdp: await r.text() });
  timer = setInterval(poll, 1000);
}

async function stop() {
  clearInterval(timer);
  // RFC 9725 §4.7.1: the bearer token goes on every request, DELETE included.
  if (resource) await fetch(resource, { method: 'DELETE', headers: q.get('token') ? { 'Authorization': 'Bearer ' + q.get('token') } : {} }).catch(() => {});
  if (dc) dc.close();
  if (pc) pc.close();
  pc = null; resource = null; dc = null;
  $('chatText').disabled = true; $('chatSend').disabled = true; $('bulk').disabled = true;
  $('start').disabled = false; $('stop').disabled = true; $('state').textContent = 'closed';
}

async function poll() {
  if (!pc) return;
  const s = {}; (await pc.getStats()).forEach(x => { s[x.type + (x.kind ? ':' + x.kind : '')] = s[x.type + (x.kind ? ':' + x.kind : '')] || x; });
  const out = s['outbound-rtp:audio'] || {}, inb = s['inbound-rtp:audio'] || {};
  const rin = s['remote-inbound-rtp:audio'] || {}, tr = s['transport'] || {};
  const now = performance.now();
  let kbs = 0, kbr = 0;
  if (last) {
    const dt = (now - last.t) / 1000;
    kbs = 8 * ((out.bytesSent || 0) - last.sent) / dt / 1000;
    kbr = 8 * ((inb.bytesReceived || 0) - last.recv) / dt / 1000;
  }
  last = { t: now, sent: out.bytesSent || 0, recv: inb.bytesReceived || 0 };
  const rtt = rin.roundTripTime !== undefined ? rin.roundTripTime * 1000 : null;
  $('ps').textContent = out.packetsSent ?? '-'; $('pr').textContent = inb.packetsReceived ?? '-';
  $('bs').textContent = kbs.toFixed(1) + ' kbit/s'; $('br').textContent = kbr.toFixed(1) + ' kbit/s';
  $('ls').textContent = rin.packetsLost ?? '-'; $('lr').textContent = inb.packetsLost ?? '-';
  $('js').textContent = rin.jitter !== undefined ? (rin.jitter * 1000).toFixed(1) + ' ms' : '-';
  $('jr').textContent = inb.jitter !== undefined ? (inb.jitter * 1000).toFixed(1) + ' ms' : '-';
  $('rtt').textContent = rtt !== null ? rtt.toFixed(1) + ' ms' : '-';
  const vout = s['outbound-rtp:video'], vin = s['inbound-rtp:video'];
  $('vs').textContent = vout ? (vout.framesEncoded ?? 0) + ' frames, ' + (vout.frameWidth || '?') + 'x' + (vout.frameHeight || '?') : '-';
  $('vr').textContent = vin ? (vin.framesDecoded ?? 0) + ' frames decoded, ' + (vin.frameWidth || '?') + 'x' + (vin.frameHeight || '?') : '-';
  $('tr').textContent = [tr.dtlsState, tr.tlsVersion && 'DTLS ' + tr.tlsVersion, tr.dtlsCipher, tr.srtpCipher].filter(Boolean).join(', ');
  if (q.get('log') === '1') {
    // ?log=1: one line a second on the browser's console with what this browser received and sent (for scripts and
    // tests; Chromium prints it with --enable-logging=stderr).
    console.log('rtcstack-stats ' + JSON.stringify({ audioIn: { packetsReceived: inb.packetsReceived, packetsLost: inb.packetsLost,
      totalSamplesReceived: inb.totalSamplesReceived, concealedSamples: inb.concealedSamples, totalAudioEnergy: inb.totalAudioEnergy },
      audioOut: { packetsSent: out.packetsSent },
      videoIn: vin ? { framesDecoded: vin.framesDecoded, frameWidth: vin.frameWidth, frameHeight: vin.frameHeight } : null }));
  }
  history.push({ kbs, kbr, rtt });
  if (history.length > 60) history.shift();
  draw();
}

function chatLine(text) {
  const d = document.createElement('div'); d.textContent = text; $('chatLog').appendChild(d); $('chatLog').scrollTop = 1e9;
}

function chat() {
  const text = $('chatText').value || 'hello';
  dc.send(text); chatLine('sent: ' + text); $('chatText').value = '';
}

// A chunk of the 16 MiB transfer: bytes from a small PRNG seeded by the chunk's index, so the echo can be checked.
function chunk(index, size) {
  const b = new Uint8Array(size); let x = (index + 1) * 2654435761 >>> 0;
  for (let i = 0; i < size; i++) { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; b[i] = x & 255; }
  return b;
}

function onData(data) {
  if (typeof data === 'string') {
    chatLine('echo: ' + data);
    if (chatWaiter) { const w = chatWaiter; chatWaiter = null; w(data); }
    return;
  }
  const r = bulkRun; if (!r) return;
  const got = new Uint8Array(data), want = r.chunks[r.received];
  let same = want !== undefined && got.length === want.length;
  for (let i = 0; same && i < got.length; i++) same = got[i] === want[i];
  if (!same) r.mismatches++;
  r.received++; r.bytes += got.length;
  $('bulkState').textContent = (r.bytes / 1048576).toFixed(1) + ' MiB echoed';
  if (r.received === r.chunks.length) r.done();
}

// Sends 16 MiB in messages of the largest size both sides allow (at most 256 KiB), keeping at most 4 MiB queued, and
// times until the last echo is back: the throughput is 16 MiB each way over that time.
async function bulk() {
  if (bulkRun) return null;
  $('bulk').disabled = true;
  const total = 16 * 1048576;
  const size = Math.min(262144, (pc.sctp && pc.sctp.maxMessageSize) || 65536);
  const chunks = []; for (let i = 0; i * size < total; i++) chunks.push(chunk(i, Math.min(size, total - i * size)));
  const run = bulkRun = { chunks, received: 0, bytes: 0, mismatches: 0 };
  const finished = new Promise((resolve) => { run.done = resolve; });
  const t0 = performance.now();
  dc.bufferedAmountLowThreshold = 1048576;
  for (const c of chunks) {
    while (dc.bufferedAmount > 4 * 1048576) await new Promise((resolve) => { dc.onbufferedamountlow = resolve; });
    dc.send(c);
  }
  await finished;
  const seconds = (performance.now() - t0) / 1000;
  const result = { messages: chunks.length, messageSize: size, bytes: run.bytes, mismatches: run.mismatches, seconds,
    mbitPerSecondEachWay: 8 * total / seconds / 1e6 };
  $('bulkState').textContent = '16 MiB each way in ' + seconds.toFixed(2) + ' s: ' + result.mbitPerSecondEachWay.toFixed(1)
    + ' Mbit/s each way' + (run.mismatches ? ', ' + run.mismatches + ' echoes differed' : '');
  bulkRun = null; $('bulk').disabled = false;
  return result;
}

// ?data=1: once the channel opens, a chat message and the 16 MiB transfer, reported on the console for tests.
async function dataCheck() {
  const echoed = new Promise((resolve) => { chatWaiter = resolve; });
  dc.send('hello rtcstack'); chatLine('sent: hello rtcstack');
  const chatEcho = await Promise.race([echoed, new Promise((resolve) => setTimeout(() => resolve(null), 10000))]);
  const transfer = await bulk();
  console.log('rtcstack-data ' + JSON.stringify({ label: dc.label, chatEcho, transfer }));
}

function draw() {
  const c = $('chart'), g = c.getContext('2d'), w = c.width, h = c.height, pad = 30;
  g.clearRect(0, 0, w, h);
  const maxKb = Math.max(10, ...history.map(p => Math.max(p.kbs, p.kbr))) * 1.1;
  const maxRtt = Math.max(10, ...history.map(p => p.rtt || 0)) * 1.1;
  g.strokeStyle = '#eee'; g.fillStyle = '#888'; g.font = '11px sans-serif';
  for (let i = 0; i <= 4; i++) {
    const y = pad / 2 + (h - pad) * i / 4;
    g.beginPath(); g.moveTo(pad, y); g.lineTo(w - pad, y); g.stroke();
    g.fillText((maxKb * (1 - i / 4)).toFixed(0), 2, y + 4);
    g.fillText((maxRtt * (1 - i / 4)).toFixed(0), w - pad + 2, y + 4);
  }
  const line = (key, max, color) => {
    g.strokeStyle = color; g.lineWidth = 2; g.beginPath();
    history.forEach((p, i) => {
      const v = p[key]; if (v === null || v === undefined) return;
      const x = pad + (w - 2 * pad) * i / 59, y = pad / 2 + (h - pad) * (1 - v / max);
      i === 0 ? g.moveTo(x, y) : g.lineTo(x, y);
    });
    g.stroke();
  };
  line('kbs', maxKb, '#1f77b4'); line('kbr', maxKb, '#2ca02c'); line('rtt', maxRtt, '#d62728');
}

$('start').onclick = () => start().catch(e => { $('state').textContent = 'error: ' + e; });
$('stop').onclick = () => stop();
$('chatSend').onclick = () => chat();
$('chatText').onkeydown = (e) => { if (e.key === 'Enter') chat(); };
$('bulk').onclick = () => bulk().catch(e => { $('bulkState').textContent = 'error: ' + e; });
if (q.get('camera') === '1') $('camera').checked = true;
if (q.get('autostart') === '1') start().catch(e => { $('state').textContent = 'error: ' + e; });
// Rooms: POST /whip/{room} publishes (camera in three simulcast layers, RFC 8853, lowest first; microphone), POST
// /whep/{room} watches. ?room=NAME&publish=1 or &watch=1 starts at once; with ?log=1 the page logs what it decoded.
let roomPc = null, roomResource = null, roomTimer = null;
function authHeaders(extra) {
  const h = Object.assign({}, extra || {});
  if (q.get('token')) h['Authorization'] = 'Bearer ' + q.get('token');
  return h;
}

async function joinRoom(publish) {
  const room = $('room').value;
  $('publish').disabled = true; $('watch').disabled = true; $('leave').disabled = false;
  roomPc = new RTCPeerConnection();
  if (publish) {
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 1280, height: 720 } });
    } catch (e) { $('roomState').textContent = 'no camera: ' + e; return; }
    roomPc.addTransceiver(stream.getAudioTracks()[0], { direction: 'sendonly', streams: [stream] });
    roomPc.addTransceiver(stream.getVideoTracks()[0], { direction: 'sendonly', streams: [stream], sendEncodings: [
      { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150000 },
      { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500000 },
      { rid: 'f', maxBitrate: 1500000 }] });
    $('roomVideo').srcObject = stream; $('roomVideo').style.display = '';
  } else {
    roomPc.addTransceiver('audio', { direction: 'recvonly' });
    roomPc.addTransceiver('video', { direction: 'recvonly' });
    roomPc.ontrack = (e) => {
      if (e.track.kind === 'video') { $('roomVideo').srcObject = new MediaStream([e.track]); $('roomVideo').style.display = ''; }
      else $('remote').srcObject = new MediaStream([e.track]);
    };
  }
  roomPc.onconnectionstatechange = () => { $('roomState').textContent = (publish ? 'publishing: ' : 'watching: ') + roomPc.connectionState; };
  await roomPc.setLocalDescription(await roomPc.createOffer());
  await new Promise((resolve) => {
    if (roomPc.iceGatheringState === 'complete') return resolve();
    roomPc.onicegatheringstatechange = () => roomPc.iceGatheringState === 'complete' && resolve();
    setTimeout(resolve, 2000);
  });
  const r = await fetch((publish ? '/whip/' : '/whep/') + encodeURIComponent(room),
    { method: 'POST', headers: authHeaders({ 'Content-Type': 'application/sdp' }), body: roomPc.localDescription.sdp });
  if (r.status !== 201) { $('roomState').textContent = 'refused: ' + r.status + ' ' + await r.text(); return; }
  roomResource = r.headers.get('Location');
  await roomPc.setRemoteDescription({ type: 'answer', sdp: await r.text() });
  if (q.get('log') === '1') roomTimer = setInterval(logRoom, 1000);
}

async function leaveRoom() {
  clearInterval(roomTimer);
  if (roomResource) await fetch(roomResource, { method: 'DELETE', headers: authHeaders() }).catch(() => {});
  if (roomPc) roomPc.close();
  roomPc = null; roomResource = null;
  $('publish').disabled = false; $('watch').disabled = false; $('leave').disabled = true; $('roomState').textContent = 'left';
}

// For scripts and tests: what this page sends or decodes in the room, once a second on the console.
async function logRoom() {
  if (!roomPc) return;
  const out = [], vin = [];
  (await roomPc.getStats()).forEach(x => {
    if (x.type === 'outbound-rtp' && x.kind === 'video') out.push({ rid: x.rid, framesEncoded: x.framesEncoded, frameWidth: x.frameWidth });
    if (x.type === 'inbound-rtp' && x.kind === 'video') vin.push({ framesDecoded: x.framesDecoded, frameWidth: x.frameWidth, frameHeight: x.frameHeight });
    if (x.type === 'inbound-rtp' && x.kind === 'audio') vin.push({ audioPackets: x.packetsReceived });
  });
  console.log('rtcstack-room ' + JSON.stringify({ state: roomPc.connectionState, out, in: vin }));
}

// Every second: the rooms in /status, each viewer's layer and estimate.
async function pollRooms() {
  try {
    const r = await fetch('/status', { headers: authHeaders() });
    if (r.status !== 200) return;
    const s = await r.json(), t = $('rooms');
    while (t.rows.length > 1) t.deleteRow(1);
    for (const room of s.rooms || []) {
      const layers = room.layers.map(l => (l.rid || l.layer) + ' ' + (l.bitrateBps / 1000).toFixed(0) + ' kbit/s').join(', ');
      const row = t.insertRow(); row.insertCell().textContent = room.name;
      row.insertCell().textContent = 'publisher (' + (room.videoCodec || 'no video') + ': ' + layers + ')';
      row.insertCell().textContent = room.publisherState || '-';
      for (const v of room.viewers) {
        const c = t.insertRow(); c.insertCell().textContent = '';
        c.insertCell().textContent = v.viewer; c.insertCell().textContent = v.state;
        c.insertCell().textContent = v.layer < 0 ? '-' : v.layer + (v.rid ? ' (' + v.rid + ')' : '');
        c.insertCell().textContent = v.targetLayer < 0 ? '-' : v.targetLayer;
        c.insertCell().textContent = v.estimateBps < 0 ? '-' : (v.estimateBps / 1000).toFixed(0) + ' kbit/s'
          + (v.remoteEstimateBps !== undefined ? ' (REMB ' + (v.remoteEstimateBps / 1000).toFixed(0) + ')' : '');
        c.insertCell().textContent = v.videoPacketsSent + ' video, ' + v.audioPacketsSent + ' audio';
      }
    }
  } catch (e) { }
}

$('publish').onclick = () => joinRoom(true).catch(e => { $('roomState').textContent = 'error: ' + e; });
$('watch').onclick = () => joinRoom(false).catch(e => { $('roomState').textContent = 'error: ' + e; });
$('leave').onclick = () => leaveRoom();
setInterval(pollRooms, 1000);
if (q.get('room')) $('room').value = q.get('room');
if (q.get('room') && q.get('publish') === '1') joinRoom(true).catch(e => console.log('rtcstack-room ' + JSON.stringify({ error: String(e) })));
if (q.get('room') && q.get('watch') === '1') joinRoom(false).catch(e => console.log('rtcstack-room ' + JSON.stringify({ error: String(e) })));
</script>
</body>
</html>
""";
}
