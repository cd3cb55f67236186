// Benchmark sizes. `full` is issue 8's scale; `small` is the same shape at a
// tenth, sized so the whole suite runs in under three minutes.
export interface BenchSize {
  readonly name: 'small' | 'full';
  /** Networks, each with its own VRF (one BGPVPN per network, the common case). */
  readonly networks: number;
  /** VM ports, spread evenly over the networks. */
  readonly ports: number;
  /** OVN associations: one network association per network, one router association per network, the rest port associations. */
  readonly associations: number;
  /** Chassis (= Kubernetes nodes) the operator bench binds ports to. */
  readonly chassis: number;
  /** OVN changes timed one after the other (the issue asks for at least 200). */
  readonly ovnChanges: number;
  /** Repetitions of each kernel benchmark; REPORT.md shows medians. */
  readonly runs: number;
  /** Network counts of the two-node FRR convergence runs, and the runs of each. */
  readonly frrNetworks: readonly number[];
  readonly frrRuns: readonly number[];
  /** Every n-th network goes into the one-process-per-command baseline (1: all of them). */
  readonly perCommandSample: number;
}

export const SIZES: Readonly<Record<BenchSize['name'], BenchSize>> = {
  full: {
    name: 'full',
    networks: 1000,
    ports: 10_000,
    associations: 5000,
    chassis: 4,
    ovnChanges: 200,
    runs: 5,
    // One run at 1,000 per test world (issue 23 item 5, issue 27 item 1): a run takes
    // tens of minutes on the shared machine, and the floors come from the same run.
    frrNetworks: [1000],
    frrRuns: [1],
    perCommandSample: 20,
  },
  small: {
    name: 'small',
    networks: 100,
    ports: 1000,
    associations: 500,
    chassis: 4,
    ovnChanges: 200,
    runs: 5,
    frrNetworks: [10],
    frrRuns: [1],
    perCommandSample: 50,
  },
};

/** --smoke: the small size, one run of everything, fewer changes. */
export function smokeOf(size: BenchSize): BenchSize {
  return { ...size, runs: 1, ovnChanges: 20, frrRuns: [1], frrNetworks: [size.frrNetworks[0] ?? 10] };
}

export function parseSize(text: string | undefined): BenchSize {
  if (text === undefined || text === 'full') return SIZES.full;
  if (text === 'small') return SIZES.small;
  throw new Error(`unknown size ${JSON.stringify(text)} (small | full)`);
}
