import { shortId } from './colors.js';

// Reference-model accuracy over time, one line per peer (Chart.js). Points are only appended as status events
// arrive; the server keeps a bounded history per peer, and the chart keeps no more than that.
export class AccuracyChart {
  constructor(canvas, figure, colors, maxPoints) {
    this.figure = figure;
    this.colors = colors;
    this.maxPoints = maxPoints;
    this.byPeer = new Map();
    const time = d3.timeFormat('%H:%M:%S');
    this.chart = new Chart(canvas, {
      type: 'line',
      data: { datasets: [] },
      options: {
        animation: false, parsing: false, normalized: true, maintainAspectRatio: false,
        interaction: { mode: 'nearest', intersect: false },
        elements: { point: { radius: 0 }, line: { borderWidth: 2 } },
        scales: {
          x: { type: 'linear', ticks: { callback: v => time(new Date(v)), maxTicksLimit: 5 } },
          y: { min: 0, max: 100, title: { display: true, text: 'accuracy (%)' } },
        },
        plugins: {
          decimation: { enabled: true, algorithm: 'lttb', samples: 300 },
          legend: { labels: { boxWidth: 12 } },
          tooltip: { callbacks: { title: items => time(new Date(items[0].parsed.x)) } },
        },
      },
    });
  }

  dataset(peerId) {
    let set = this.byPeer.get(peerId);
    if (!set) {
      const color = this.colors.color(peerId);
      set = { label: shortId(peerId), data: [], borderColor: color, backgroundColor: color };
      this.byPeer.set(peerId, set);
      this.chart.data.datasets.push(set);
    }
    return set;
  }

  reset(accuracyByPeer) {
    this.byPeer.clear();
    this.chart.data.datasets = [];
    for (const [peerId, samples] of Object.entries(accuracyByPeer)) {
      this.dataset(peerId).data = samples.map(s => ({ x: s.atMs, y: s.accuracy * 100 }));
    }
    this.update();
  }

  add(peerId, sample) {
    const data = this.dataset(peerId).data;
    data.push({ x: sample.atMs, y: sample.accuracy * 100 });
    if (data.length > this.maxPoints) data.splice(0, data.length - this.maxPoints);
    this.update();
  }

  update() {
    this.chart.update('none');
    let total = 0;
    for (const set of this.byPeer.values()) total += set.data.length;
    this.figure.dataset.samples = String(total);
  }
}
