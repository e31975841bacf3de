import { shortId } from './colors.js';

const percent = v => (v == null ? '–' : `${(v * 100).toFixed(1)} %`);
const number = v => (v == null ? '–' : Number(v).toLocaleString());
const escape = s => String(s).replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`);

/** The peer selector and the peer table. */
export class PeerPanel {
  constructor(select, rows, colors, onChoose) {
    this.select = select;
    this.rows = rows;
    this.colors = colors;
    this.selected = null;
    select.addEventListener('change', () => onChoose(select.value));
  }

  render(peers, selected) {
    this.selected = selected;
    this.colors.seed(peers.map(p => p.peerId));
    const options = peers.map(p => `<option value="${escape(p.peerId)}"${p.peerId === selected ? ' selected' : ''}>${escape(shortId(p.peerId))} (${p.state})</option>`);
    const html = options.join('') || '<option value="">no peers yet</option>';
    // Rewritten only on change, so an open drop-down is not reset by every status sample.
    if (html !== this.lastOptions) { this.select.innerHTML = html; this.lastOptions = html; }
    this.rows.innerHTML = peers.map(p => {
      const s = p.status;
      return `<tr class="${p.peerId === selected ? 'selected' : ''}" data-peer="${escape(p.peerId)}"${p.problem ? ` title="${escape(p.problem)}"` : ''}>
        <td><span class="swatch" style="background:${this.colors.color(p.peerId)}"></span><span class="mono">${escape(shortId(p.peerId))}</span></td>
        <td class="state-${p.state}">${p.state}</td><td>${number(s?.tangleSize)}</td><td>${number(s?.tips)}</td>
        <td>${percent(s?.referenceAccuracy)}</td><td>${s ? `${number(s.published)} / ${number(s.received)} / ${number(s.rejected)}` : '–'}</td></tr>`;
    }).join('');
  }
}

/** The selected transaction's details; parents and approvers are buttons that select them. */
export class DetailsPanel {
  constructor(element, colors, onPick) {
    this.element = element;
    this.colors = colors;
    element.addEventListener('click', e => { const cid = e.target.closest('[data-cid-link]')?.dataset.cidLink; if (cid) onPick(cid); });
  }

  render(node, { isReference, isTip }) {
    if (!node) {
      delete this.element.dataset.cid;
      this.element.innerHTML = '<p class="muted">Click a transaction (or focus the tangle and use the arrow keys).</p>';
      return;
    }
    this.element.dataset.cid = node.cid;
    const link = cid => `<button type="button" class="link mono" data-cid-link="${escape(cid)}">${escape(shortId(cid))}</button>`;
    const parents = node.parentCids.length ? node.parentCids.map(link).join(', ') : '<span class="muted">none (genesis)</span>';
    const approvers = node.approvers.length ? node.approvers.slice(0, 8).map(a => link(a.cid)).join(', ') + (node.approvers.length > 8 ? ` … (${node.approvers.length})` : '') : '<span class="muted">none: a tip</span>';
    const flags = [isReference ? 'reference model' : null, isTip ? 'tip' : null].filter(Boolean).join(', ') || '–';
    this.element.innerHTML = `<dl>
      <dt>CID</dt><dd class="mono" id="detail-cid">${escape(node.cid)}</dd>
      <dt>Parents</dt><dd id="detail-parents">${parents}</dd>
      <dt>Approvers</dt><dd>${approvers}</dd>
      <dt>Publisher</dt><dd id="detail-publisher"><span class="swatch" style="background:${this.colors.color(node.publisher)}"></span><span class="mono">${escape(node.publisher || '–')}</span></dd>
      <dt>Local loss</dt><dd id="detail-loss">${node.loss == null ? '–' : node.loss.toFixed(4)}</dd>
      <dt>Local accuracy</dt><dd id="detail-accuracy">${percent(node.accuracy)}</dd>
      <dt>Created</dt><dd id="detail-created">${node.createdAtMs ? new Date(node.createdAtMs).toISOString() : '–'}</dd>
      <dt>Arrival</dt><dd>#${number(node.sequence)} in this replica</dd>
      <dt>Role</dt><dd>${flags}</dd>
    </dl>`;
  }
}
