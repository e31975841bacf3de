// The tangle as one peer's replica holds it, laid out for drawing: x is the arrival order (parents always arrive
// before the transactions approving them, so every edge points left), y a lane near the parents' lanes.
// Bounded: beyond `capacity` transactions the oldest are dropped, so memory and work stay flat however long it runs.

export const COLUMN = 16; // px between consecutive transactions at zoom 1
export const LANE = 22;   // px between lanes
export const LANES = 9;

export class TangleModel {
  constructor(capacity = 10000) {
    this.capacity = capacity;
    this.clear();
  }

  clear() {
    this.nodes = [];          // oldest first; nodes[k].index === this.offset + k
    this.offset = 0;          // how many were dropped from the left
    this.byCid = new Map();
    this.laneLastUsed = new Array(LANES).fill(-Infinity);
    this.tipCount = 0;
  }

  get size() { return this.nodes.length; }
  get newest() { return this.nodes[this.nodes.length - 1]; }
  get oldest() { return this.nodes[0]; }
  at(index) { return this.nodes[index - this.offset]; }
  get(cid) { return this.byCid.get(cid); }

  /** Adds transactions in arrival order; returns how many were new. */
  addAll(transactions) {
    let added = 0;
    for (const t of transactions) if (this.add(t)) added++;
    this.trim();
    return added;
  }

  add(t) {
    if (this.byCid.has(t.cid)) return false;
    const index = this.offset + this.nodes.length;
    const parents = [];
    for (const cid of t.parents) {
      const parent = this.byCid.get(cid);
      if (parent) parents.push(parent);
    }
    const node = {
      cid: t.cid, parentCids: t.parents, parents, approvers: [], publisher: t.publisher,
      loss: t.localLoss, accuracy: t.localAccuracy, createdAtMs: t.createdAtMs, sequence: t.sequence,
      index, lane: this.chooseLane(parents, index),
    };
    for (const parent of parents) {
      if (parent.approvers.length === 0) this.tipCount--;
      parent.approvers.push(node);
    }
    this.tipCount++;
    this.nodes.push(node);
    this.byCid.set(node.cid, node);
    return true;
  }

  // The free lane nearest the parents' mean lane (a free lane was not used by the previous column, so consecutive
  // transactions never share a horizontal line and hide each other's edges), pulled slightly towards the middle.
  chooseLane(parents, index) {
    const middle = (LANES - 1) / 2;
    const target = parents.length ? parents.reduce((s, p) => s + p.lane, 0) / parents.length : middle;
    let best = Math.round(target), bestScore = Infinity;
    for (let lane = 0; lane < LANES; lane++) {
      const busy = index - this.laneLastUsed[lane] < 2 ? 10 : 0;
      const score = Math.abs(lane - target) + 0.3 * Math.abs(lane - middle) + busy;
      if (score < bestScore) { best = lane; bestScore = score; }
    }
    this.laneLastUsed[best] = index;
    return best;
  }

  // Amortised: drop down to the capacity only when 10% over it, so trimming is rare and cheap per transaction.
  trim() {
    const excess = this.nodes.length - this.capacity;
    if (excess <= this.capacity * 0.1) return;
    const dropped = this.nodes.splice(0, excess);
    const droppedSet = new Set(dropped);
    for (const node of dropped) this.byCid.delete(node.cid);
    for (const node of this.nodes) {
      if (node.parents.some(p => droppedSet.has(p))) node.parents = node.parents.filter(p => !droppedSet.has(p));
    }
    for (const node of dropped) if (node.approvers.length === 0) this.tipCount--;
    this.offset += excess;
  }

  x(node) { return node.index * COLUMN; }
  y(node) { return node.lane * LANE; }

  isTip(node) { return node.approvers.length === 0; }

  /** The transactions approving `node` directly or indirectly (its future cone), and those it approves (its past cone). */
  cones(node) {
    return { approvers: walk(node, n => n.approvers), ancestors: walk(node, n => n.parents) };
  }
}

function walk(start, next) {
  const seen = new Set();
  const stack = [...next(start)];
  while (stack.length) {
    const n = stack.pop();
    if (seen.has(n)) continue;
    seen.add(n);
    for (const m of next(n)) if (!seen.has(m)) stack.push(m);
  }
  return seen;
}
