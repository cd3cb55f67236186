// Every line the test world's real FRR refuses is attributed (UML guest, a real
// VRF/VXLAN kernel, the agent's FrrUnit and FrrApplier over the daemons' vty
// sockets; FRR 8.4.4 on oldest, 10.7.1 on current, the same inputs on both).
// Each refusal is FRR's own answer to input it really refuses, no hook:
//  - VRF stanza: the VNI is already another VRF's L3VNI (8.4's zebra: "VNI N is
//    already configured as L3-VNI"; 10's mgmtd, status 13: "vni N is already
//    mapped to another vrf") → EVPN-006 on that EvpnVrf alone. (A VRF that holds
//    another VNI is no such input any more: 10's mgmtd replaces that VNI.);
//  - L2VNI block: the VNI is a VRF's L3VNI in bgpd ("Failed to create VNI", both)
//    → EVPN-006 on that EvpnNetwork alone, and the L2VNI blocks after it in the
//    same `router bgp` stanza are still applied;
//  - underlay: a neighbour on the node's own address ("Can not configure the
//    local system as neighbor") → the node's FRR error (FrrApplied False, every object not applied).
// In each case the read-back comparison accepts nothing but the refused unit:
// no frr-reload.py fallback (every apply's mode is checked), and what else differs still counts.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvpnNetwork, EvpnVrf } from '../../crds/index.ts';
import { silentLogger } from '../../lib/log.ts';
import { withoutEmptyVrfBlock } from '../../test/harness/frr/frr-probes.ts';
import { recordApplies } from '../../test/harness/frr/record-applies.ts';
import { hasMgmtd, startFrrTestInstance, type FrrTestInstance } from '../../test/harness/frr/frr-test-instance.ts';
import type { Applicable } from '../inputs/select-applicable.ts';
import { FrrUnit } from './frr-unit.ts';
import { FrrApplier, type FrrApplyResult } from './reload.ts';

const NS = 'frrrefuse';
const SELF = '10.0.9.1';
let frr: FrrTestInstance;
let dir: string;

const vrf = (vni: number): EvpnVrf => ({ metadata: { name: `v${vni}` }, spec: { vni } }) as unknown as EvpnVrf;
const l2 = (vni: number, vrfVni: number, rd: string): EvpnNetwork =>
  ({
    metadata: { name: `n${vni}` },
    spec: { type: 'l2', vni, vrf: `v${vrfVni}`, routeDistinguishers: [rd] },
  }) as unknown as EvpnNetwork;

function settings(peer: string): ConstructorParameters<typeof FrrUnit>[0]['settings'] {
  return {
    node: { vtepIp: SELF },
    bgp: { asn: 65000, routerId: SELF, peers: [], bfd: false },
    frrNodeSettings: {
      asn: 65000,
      routerId: SELF,
      underlayNeighbors: [{ address: peer, remoteAs: 'internal', ipv4Unicast: false, evpn: true }],
    },
    frr: { enabled: true, checkIntervalSeconds: 3600, statusIntervalSeconds: 3600 },
  };
}

/** What each unit's applier did: no refusal may send the config through frr-reload.py. */
const applies = new WeakMap<FrrUnit, FrrApplyResult[]>();

function unitFor(peer: string): FrrUnit {
  const applier = new FrrApplier({ configPath: join(dir, `${peer}.conf`), pathspace: NS });
  const unit = new FrrUnit({ settings: settings(peer), applier, log: silentLogger() });
  applies.set(unit, recordApplies(applier));
  return unit;
}

/** One pass's FRR part: select, apply, outcome. */
async function pass(
  unit: FrrUnit,
  vrfs: EvpnVrf[],
  networks: EvpnNetwork[],
): Promise<{ applicable: Applicable; outcome: ReturnType<FrrUnit['outcome']> }> {
  const applicable: Applicable = { vrfs, networks, rejectedVrfs: new Map(), rejectedNetworks: new Map() };
  const config = unit.select(applicable);
  expect(config.ok).toBe(true);
  const before = applies.get(unit)?.length ?? 0;
  await unit.apply(config, new Set(vrfs.map((v) => `vrf-${v.spec.vni}`)));
  expect(
    applies
      .get(unit)
      ?.slice(before)
      .map((r) => r.mode === 'reload'),
  ).toEqual([false]);
  return { applicable, outcome: unit.outcome(applicable) };
}

