import { describe, expect, it } from 'vitest';
import { configDaemons, runningConfigSockets } from './frr-daemons.ts';
import type { DaemonName } from '../stanzas.ts';

const frr84 = new Map<DaemonName, string>([
  ['zebra', '/z'],
  ['bgpd', '/b'],
]);
const frr10 = new Map<DaemonName, string>([
  ['mgmtd', '/m'],
  ['zebra', '/z'],
  ['bgpd', '/b'],
  ['bfdd', '/f'],
]);

describe('FRR 8.4 vs 10 daemon layout', () => {
  it("sends zebra's configuration to zebra on 8.4 and to mgmtd on 10; bgpd and bfdd keep theirs", () => {
    expect(configDaemons(['zebra'], frr84)).toEqual(['zebra']);
    expect(configDaemons(['zebra', 'bgpd'], frr84)).toEqual(['zebra', 'bgpd']);
    expect(configDaemons(['zebra'], frr10)).toEqual(['mgmtd']);
    expect(configDaemons(['zebra', 'bgpd'], frr10)).toEqual(['mgmtd', 'bgpd']);
    expect(configDaemons(['bfdd'], frr10)).toEqual(['bfdd']);
  });

  it('reads the running config from zebra on 8.4 and from mgmtd instead of zebra on 10', () => {
    expect([...runningConfigSockets(frr84).keys()]).toEqual(['zebra', 'bgpd']);
    expect([...runningConfigSockets(frr10).keys()]).toEqual(['mgmtd', 'bgpd', 'bfdd']);
  });
});
