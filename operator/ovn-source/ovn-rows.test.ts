import { describe, expect, it } from 'vitest';
import type { Row, Snapshot } from '../../lib/ovsdb/index.ts';
import { toPortBinding, type NbRows, type SbRows } from './ovn-rows.ts';
import { convertSnapshot } from '../../test/fixtures/mirror/convert-snapshot.ts';

const map = <R extends Row>(...rows: R[]): ReadonlyMap<string, R> => new Map(rows.map((r) => [r._uuid, r]));

function snapshots(pb: Row[] = []): { nb: Snapshot<NbRows>; sb: Snapshot<SbRows> } {
  return {
    nb: {
      version: 1,
      tables: {
        Logical_Switch: map({
          _uuid: 'ls1',
          name: 'neutron-n1',
          external_ids: { 'neutron_bgpvpn:vni': '10100' },
          ports: ['lsp1', 'lsp2'],
        }),
        Logical_Switch_Port: map(
          {
            _uuid: 'lsp1',
            name: 'provnet-1',
            type: 'localnet',
            tag: 101,
            options: { network_name: 'physnet1' },
            dhcpv4_options: null,
            dhcpv6_options: null,
          },
          { _uuid: 'lsp2', name: 'vm1', type: '', tag: null, options: {}, dhcpv4_options: 'd4', dhcpv6_options: 'd6' },
        ),
        DHCP_Options: map({ _uuid: 'd4', cidr: '10.0.0.0/24', options: { router: '10.0.0.1', lease_time: '43200' } }),
        Logical_Router_Port: map({
          _uuid: 'lrp1',
          name: 'lrp-p1',
          networks: ['10.0.0.1/24', 'fd00::1/64'],
          external_ids: {},
        }),
      },
    },
    sb: {
      version: 1,
      tables: {
        Port_Binding: map(...pb),
        Chassis: map({ _uuid: 'ch1', name: 'sys-1', hostname: 'node-1' }),
        Datapath_Binding: map({ _uuid: 'dp1', external_ids: { name: 'neutron-n1' } }),
      },
    },
  };
}

describe('OVSDB rows → OvnSnapshot', () => {
  it('converts the columns the mirror reads', () => {
    const { nb, sb } = snapshots([
      {
        _uuid: 'pb1',
        logical_port: 'vm1',
        type: '',
        mac: ['02:00:00:00:00:01 10.0.0.5'],
        chassis: 'ch1',
        datapath: 'dp1',
        external_ids: {},
      },
    ]);
    const s = convertSnapshot(nb, sb);
    expect(s.logicalSwitches).toEqual([
      { uuid: 'ls1', name: 'neutron-n1', externalIds: { 'neutron_bgpvpn:vni': '10100' }, ports: ['lsp1', 'lsp2'] },
    ]);
    expect(s.logicalSwitchPorts).toEqual([
      {
        uuid: 'lsp1',
        name: 'provnet-1',
        type: 'localnet',
        tag: 101,
        options: { network_name: 'physnet1' },
        dhcpv4Options: undefined,
        dhcpv6Options: undefined,
      },
      { uuid: 'lsp2', name: 'vm1', type: '', tag: undefined, options: {}, dhcpv4Options: 'd4', dhcpv6Options: 'd6' },
    ]);
    expect(s.dhcpOptions).toEqual([
      { uuid: 'd4', cidr: '10.0.0.0/24', options: { router: '10.0.0.1', lease_time: '43200' } },
    ]);
    expect(s.logicalRouterPorts[0]?.networks).toEqual(['10.0.0.1/24', 'fd00::1/64']);
    expect(s.portBindings).toEqual([
      {
        uuid: 'pb1',
        logicalPort: 'vm1',
        type: '',
        mac: ['02:00:00:00:00:01 10.0.0.5'],
        chassis: 'ch1',
        datapath: 'dp1',
        externalIds: {},
      },
    ]);
    expect(s.chassis).toEqual([{ uuid: 'ch1', name: 'sys-1', hostname: 'node-1' }]);
  });

  it('reads an unbound port (empty optional chassis, a one-element set as a scalar)', () => {
    expect(
      toPortBinding({
        _uuid: 'pb',
        logical_port: 'vm',
        type: '',
        mac: '02:00:00:00:00:01',
        chassis: null,
        datapath: 'dp',
        external_ids: {},
      }),
    ).toMatchObject({ chassis: undefined, mac: ['02:00:00:00:00:01'] });
    expect(
      toPortBinding({
        _uuid: 'pb',
        logical_port: 'vm',
        type: '',
        mac: [],
        chassis: [],
        datapath: 'dp',
        external_ids: {},
      }).chassis,
    ).toBeUndefined();
  });
});
