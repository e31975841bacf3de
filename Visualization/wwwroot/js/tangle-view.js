import { COLUMN, LANES } from './tangle-model.js';

// Draws a TangleModel on a canvas and handles pan/zoom (d3-zoom), hover, click and keys.
// Only the visible columns are drawn; of those, only the newest EDGE_BUDGET get their edges, the older visible region
// is drawn as dots (summarised), and below one pixel per column the dots become 2-px marks batched per colour.
// So a frame costs O(visible) with a fixed ceiling, whatever the tangle's size.
export const EDGE_BUDGET = 3000;
const MARGIN = { top: 14, bottom: 26, right: 48 };
const MAX_LANE_GAP = 46;
const APPROVER = '#C2185B', ANCESTOR = '#00796B', SELECTED = '#1a56db', REFERENCE = '#FFD23F';

export class TangleView {
  constructor(canvas, model, colors, { onSelect, onNote }) {
    this.canvas = canvas;
    this.model = model;
    this.colors = colors;
    this.onSelect = onSelect;
    this.onNote = onNote;
    this.referenceCid = null;
    this.selected = null;
    this.hovered = null;
    this.follow = true;
    this.transform = d3.zoomIdentity;
    this.conesCache = { node: null, size: -1, cones: null };
    this.pending = false;
    this.lastDrawMs = 0;

    this.zoom = d3.zoom().scaleExtent([0.005, 4])
      .filter(e => !e.button && e.type !== 'dblclick')
      .on('zoom', e => {
        // Horizontal only: lanes always fill the canvas height.
        this.transform = e.transform;
        if (e.sourceEvent) this.setFollow(false);
        this.invalidate();
      });
    d3.select(canvas).call(this.zoom);
    canvas.addEventListener('mousemove', e => this.hover(this.hit(e)));
    canvas.addEventListener('mouseleave', () => this.hover(null));
    canvas.addEventListener('click', e => { const n = this.hit(e); if (n) this.select(n); });
    canvas.addEventListener('keydown', e => this.key(e));
    new ResizeObserver(() => this.resize()).observe(canvas);
    this.resize();
  }

  get k() { return this.transform.k; }
  get spacing() { return COLUMN * this.k; }
  sx(node) { return node.index * this.spacing + this.transform.x; }
  // Lanes at most MAX_LANE_GAP apart, centred vertically.
  sy(node) {
    const room = this.height - MARGIN.top - MARGIN.bottom, gap = Math.min(MAX_LANE_GAP, room / LANES);
    return MARGIN.top + room / 2 + (node.lane - (LANES - 1) / 2) * gap;
  }

  resize() {
    const rect = this.canvas.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    this.width = rect.width; this.height = rect.height;
    this.canvas.width = Math.max(1, Math.round(rect.width * dpr));
    this.canvas.height = Math.max(1, Math.round(rect.height * dpr));
    this.dpr = dpr;
    this.changed();
  }

  setFollow(on) {
    this.follow = on;
    this.onFollowChange?.(on);
    if (on) this.changed();
  }

  /** New data: keep the newest in view when following, then redraw. */
  changed() {
    if (this.follow && this.model.size) {
      const x = this.width - MARGIN.right - this.model.newest.index * this.spacing;
      // The tangle slides under a still pointer: what was hovered is no longer under it.
      if (x !== this.transform.x) this.hovered = null;
      this.setTransform(d3.zoomIdentity.translate(x, 0).scale(this.k));
    }
    this.invalidate();
  }

  setTransform(t) { d3.select(this.canvas).call(this.zoom.transform, t); }

  zoomBy(factor) { d3.select(this.canvas).call(this.zoom.scaleBy, factor, [this.width - MARGIN.right, 0]); this.changed(); }

  showAll() {
    if (!this.model.size) return;
    const columns = Math.max(1, this.model.newest.index - this.model.oldest.index);
    const k = Math.min(4, Math.max(0.005, (this.width - MARGIN.right - 20) / (columns * COLUMN)));
    this.setFollow(false);
    this.setTransform(d3.zoomIdentity.translate(20 - this.model.oldest.index * COLUMN * k, 0).scale(k));
  }

