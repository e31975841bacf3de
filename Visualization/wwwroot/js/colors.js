// Publisher colours: the Okabe–Ito palette (distinguishable with the common colour-vision deficiencies), with the
// pale yellow swapped for a darker one that reads on white. Beyond eight publishers, colours repeat.
const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#8C6D00', '#6A3D9A'];
const GENESIS = '#7a7a7a';

export class PublisherColors {
  constructor() { this.assigned = new Map(); }

  color(publisher) {
    if (!publisher) return GENESIS;
    let c = this.assigned.get(publisher);
    if (!c) {
      c = PALETTE[this.assigned.size % PALETTE.length];
      this.assigned.set(publisher, c);
    }
    return c;
  }

  /** Gives the peers colours in a stable order (the membership order), before their transactions arrive. */
  seed(peerIds) { for (const id of peerIds) this.color(id); }
}

export const shortId = id => (id && id.length > 14 ? `${id.slice(0, 6)}…${id.slice(-6)}` : id || '–');
