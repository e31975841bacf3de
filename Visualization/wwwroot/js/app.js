import { TangleModel } from './tangle-model.js';
import { TangleView } from './tangle-view.js';
import { PublisherColors } from './colors.js';
import { AccuracyChart } from './accuracy-chart.js';
import { PeerPanel, DetailsPanel } from './panels.js';

// The page only listens: one EventSource on /api/events?peer=ID. The server sends a snapshot, then changes.
// Choosing another peer opens a new stream for it; EventSource reconnects by itself after a network error, but not
// after a refusal (503 when too many browsers follow the page): then the page tries again after the server's
// Retry-After (10 s, EventStreamEndpoint.RetryAfterSeconds), which EventSource cannot read.
const $ = id => document.getElementById(id);
const colors = new PublisherColors();
const model = new TangleModel();
let peers = [];
let selectedPeer = new URLSearchParams(location.search).get('peer');
let source = null;
let retry = null;
const refusedRetryMs = 10_000;

const details = new DetailsPanel($('details'), colors, cid => { const n = model.get(cid); if (n) view.select(n, { reveal: true }); });
const view = new TangleView($('tangle'), model, colors, {
  onSelect: node => details.render(node, { isReference: node?.cid === view.referenceCid, isTip: node ? model.isTip(node) : false }),
  onNote: text => { $('tangle-note').textContent = text; },
});
const chart = new AccuracyChart($('accuracy-chart'), $('accuracy-figure'), colors, 1800);
const peerPanel = new PeerPanel($('peer-select'), $('peer-rows'), colors, peerId => connect(peerId));

view.onFollowChange = on => $('follow').setAttribute('aria-pressed', String(on));
$('follow').addEventListener('click', () => view.setFollow(!view.follow));
$('zoom-in').addEventListener('click', () => view.zoomBy(1.5));
$('zoom-out').addEventListener('click', () => view.zoomBy(1 / 1.5));
$('show-all').addEventListener('click', () => view.showAll());
$('select-reference').addEventListener('click', () => view.selectReference());
$('select-newest').addEventListener('click', () => model.size && view.select(model.newest, { reveal: true }));

function connect(peerId) {
  clearTimeout(retry);
  source?.close();
  selectedPeer = peerId || null;
  const url = new URL(location.href);
  if (selectedPeer) url.searchParams.set('peer', selectedPeer); else url.searchParams.delete('peer');
  history.replaceState(null, '', url);
  source = new EventSource(`api/events${selectedPeer ? `?peer=${encodeURIComponent(selectedPeer)}` : ''}`);
  setConnection('Connecting…', '');
  source.addEventListener('snapshot', e => applySnapshot(JSON.parse(e.data)));
  source.addEventListener('transactions', e => applyTransactions(JSON.parse(e.data)));
  source.addEventListener('status', e => applyStatus(JSON.parse(e.data)));
  source.addEventListener('peers', e => applyPeers(JSON.parse(e.data).peers));
  const stream = source;
  source.onerror = () => {
    if (stream.readyState !== EventSource.CLOSED) {
      setConnection('Disconnected: reconnecting…', 'down');
      return;
    }
    setConnection('Refused (too many viewers?): retrying in 10 s…', 'down');
    retry = setTimeout(() => connect(selectedPeer), refusedRetryMs);
  };
}

function setConnection(text, cls) {
  const el = $('connection');
  el.textContent = text;
  el.className = `connection ${cls}`;
}

function applySnapshot(s) {
  selectedPeer = s.selected;
  model.capacity = s.transactionsPerPeer;
  model.clear();
  colors.seed(s.peers.map(p => p.peerId));
  model.addAll(s.transactions);
  view.selected = null; view.hovered = null;
  details.render(null, {});
  chart.reset(s.accuracy);
  applyPeers(s.peers);
  view.changed();
  updateStats();
  setConnection(s.selected ? 'Live' : 'Live: waiting for peers to join', 'live');
}

function applyTransactions(e) {
  if (e.peerId !== selectedPeer) return;
  model.addAll(e.transactions);
  view.changed();
  updateStats();
}

function applyStatus(e) {
  const peer = peers.find(p => p.peerId === e.peerId);
  if (peer) peer.status = e.status;
  if (e.sample) chart.add(e.peerId, e.sample);
  if (e.peerId === selectedPeer) {
    view.referenceCid = e.status.referenceCid;
    view.invalidate();
  }
  peerPanel.render(peers, selectedPeer);
  updateStats();
}

function applyPeers(list) {
  peers = list;
  // Nothing to follow yet: follow the first peer as soon as one joins.
  if (!selectedPeer && peers.length) { connect(peers[0].peerId); return; }
  peerPanel.render(peers, selectedPeer);
  const legend = peers.map(p => `<span><span class="swatch" style="background:${colors.color(p.peerId)}"></span>${p.peerId.slice(0, 6)}…</span>`);
  $('publisher-legend').innerHTML = legend.length ? `publishers: ${legend.join(' ')}` : '';
  const me = peers.find(p => p.peerId === selectedPeer);
  view.referenceCid = me?.status?.referenceCid ?? view.referenceCid;
}

// Each figure also as data-value (plain digits) for scripts and tests, whatever the reader's locale.
function stat(id, value, text) {
  $(id).textContent = text;
  $(id).dataset.value = value == null ? '' : String(value);
}

function updateStats() {
  const status = peers.find(p => p.peerId === selectedPeer)?.status;
  stat('stat-transactions', model.size, model.size.toLocaleString());
  stat('stat-tips', status?.tips, status ? status.tips.toLocaleString() : '–');
  $('stat-accuracy').textContent = status?.referenceAccuracy == null ? '–' : `${(status.referenceAccuracy * 100).toFixed(1)} %`;
}

// For the browser tests and the render benchmark: where a transaction is drawn, and a way to feed a snapshot.
window.mlaspire = { model, view, chart, positionOf: cid => view.positionOf(cid), applySnapshot, connect };

if (new URLSearchParams(location.search).has('offline')) setConnection('Offline (benchmark)', '');
else connect(selectedPeer);