  invalidate() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => { this.pending = false; this.draw(); });
  }

  select(node, { reveal = false } = {}) {
    this.selected = node;
    if (node && reveal) this.reveal(node);
    this.onSelect(node);
    this.invalidate();
  }

  hover(node) {
    if (node === this.hovered) return;
    this.hovered = node;
    this.canvas.style.cursor = node ? 'pointer' : 'crosshair';
    this.invalidate();
  }

  reveal(node) {
    const x = this.sx(node);
    if (x >= 20 && x <= this.width - MARGIN.right) return;
    this.setFollow(node === this.model.newest);
    this.setTransform(d3.zoomIdentity.translate(this.width / 2 - node.index * this.spacing, 0).scale(this.k));
  }

  key(e) {
    const m = this.model, s = this.selected;
    const step = delta => { const n = s ? m.at(s.index + delta) : m.newest; if (n) this.select(n, { reveal: true }); };
    const actions = {
      ArrowLeft: () => step(-1), ArrowRight: () => step(1),
      Home: () => m.size && this.select(m.oldest, { reveal: true }), End: () => m.size && this.select(m.newest, { reveal: true }),
      r: () => this.selectReference(), R: () => this.selectReference(),
      '+': () => this.zoomBy(1.5), '=': () => this.zoomBy(1.5), '-': () => this.zoomBy(1 / 1.5),
      Escape: () => this.select(null),
    };
    const action = actions[e.key];
    if (action) { e.preventDefault(); action(); }
  }

  selectReference() {
    const node = this.referenceCid && this.model.get(this.referenceCid);
    if (node) this.select(node, { reveal: true });
  }

  /** Screen point (page coordinates) of a transaction, or null when it is not in the model. */
  positionOf(cid) {
    const node = this.model.get(cid);
    if (!node) return null;
    const rect = this.canvas.getBoundingClientRect();
    return { x: rect.left + this.sx(node), y: rect.top + this.sy(node) };
  }

  hit(e) {
    const rect = this.canvas.getBoundingClientRect();
    const mx = e.clientX - rect.left, my = e.clientY - rect.top;
    const center = Math.round((mx - this.transform.x) / this.spacing);
    const reach = Math.min(50, Math.ceil(10 / this.spacing) + 1);
    let best = null, bestDistance = Math.max(8, this.radius() + 4);
    for (let i = center - reach; i <= center + reach; i++) {
      const node = this.model.at(i);
      if (!node) continue;
      const d = Math.hypot(this.sx(node) - mx, this.sy(node) - my);
      if (d < bestDistance) { best = node; bestDistance = d; }
    }
    return best;
  }

  radius() { return Math.max(1, Math.min(6, this.spacing * 0.3)); }

  cones(node) {
    const c = this.conesCache;
    if (c.node !== node || c.size !== this.model.offset + this.model.size) {
      c.node = node; c.size = this.model.offset + this.model.size; c.cones = this.model.cones(node);
    }
    return c.cones;
  }

  draw() {
    const started = performance.now();
    const ctx = this.canvas.getContext('2d');
    const m = this.model;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(0, 0, this.width, this.height);
    if (!m.size) { this.onNote('No transactions yet.'); return; }

    const first = Math.max(m.offset, Math.floor(-this.transform.x / this.spacing) - 1);
    const last = Math.min(m.offset + m.size - 1, Math.ceil((this.width - this.transform.x) / this.spacing) + 1);
    const edgesFrom = Math.max(first, last - EDGE_BUDGET + 1);
    const focus = this.hovered ?? this.selected;
    const cones = focus ? this.cones(focus) : null;
    const r = this.radius();
    const dots = r < 2;

    // Summarised region: older visible columns without edges.
    if (edgesFrom > first) {
      ctx.fillStyle = '#f1f1f1';
      ctx.fillRect(0, 0, Math.max(0, this.sx(m.at(edgesFrom))), this.height);
    }

    ctx.globalAlpha = cones ? 0.25 : 1;
    if (dots) {
      this.drawDots(ctx, first, last);
    } else {
      ctx.strokeStyle = '#9a9a9a';
      ctx.lineWidth = 1;
      ctx.beginPath();
      for (let i = edgesFrom; i <= last; i++) {
        const n = m.at(i);
        for (const p of n.parents) { ctx.moveTo(this.sx(n), this.sy(n)); ctx.lineTo(this.sx(p), this.sy(p)); }
      }
      ctx.stroke();
      const byColor = new Map();
      for (let i = first; i <= last; i++) {
        const n = m.at(i);
        const color = this.colors.color(n.publisher);
        let path = byColor.get(color);
        if (!path) byColor.set(color, path = new Path2D());
        const x = this.sx(n), y = this.sy(n);
        path.moveTo(x + r, y); path.arc(x, y, r, 0, 2 * Math.PI);
      }
      for (const [color, path] of byColor) { ctx.fillStyle = color; ctx.fill(path); }
      // Tips: a black ring.
      ctx.strokeStyle = '#111';
      ctx.lineWidth = Math.max(1.5, r * 0.45);
      ctx.beginPath();
      for (let i = Math.max(first, edgesFrom); i <= last; i++) {
        const n = m.at(i);
        if (m.isTip(n)) { ctx.moveTo(this.sx(n) + r, this.sy(n)); ctx.arc(this.sx(n), this.sy(n), r, 0, 2 * Math.PI); }
      }
      ctx.stroke();
    }
    ctx.globalAlpha = 1;

    if (cones) this.drawCones(ctx, focus, cones, first, last, dots ? 0 : r);
    this.drawReference(ctx, r);
    if (this.selected) this.ring(ctx, this.selected, r + 4, SELECTED, 3);
    if (this.hovered && this.hovered !== this.selected) this.ring(ctx, this.hovered, r + 3, '#111', 1.5);
    this.drawTimeAxis(ctx, first, last);

    const summarised = edgesFrom - first;
    this.onNote(`${m.size.toLocaleString()} transactions · ${m.tipCount} tip${m.tipCount === 1 ? "" : "s"} in view of this replica`
      + (summarised > 0 ? ` · ${summarised.toLocaleString()} older drawn without edges (grey)` : ''));
    this.lastDrawMs = performance.now() - started;
  }

  // Overview (under two pixels per transaction): no edges, and each transaction a 2x2-pixel mark written straight into
  // an image, which costs one memory write per mark instead of one path per mark; later marks cover earlier ones.
  drawDots(ctx, first, last) {
    const w = this.canvas.width, h = this.canvas.height;
    if (!this.dotCanvas || this.dotCanvas.width !== w || this.dotCanvas.height !== h) {
      this.dotCanvas = new OffscreenCanvas(w, h);
      this.dotImage = new ImageData(w, h);
    }
    const pixels = new Uint32Array(this.dotImage.data.buffer);
    pixels.fill(0);
    const rgba = new Map();
    for (let i = first; i <= last; i++) {
      const n = this.model.at(i);
      const color = this.colors.color(n.publisher);
      let packed = rgba.get(color);
      if (packed === undefined) rgba.set(color, packed = packColor(color));
      const x = Math.round(this.sx(n) * this.dpr), y = Math.round(this.sy(n) * this.dpr);
      if (x < 0 || x >= w - 1 || y < 0 || y >= h - 1) continue;
      const at = y * w + x;
      pixels[at] = pixels[at + 1] = pixels[at + w] = pixels[at + w + 1] = packed;
    }
    const offscreen = this.dotCanvas.getContext('2d');
    offscreen.putImageData(this.dotImage, 0, 0);
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(this.dotCanvas, 0, 0);
    ctx.restore();
  }

  // Edges inside each cone (the focus included), then the cone's transactions, over the dimmed tangle.
  // In the overview (r = 0) the cones are marks only, like the rest.
  drawCones(ctx, focus, cones, first, last, r) {
    const near = n => n.index >= first - 200 && n.index <= last + 200;
    for (const [cone, color] of [[cones.ancestors, ANCESTOR], [cones.approvers, APPROVER]]) {
      if (r === 0) {
        ctx.fillStyle = color;
        for (const n of cone) if (n.index >= first && n.index <= last) ctx.fillRect(this.sx(n) - 1, this.sy(n) - 1, 2, 2);
        continue;
      }
      const members = new Set(cone); members.add(focus);
      ctx.strokeStyle = color; ctx.lineWidth = 2.5; ctx.beginPath();
      for (const n of members) {
        if (!near(n)) continue;
        for (const p of n.parents) if (members.has(p)) { ctx.moveTo(this.sx(n), this.sy(n)); ctx.lineTo(this.sx(p), this.sy(p)); }
      }
      ctx.stroke();
      ctx.fillStyle = color; ctx.beginPath();
      for (const n of cone) {
        if (n.index < first || n.index > last) continue;
        ctx.moveTo(this.sx(n) + r, this.sy(n)); ctx.arc(this.sx(n), this.sy(n), Math.max(r, 2), 0, 2 * Math.PI);
      }
      ctx.fill();
    }
    this.ring(ctx, focus, r + 3, '#111', 2);
  }

  drawReference(ctx, r) {
    const node = this.referenceCid && this.model.get(this.referenceCid);
    if (!node) return;
    const x = this.sx(node), y = this.sy(node), s = Math.max(6, r + 4);
    ctx.beginPath();
    ctx.moveTo(x, y - s); ctx.lineTo(x + s, y); ctx.lineTo(x, y + s); ctx.lineTo(x - s, y); ctx.closePath();
    ctx.fillStyle = REFERENCE; ctx.fill();
    ctx.strokeStyle = '#111'; ctx.lineWidth = 2; ctx.stroke();
  }

  ring(ctx, node, radius, color, width) {
    ctx.beginPath();
    ctx.arc(this.sx(node), this.sy(node), radius, 0, 2 * Math.PI);
    ctx.strokeStyle = color; ctx.lineWidth = width; ctx.stroke();
  }

  drawTimeAxis(ctx, first, last) {
    const format = d3.timeFormat('%H:%M:%S');
    ctx.fillStyle = '#444'; ctx.font = '11px system-ui, sans-serif'; ctx.textAlign = 'center';
    const y = this.height - 8;
    for (let px = 60; px < this.width - MARGIN.right; px += 140) {
      const node = this.model.at(Math.round((px - this.transform.x) / this.spacing));
      if (!node || node.index < first || node.index > last || !node.createdAtMs) continue;
      ctx.fillText(format(new Date(node.createdAtMs)), this.sx(node), y);
    }
  }
}

// '#RRGGBB' as one little-endian RGBA pixel.
function packColor(hex) {
  const v = parseInt(hex.slice(1), 16);
  return (255 << 24 | (v & 0xff) << 16 | (v >> 8 & 0xff) << 8 | v >> 16) >>> 0;
}
