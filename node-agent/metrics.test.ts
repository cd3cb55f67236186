import { describe, expect, it } from 'vitest';
import { createAgentMetrics } from './metrics.ts';

const sample = (text: string, name: string): string | undefined =>
  text
    .split('\n')
    .find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
    ?.split(' ')
    .pop();

describe('agent metrics (the /v1/evpn/metrics set per node)', () => {
  it('exports networks (by type), VRFs, ports, FDB/neighbour entries, sync duration and the last sync time of a pass', () => {
    const m = createAgentMetrics();
    const before = Date.now() / 1000;
    m.observePass(
      {
        durationMs: 1500,
        kernel: {
          writes: 7,
          networks: new Map([
            ['a', { fdbEntries: 2, neighbors: 1 }],
            ['b', { fdbEntries: 3 }],
          ]),
        },
      },
      { vrfs: 1, networks: 2, ports: 5, l2Networks: 1, l3Networks: 1 },
    );
    const text = m.registry.render();
    expect(sample(text, 'ovn_evpn_agent_networks')).toBe('2');
    expect(text).toContain('ovn_evpn_agent_networks_by_type{type="l2"} 1\n');
    expect(text).toContain('ovn_evpn_agent_networks_by_type{type="l3"} 1\n');
    expect(sample(text, 'ovn_evpn_agent_vrfs')).toBe('1');
    expect(sample(text, 'ovn_evpn_agent_ports')).toBe('5');
    expect(sample(text, 'ovn_evpn_agent_fdb_entries')).toBe('5');
    expect(sample(text, 'ovn_evpn_agent_neighbor_entries')).toBe('1');
    expect(sample(text, 'ovn_evpn_agent_sync_duration_seconds_sum')).toBe('1.5');
    expect(sample(text, 'ovn_evpn_agent_netlink_writes_total')).toBe('7');
    expect(Number(sample(text, 'ovn_evpn_agent_last_sync_timestamp_seconds'))).toBeGreaterThanOrEqual(before);
    expect(m.lastSync).toMatchObject({ networks: 2, vrfs: 1, ports: 5, fdb: 5, neighbors: 1, durationMs: 1500 });
  });

  it('counts kernel passes skipped because nothing changed', () => {
    const m = createAgentMetrics();
    const pass = (skipped: boolean) => ({ durationMs: 1, kernel: { writes: 0, skipped, networks: new Map() } });
    m.observePass(pass(true), { vrfs: 0, networks: 0, ports: 0 });
    m.observePass(pass(false), { vrfs: 0, networks: 0, ports: 0 });
    m.observePass(pass(true), { vrfs: 0, networks: 0, ports: 0 });
    expect(sample(m.registry.render(), 'ovn_evpn_agent_kernel_passes_skipped_total')).toBe('2');
  });

  it('counts the objects failing now by EVPN code, back to 0 when they recover', () => {
    const m = createAgentMetrics();
    m.observeFailing(['EVPN-005', 'EVPN-005', 'EVPN-006']);
    let text = m.registry.render();
    expect(text).toContain('ovn_evpn_agent_failing_objects{code="EVPN-005"} 2\n');
    expect(text).toContain('ovn_evpn_agent_failing_objects{code="EVPN-006"} 1\n');
    m.observeFailing([]);
    text = m.registry.render();
    expect(text).toContain('ovn_evpn_agent_failing_objects{code="EVPN-005"} 0\n');
    expect(text).toContain('ovn_evpn_agent_failing_objects{code="EVPN-006"} 0\n');
  });
});
