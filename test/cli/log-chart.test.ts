import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderLogChart } from '../../src/cli/log-chart.js';

/** The chart's plot rows as [label, row text after the axis]. */
function rowsOf(chart: string): [string, string][] {
  return chart.split('\n').filter((l) => l.includes('┤')).map((l) => [l.slice(0, l.indexOf('┤')).trim(), l.slice(l.indexOf('┤') + 1)]);
}

describe('renderLogChart', () => {
  it('labels each power of ten once, in the row where that value is plotted, at every height and span', () => {
    for (let span = 1; span <= 12; span++) {
      for (let height = 4; height <= 30; height++) {
        const decades = Array.from({ length: span + 1 }, (_, i) => -i);
        // One series per power of ten, constant at that value: its letter sits in the row where that value is plotted.
        const series = decades.map((d) => ({ label: `1e${d}`, values: [10 ** d, 10 ** d] }));
        const rows = rowsOf(renderLogChart(series, { height, width: 2, color: null, xLabel: 'k' }));
        const labels = rows.map(([label]) => label).filter((l) => l !== '');
        const where = `span ${span}, height ${height}`;
        assert.equal(new Set(labels).size, labels.length, `${where}: a label repeats: ${labels.join(' ')}`);
        decades.forEach((d, i) => {
          const at = rows.findIndex(([, text]) => text.includes('ABCDEFGHIJKLM'[i])); // −1: it shares its point
          const labelled = rows.findIndex(([label]) => label === `1e${d}`);
          if (labelled >= 0 && at >= 0) assert.equal(at, labelled, `${where}: 1e${d} labelled in row ${labelled}, plotted in ${at}`);
        });
        // With a row for every decade, every decade gets its label.
        if (height > span) assert.equal(labels.length, decades.length, `${where}: ${labels.join(' ')}`);
      }
    }
  });
});
