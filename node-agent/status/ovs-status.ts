// Pure: the OVS uplink step's outcome → this node's OVS conditions and the
// per-network override (a network that cannot be plugged here is not ready).
import { codedMessage, EvpnErrorCode } from '../../crds/index.ts';
import type { ConditionInput } from '../../lib/kube/conditions.ts';
import type { ObjectOutcome } from '../kernel/attribute-failures.ts';
import type { OvsOutcome } from '../ovs/ovs-uplink.ts';

export const OvsConditionType = {
  /** The uplink port on the provider bridge matches the networks (EvpnNodeState only). */
  OvsApplied: 'OvsApplied',
  /** Another port of the uplink's bridge carries a VLAN that EVPN stretches: a loop risk (a warning, nothing is refused). */
  VlanLoopRisk: 'VlanLoopRisk',
} as const;

const list = (vlans: readonly number[]): string => vlans.join(',');

export function ovsConditions(ovs: OvsOutcome | undefined): ConditionInput[] {
  if (ovs === undefined) return [];
  const applied: ConditionInput = ovs.applied
    ? {
        type: OvsConditionType.OvsApplied,
        status: 'True',
        reason: 'Applied',
        message:
          (ovs.port
            ? `port ${ovs.port.name} on bridge ${ovs.port.bridge} trunks VLANs ${list(ovs.port.trunks)}`
            : 'no network is stretched onto Open vSwitch on this node; no uplink port') +
          (ovs.systemId !== undefined ? ` (OVS system-id ${ovs.systemId})` : ''),
      }
    : {
        type: OvsConditionType.OvsApplied,
        status: 'False',
        reason: ovs.reason ?? 'Failed',
        message: `${EvpnErrorCode.Infrastructure}: ${ovs.error ?? 'not applied'}`,
      };
  const loop: ConditionInput =
    ovs.loopRisks.length > 0
      ? {
          type: OvsConditionType.VlanLoopRisk,
          status: 'True',
          reason: 'VlanOnOtherPort',
          message: ovs.loopRisks
            .map((r) => `VLAN ${list(r.vlans)} also leaves bridge ${r.bridge} through port ${r.port}`)
            .join('; '),
        }
      : {
          type: OvsConditionType.VlanLoopRisk,
          status: 'False',
          reason: 'NoneDetected',
          message: 'no other port of the uplink bridge carries a stretched VLAN',
        };
  return [applied, loop];
}

/** A network ready in the kernel but not plugged into OVS on this node is not ready, with the OVS reason. */
export function withOvs(o: ObjectOutcome, ovs: OvsOutcome | undefined): ObjectOutcome {
  const r = ovs?.networks.get(o.name);
  if (!o.ready || r === undefined || r.plugged) return o;
  return {
    ...o,
    ready: false,
    reason: r.reason ?? 'NotPlugged',
    code: EvpnErrorCode.Infrastructure,
    message: codedMessage(EvpnErrorCode.Infrastructure, r.message ?? 'not plugged into Open vSwitch'),
  };
}
