// Test fixture: an OvsView built by hand (what readOvsView returns).
import type { OvsBridge, OvsInterface, OvsPort, OvsView } from './ovs-view.ts';

export interface FixturePort extends Partial<Omit<OvsPort, 'uuid' | 'name' | 'interfaces'>> {
  bridge: string;
  name: string;
  type?: string;
}

const uuid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

export function fixtureView(bridges: readonly string[], ports: readonly FixturePort[], mappings?: string): OvsView {
  const portRows = new Map<string, OvsPort>();
  const ifaceRows = new Map<string, OvsInterface>();
  const bridgeRows: OvsBridge[] = bridges.map((name, i) => ({ uuid: uuid(100 + i), name, ports: [] as string[] }));
  ports.forEach((p, i) => {
    const iface = { uuid: uuid(1000 + i), name: p.name, type: p.type ?? '' };
    const port: OvsPort = {
      uuid: uuid(2000 + i),
      name: p.name,
      interfaces: [iface.uuid],
      tag: p.tag ?? null,
      trunks: p.trunks ?? [],
      vlanMode: p.vlanMode ?? null,
      externalIds: p.externalIds ?? {},
    };
    ifaceRows.set(iface.uuid, iface);
    portRows.set(port.uuid, port);
    const b = bridgeRows.find((x) => x.name === p.bridge);
    if (b) (b.ports as string[]).push(port.uuid);
  });
  return {
    rootUuid: 'root-1',
    rootExternalIds: {},
    bridgeMappings: mappings,
    systemId: 'chassis-1',
    bridges: bridgeRows,
    ports: portRows,
    interfaces: ifaceRows,
  };
}
