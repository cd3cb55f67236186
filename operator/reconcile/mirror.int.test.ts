// The mirror end to end: real OVN NB/SB ovsdb-servers (and ovn-northd where
// Port_Binding rows are needed), rows written with ovn-nbctl/ovn-sbctl exactly
// as networking-bgpvpn's driver writes them, the operator in-process, and a
// private real kube-apiserver with the CRDs from crds/generated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvpnNetwork, EvpnPortSet, EvpnVrf } from '../../crds/index.ts';
import { Label } from '../../crds/index.ts';
import { startOvnDatabases, type OvnDatabases } from '../../test/ovn/ovn-databases.ts';
import { driverExternalIds } from '../mirror/fixtures/driver-rows.ts';
import { Resources } from '../resources.ts';
import { getObject, listObjects, startKubeEnv, waitFor, type KubeEnv } from '../testing/kube-env.ts';
import { addNetwork, lsName, removeBgpvpnKeys, setExternalIds } from '../testing/ovn-driver.ts';
import { runOperator, type RunningOperator } from '../testing/operator-harness.ts';

let kube: KubeEnv;
let ovn: OvnDatabases;
let op: RunningOperator;

beforeAll(async () => {
  [kube, ovn] = await Promise.all([startKubeEnv(), startOvnDatabases()]);
  op = await runOperator(kube, ovn);
});

afterAll(async () => {
  await op.stop();
  await Promise.all([ovn.stop(), kube.stop()]);
});

const uuid = (n: number): string => `${n.toString(16).padStart(8, '0')}-1111-4000-8000-${Date.now().toString(16).padStart(12, '0').slice(-12)}`;

describe('network association (NB Logical_Switch)', () => {
  it('creates, updates and deletes the EvpnNetwork and its EvpnVrf', async () => {
    const net = uuid(1);
    const ids = driverExternalIds({ vni: 10100, type: 'l2', routeTargets: ['65000:10100'], routeDistinguishers: ['192.0.2.1:10100'], localPref: 100 });
    await addNetwork(ovn.nbctl, net, ids);
    const created = await waitFor('EvpnNetwork', () => getObject<EvpnNetwork>(kube.client, Resources.networks, net));
    expect(created.metadata.labels?.[Label.MirroredFrom]).toBe('network');
    expect(created.spec).toMatchObject({ type: 'l2', vrf: 'vrf-10100', source: { association: 'network', networkId: net } });
    const vrf = await waitFor('EvpnVrf', () => getObject<EvpnVrf>(kube.client, Resources.vrfs, 'vrf-10100'));
    expect(vrf.spec).toEqual({ vni: 10100, bgpAs: 65000, routeTargets: ['65000:10100'], routeDistinguishers: ['192.0.2.1:10100'], localPref: 100 });

    await setExternalIds(ovn.nbctl, 'Logical_Switch', lsName(net), { 'neutron_bgpvpn:rt': '["65000:10100", "65000:999"]' });
    await waitFor('VRF route targets updated', async () =>
      (await getObject<EvpnVrf>(kube.client, Resources.vrfs, 'vrf-10100'))?.spec.routeTargets?.length === 2 || undefined);
    const updated = await getObject<EvpnNetwork>(kube.client, Resources.networks, net);
    expect(updated?.metadata.uid).toBe(created.metadata.uid);
    expect(updated?.spec.vlanId).toBe(created.spec.vlanId);

    await removeBgpvpnKeys(ovn.nbctl, 'Logical_Switch', lsName(net), Object.keys(ids));
    await waitFor('EvpnNetwork gone', async () => (await getObject<EvpnNetwork>(kube.client, Resources.networks, net)) === undefined || undefined);
    await waitFor('EvpnVrf gone', async () => (await getObject<EvpnVrf>(kube.client, Resources.vrfs, 'vrf-10100')) === undefined || undefined);
    expect(await listObjects<EvpnPortSet>(kube.client, Resources.portSets, `${Label.Network}=${net}`)).toEqual([]);
  });
});