function vtysh(...commands: string[]): string {
  const r = spawnSync('vtysh', ['-N', NS, ...commands.flatMap((c) => ['-c', c])], { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`;
}

/** A VRF with its L3VNI VXLAN, and L2VNI bridges+VXLANs in it, in FRR's namespace. */
function kernelVrf(vni: number, l2vnis: readonly number[]): string[] {
  const vxlanIn = (id: number): string[] => [
    `link add br-${id} type bridge`,
    `link set br-${id} master vrf-${vni} addrgenmode none`,
    `link set br-${id} up`,
    `link add vxlan-${id} type vxlan id ${id} local ${SELF} dstport 4789 nolearning`,
    `link set vxlan-${id} master br-${id} addrgenmode none`,
    `link set vxlan-${id} up`,
  ];
  return [
    `link add vrf-${vni} type vrf table ${vni}`,
    `link set vrf-${vni} up`,
    ...vxlanIn(vni),
    ...l2vnis.flatMap(vxlanIn),
  ];
}

async function until(what: string, ok: () => boolean, timeoutMs = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const running = (): string => vtysh('show running-config');

/**
 * VNI 2003 becomes vrf-2002's L3VNI behind the agent's back. In a VRF the agent
 * renders, so the read-back differs only in that VRF's VNI, which the applier's
 * VNI repair puts back in the same apply: a foreign VRF would be drift that
 * counts, sending the whole config through frr-reload.py, which would hide
 * whether the delta went on after the refused block.
 */
async function takeVni2003AsL3(): Promise<void> {
  vtysh('configure terminal', 'vrf vrf-2002', 'no vni 2002', 'vni 2003', 'exit-vrf');
  await until('bgpd to know L3VNI 2003', () => /\b2003\s+L3\b/.test(vtysh('show bgp l2vpn evpn vni')));
}
const frrVersion = (): string => /FRRouting (\S+)/.exec(vtysh('show version'))?.[1] ?? 'unknown';

describe('FRR refusals on real FRR are attributed to their VRF, network or node', () => {
  let unit: FrrUnit;

  beforeAll(async () => {
    frr = startFrrTestInstance(NS, (exec) => {
      for (const line of [
        `link add und0 type dummy`,
        `addr add ${SELF}/24 dev und0`,
        `link set und0 up`,
        ...kernelVrf(2001, [12001, 12002]),
        ...kernelVrf(2002, []),
        ...kernelVrf(2003, []),
      ]) {
        exec(['ip', ...line.split(' ')]);
      }
    });
    dir = mkdtempSync(join(tmpdir(), 'frr-refusals-'));
    unit = unitFor('10.0.9.2');
    const { outcome } = await pass(unit, [vrf(2001), vrf(2002)], [l2(12001, 2001, '65000:12001')]);
    expect(outcome.error).toBeUndefined();
    expect(running()).toMatch(/vni 12001\n {3}rd 65000:12001\n/);
  }, 60_000);
  afterAll(() => {
    frr.stop();
  });

  it('a refused line in a VRF stanza fails that EvpnVrf alone (EVPN-006); nothing else, no fallback', async () => {
    // State the agent does not know of (it runs what it last read back): VNI 2003 is already vrf-2002's
    // L3VNI. Both worlds refuse `vni 2003` in vrf-2003 then: 8.4's zebra "VNI 2003 is already configured
    // as L3-VNI", 10's mgmtd (status 13) "vni 2003 is already mapped to another vrf". (A VRF that holds
    // another VNI no longer serves: mgmtd replaces that VNI.) vrf-2002's own VNI is the VNI repair's.
    vtysh('configure terminal', 'vrf vrf-2002', 'no vni 2002', 'vni 2003', 'exit-vrf');
    expect(running()).toMatch(/vrf vrf-2002\n vni 2003\n/);
    const { outcome } = await pass(unit, [vrf(2001), vrf(2002), vrf(2003)], [l2(12001, 2001, '65000:12001')]);
    const message = outcome.rejectedVrfs?.get('v2003')?.message;
    process.stderr.write(`refusals: VRF case on ${frrVersion()}: ${JSON.stringify(message)}\n`);
    expect([...(outcome.rejectedVrfs?.keys() ?? [])]).toEqual(['v2003']);
    expect(outcome.rejectedVrfs?.get('v2003')).toMatchObject({ code: 'EVPN-006', reason: 'FrrRejected' });
    expect(message).toMatch(
      hasMgmtd()
        ? /^EVPN-006: FRR refused its configuration: mgmtd: vni 2003: vni 2003 is already mapped to another vrf$/
        : /^EVPN-006: FRR refused its configuration: zebra: vni 2003: .*already configured as L3-VNI$/,
    );
    expect(outcome.rejectedNetworks?.size ?? 0).toBe(0);
    expect(outcome.error).toBeUndefined();
    expect(running()).toContain('router bgp 65000 vrf vrf-2003');
    // The last good state of the other VRFs: vrf-2002 has its own VNI back.
    expect(running()).toMatch(/vrf vrf-2002\n vni 2002\n/);
    // The retry takes it (the conflicting VNI is free again), then the VRF goes again.
    expect(
      (await pass(unit, [vrf(2001), vrf(2002), vrf(2003)], [l2(12001, 2001, '65000:12001')])).outcome.rejectedVrfs
        ?.size ?? 0,
    ).toBe(0);
    expect(running()).toMatch(/vrf vrf-2003\n vni 2003\n/);
    await pass(unit, [vrf(2001), vrf(2002)], [l2(12001, 2001, '65000:12001')]);
    expect(withoutEmptyVrfBlock(running(), 'vrf-2003')).not.toContain('vrf-2003');
  });

  it('a refused line in an L2VNI block fails that EvpnNetwork alone; the L2VNIs after it in the stanza are applied', async () => {
    // Behind the agent's back VNI 2003 becomes an L3VNI in bgpd; bgpd then refuses it as an L2VNI.
    await takeVni2003AsL3();
    const networks = [l2(12001, 2001, '65000:12001'), l2(2003, 2001, '65000:2003'), l2(12002, 2001, '65000:12002')];
    const { outcome } = await pass(unit, [vrf(2001), vrf(2002)], networks);
    process.stderr.write(
      `refusals: L2VNI case on ${frrVersion()}: ${JSON.stringify(outcome.rejectedNetworks?.get('n2003')?.message)}\n`,
    );
    expect([...(outcome.rejectedNetworks?.keys() ?? [])]).toEqual(['n2003']);
    expect(outcome.rejectedNetworks?.get('n2003')).toMatchObject({ code: 'EVPN-006', reason: 'FrrRejected' });
    expect(outcome.rejectedNetworks?.get('n2003')?.message).toMatch(
      /^EVPN-006: FRR refused its L2VNI configuration: bgpd: vni 2003: /,
    );
    expect(outcome.rejectedVrfs?.size ?? 0).toBe(0);
    expect(outcome.error).toBeUndefined();
    // The block went on after the refused vni: the later L2VNI is in FRR.
    expect(running()).toMatch(/vni 12002\n {3}rd 65000:12002\n/);
    // Nothing else was lost: vrf-2002 has its own VNI back (the VNI repair, not frr-reload.py).
    expect(running()).toMatch(/vrf vrf-2002\n vni 2002\n/);
    // Once the conflicting L3VNI is gone, the retry applies it.
    const again = await pass(unit, [vrf(2001), vrf(2002)], networks);
    expect(again.outcome.rejectedNetworks?.size ?? 0).toBe(0);
    expect(running()).toMatch(/vni 2003\n {3}rd 65000:2003\n/);
    await pass(unit, [vrf(2001), vrf(2002)], [l2(12001, 2001, '65000:12001')]);
    expect(running()).not.toMatch(/vni 2003\b/);
  });

  it("a refused L2VNI block at the end of the stanza: the stanza's closers still run where they belong (no node refusal)", async () => {
    await takeVni2003AsL3();
    // 1500 sorts before 2003, so the refused block is the last one before `exit-address-family`.
    const networks = [l2(12001, 2001, '65000:12001'), l2(1500, 2001, '65000:1500'), l2(2003, 2001, '65000:2003')];
    const { outcome } = await pass(unit, [vrf(2001), vrf(2002)], networks);
    expect([...(outcome.rejectedNetworks?.keys() ?? [])]).toEqual(['n2003']);
    expect(outcome.error).toBeUndefined();
    expect(running()).toMatch(/vni 1500\n {3}rd 65000:1500\n/);
    await pass(unit, [vrf(2001), vrf(2002)], [l2(12001, 2001, '65000:12001')]);
    expect(running()).not.toMatch(/vni (1500|2003)\b/);
  });

  it('a refused underlay line fails the node: the FRR error names it, no object is attributed, no fallback', async () => {
    // A neighbour on the node's own address: bgpd refuses it.
    const self = unitFor(SELF);
    const { outcome } = await pass(self, [vrf(2001), vrf(2002)], [l2(12001, 2001, '65000:12001')]);
    expect(outcome.error).toMatch(
      new RegExp(
        `^FRR refused the node's configuration: bgpd: neighbor ${SELF.replace(/\./g, '\\.')} remote-as internal: .*local system`,
      ),
    );
    expect(outcome.running).toBe(true);
    expect(outcome.rejectedVrfs?.size ?? 0).toBe(0);
    expect(outcome.rejectedNetworks?.size ?? 0).toBe(0);
    expect(running()).not.toContain(`neighbor ${SELF} `);
    // The node's EvpnNodeState gets one Warning for it (not one per pass while it lasts).
    expect(self.nodeRefusalEvent('node-1')).toMatchObject({
      regarding: { kind: 'EvpnNodeState', name: 'node-1' },
      type: 'Warning',
      reason: 'FrrFailed',
      note: expect.stringMatching(
        /^node node-1: EVPN-006: FRR refused the node's configuration: bgpd: neighbor .*local system/,
      ) as unknown,
    });
    expect((await pass(self, [vrf(2001), vrf(2002)], [l2(12001, 2001, '65000:12001')])).outcome.error).toMatch(
      /local system/,
    );
    expect(self.nodeRefusalEvent('node-1')).toBeUndefined();
    // Fixed settings: the node's error is gone.
    const fixed = await pass(unitFor('10.0.9.2'), [vrf(2001), vrf(2002)], [l2(12001, 2001, '65000:12001')]);
    expect(fixed.outcome.error).toBeUndefined();
    expect(running()).toContain('neighbor 10.0.9.2 remote-as internal');
  });
});
