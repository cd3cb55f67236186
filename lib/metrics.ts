// A minimal Prometheus text exposition (format 0.0.4) registry: enough for the
// operator's and agent's own counters, without a dependency.

export type Labels = Readonly<Record<string, string>>;

const metricNamePattern = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelNamePattern = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function formatSampleValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function formatLabels(names: readonly string[], values: readonly string[], extra?: readonly [string, string]): string {
  const parts = names.map((n, i) => `${n}="${escapeLabelValue(values[i] ?? '')}"`);
  if (extra !== undefined) parts.push(`${extra[0]}="${escapeLabelValue(extra[1])}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

interface Metric {
  readonly name: string;
  render(): string;
}

abstract class LabelledMetric<Child> implements Metric {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  protected readonly children = new Map<string, { values: readonly string[]; child: Child }>();

  constructor(name: string, help: string, labelNames: readonly string[]) {
    if (!metricNamePattern.test(name)) throw new Error(`invalid metric name: ${name}`);
    for (const l of labelNames) {
      if (!labelNamePattern.test(l) || l.startsWith('__')) throw new Error(`invalid label name: ${l}`);
    }
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
  }

  protected abstract newChild(): Child;
  abstract render(): string;

  protected childFor(labels: Labels): Child {
    const values = this.labelNames.map((n) => {
      const v = labels[n];
      if (v === undefined) throw new Error(`metric ${this.name}: missing label ${n}`);
      return v;
    });
    if (Object.keys(labels).length !== this.labelNames.length) {
      throw new Error(`metric ${this.name}: expected labels ${this.labelNames.join(',')}`);
    }
    const key = JSON.stringify(values);
    let entry = this.children.get(key);
    if (entry === undefined) {
      entry = { values, child: this.newChild() };
      this.children.set(key, entry);
    }
    return entry.child;
  }

  protected header(type: string): string {
    return `# HELP ${this.name} ${escapeHelp(this.help)}\n# TYPE ${this.name} ${type}\n`;
  }

  protected sortedChildren(): { values: readonly string[]; child: Child }[] {
    return [...this.children.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => e);
  }
}

export class Counter extends LabelledMetric<{ value: number }> {
  protected newChild(): { value: number } {
    return { value: 0 };
  }
  inc(labels: Labels = {}, by = 1): void {
    if (by < 0) throw new Error(`counter ${this.name} cannot decrease`);
    this.childFor(labels).value += by;
  }
  get(labels: Labels = {}): number {
    return this.childFor(labels).value;
  }
  render(): string {
    let out = this.header('counter');
    for (const { values, child } of this.sortedChildren()) {
      out += `${this.name}${formatLabels(this.labelNames, values)} ${formatSampleValue(child.value)}\n`;
    }
    return out;
  }
}

export class Gauge extends LabelledMetric<{ value: number }> {
  protected newChild(): { value: number } {
    return { value: 0 };
  }
  set(labels: Labels, value: number): void {
    this.childFor(labels).value = value;
  }
  inc(labels: Labels = {}, by = 1): void {
    this.childFor(labels).value += by;
  }
  dec(labels: Labels = {}, by = 1): void {
    this.childFor(labels).value -= by;
  }
  get(labels: Labels = {}): number {
    return this.childFor(labels).value;
  }
  render(): string {
    let out = this.header('gauge');
    for (const { values, child } of this.sortedChildren()) {
      out += `${this.name}${formatLabels(this.labelNames, values)} ${formatSampleValue(child.value)}\n`;
    }
    return out;
  }
}

interface HistogramChild {
  readonly counts: number[];
  sum: number;
  count: number;
}

export const defaultBuckets: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class Histogram extends LabelledMetric<HistogramChild> {
  readonly buckets: readonly number[];

  constructor(name: string, help: string, labelNames: readonly string[], buckets: readonly number[] = defaultBuckets) {
    super(name, help, labelNames);
    if (labelNames.includes('le')) throw new Error(`histogram ${name}: label "le" is reserved`);
    this.buckets = [...buckets].sort((a, b) => a - b);
  }
  protected newChild(): HistogramChild {
    return { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
  }
  observe(labels: Labels, value: number): void {
    const child = this.childFor(labels);
    child.sum += value;
    child.count += 1;
    this.buckets.forEach((b, i) => {
      if (value <= b) child.counts[i] = (child.counts[i] ?? 0) + 1;
    });
  }
  /** Count and sum observed so far for one label set. */
  snapshot(labels: Labels = {}): { count: number; sum: number } {
    const c = this.childFor(labels);
    return { count: c.count, sum: c.sum };
  }
  render(): string {
    let out = this.header('histogram');
    for (const { values, child } of this.sortedChildren()) {
      this.buckets.forEach((b, i) => {
        const labels = formatLabels(this.labelNames, values, ['le', formatSampleValue(b)]);
        out += `${this.name}_bucket${labels} ${child.counts[i] ?? 0}\n`;
      });
      out += `${this.name}_bucket${formatLabels(this.labelNames, values, ['le', '+Inf'])} ${child.count}\n`;
      out += `${this.name}_sum${formatLabels(this.labelNames, values)} ${formatSampleValue(child.sum)}\n`;
      out += `${this.name}_count${formatLabels(this.labelNames, values)} ${child.count}\n`;
    }
    return out;
  }
}

export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>();

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.register(name, () => new Counter(name, help, labelNames), Counter);
  }
  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.register(name, () => new Gauge(name, help, labelNames), Gauge);
  }
  histogram(name: string, help: string, labelNames: readonly string[] = [], buckets?: readonly number[]): Histogram {
    return this.register(name, () => new Histogram(name, help, labelNames, buckets), Histogram);
  }

  /** The whole registry in text exposition format, metrics in name order. */
  render(): string {
    return [...this.metrics.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((m) => m.render())
      .join('');
  }

  // Registering the same name twice returns the existing metric, so two controllers
  // in one process can share `controller_reconcile_total` with a `controller` label.
  private register<M extends Metric>(name: string, make: () => M, kind: abstract new (...args: never[]) => M): M {
    const existing = this.metrics.get(name);
    if (existing !== undefined) {
      if (!(existing instanceof kind)) throw new Error(`metric ${name} already registered with another type`);
      return existing;
    }
    const m = make();
    this.metrics.set(name, m);
    return m;
  }
}

export const metricsContentType = 'text/plain; version=0.0.4; charset=utf-8';
