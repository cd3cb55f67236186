import { describe, expect, it } from 'vitest';
import { MetricsRegistry, escapeHelp, escapeLabelValue } from './metrics.ts';

describe('Prometheus text exposition', () => {
  it('renders counters, gauges and histograms with HELP and TYPE, in name order', () => {
    const r = new MetricsRegistry();
    r.counter('b_total', 'Things counted.', ['verb']).inc({ verb: 'apply' }, 2);
    r.gauge('a_items', 'Items now.').set({}, 3);
    const h = r.histogram('c_seconds', 'Time.', ['op'], [0.1, 1]);
    h.observe({ op: 'x' }, 0.05);
    h.observe({ op: 'x' }, 0.5);
    h.observe({ op: 'x' }, 5);
    expect(r.render()).toBe(
      [
        '# HELP a_items Items now.',
        '# TYPE a_items gauge',
        'a_items 3',
        '# HELP b_total Things counted.',
        '# TYPE b_total counter',
        'b_total{verb="apply"} 2',
        '# HELP c_seconds Time.',
        '# TYPE c_seconds histogram',
        'c_seconds_bucket{op="x",le="0.1"} 1',
        'c_seconds_bucket{op="x",le="1"} 2',
        'c_seconds_bucket{op="x",le="+Inf"} 3',
        'c_seconds_sum{op="x"} 5.55',
        'c_seconds_count{op="x"} 3',
        '',
      ].join('\n'),
    );
  });

  it('escapes backslash, quote and newline in label values, and backslash and newline in help', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    expect(escapeHelp('x\\y\nz "q"')).toBe('x\\\\y\\nz "q"');
    const r = new MetricsRegistry();
    r.counter('x_total', 'Line one\nline two.', ['path']).inc({ path: 'C:\\dir "q"' });
    expect(r.render()).toContain('# HELP x_total Line one\\nline two.\n');
    expect(r.render()).toContain('x_total{path="C:\\\\dir \\"q\\""} 1\n');
  });

  it('renders special float values as Prometheus spells them', () => {
    const r = new MetricsRegistry();
    const g = r.gauge('g', 'G.', ['k']);
    g.set({ k: 'inf' }, Infinity);
    g.set({ k: 'nan' }, NaN);
    g.set({ k: 'ninf' }, -Infinity);
    expect(r.render()).toContain('g{k="inf"} +Inf\ng{k="nan"} NaN\ng{k="ninf"} -Inf\n');
  });

  it('rejects bad names, missing labels, a decreasing counter and a type clash', () => {
    const r = new MetricsRegistry();
    expect(() => r.counter('1bad', 'x')).toThrow(/metric name/);
    expect(() => r.counter('ok', 'x', ['__reserved'])).toThrow(/label name/);
    const c = r.counter('c_total', 'x', ['a']);
    expect(() => {
      c.inc({});
    }).toThrow(/missing label a/);
    expect(() => {
      c.inc({ a: '1' }, -1);
    }).toThrow(/cannot decrease/);
    expect(() => r.gauge('c_total', 'x')).toThrow(/another type/);
    expect(r.counter('c_total', 'x', ['a'])).toBe(c);
  });
});
