// Pure: the ovn backend's part of a network's node status. A network on the
// ovn backend is not ready here when this chassis' EVPN keys are held by
// someone else with other values (EVPN-004: two managers of one key, we do
// not fight); its FDB and neighbour counts are what ovn-controller wrote for
// its local ports (observed.ts), not what we render (we render none).
import { codedMessage, EvpnErrorCode } from '../../../crds/index.ts';
import type { ObjectOutcome } from '../../kernel/attribute-failures.ts';
import type { OvnObserved } from './observed.ts';

export const OvnReason = {
  /** ovn-evpn-local-ip / ovn-evpn-vxlan-ports set by someone else to other values. */
  ChassisKeyConflict: 'ChassisKeyConflict',
} as const;

export interface OvnStatusInput {
  /** Names of the networks on the ovn backend. */
  networks: ReadonlySet<string>;
  /** From the OVS step (ovs-uplink.ts OvsOutcome.chassis.conflict). */
  chassisConflict?: string | undefined;
  /** Read at FRR's status cadence; absent until first read. */
  observed?: OvnObserved | undefined;
}

export function withOvnBackend(
  o: ObjectOutcome,
  ovn: OvnStatusInput | undefined,
  vni: number | undefined,
): ObjectOutcome {
  if (ovn === undefined || !ovn.networks.has(o.name)) return o;
  const seen = vni === undefined ? undefined : ovn.observed?.switches.get(vni);
  const counted: ObjectOutcome =
    seen === undefined ? o : { ...o, fdbEntries: seen.localMacs, neighbors: seen.localIps };
  if (!counted.ready || ovn.chassisConflict === undefined) return counted;
  return {
    ...counted,
    ready: false,
    reason: OvnReason.ChassisKeyConflict,
    code: EvpnErrorCode.Conflict,
    message: codedMessage(EvpnErrorCode.Conflict, ovn.chassisConflict),
  };
}
