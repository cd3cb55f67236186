// The chassis keys from → to: only our two keys are mutated, someone else's
// value is a conflict (never overwritten), adoption writes nothing, and the
// keys we wrote go with the last ovn network.
import { describe, expect, it } from 'vitest';
import { CHASSIS_MARK_KEY, desiredChassisKeys, planChassisKeys, type ChassisKeys } from './chassis-keys.ts';

const ROOT = 'root-uuid';
const want = desiredChassisKeys(true, '10.0.0.1', [4789]);
const foreign = { 'system-id': 'ch1', 'ovn-remote': 'tcp:127.0.0.1:6642' };
const ours = { 'ovn-evpn-local-ip': '10.0.0.1', 'ovn-evpn-vxlan-ports': '4789' };
const mark = { [CHASSIS_MARK_KEY]: 'ovn-evpn-local-ip,ovn-evpn-vxlan-ports' };
const mutation = (ops: ReturnType<typeof planChassisKeys>['ops']) =>
  ops.flatMap((o) => (o.op === 'mutate' ? [{ table: o.table, where: o.where, mutations: o.mutations }] : []));

describe('planChassisKeys: from → to', () => {
  it('no ovn network → no keys wanted', () => {
    expect(desiredChassisKeys(false, '10.0.0.1', [4789])).toBeUndefined();
    expect(planChassisKeys(ROOT, foreign, undefined)).toEqual({ ops: [], keys: {} });
  });

  it('none → both keys and our mark inserted, other keys untouched', () => {
    const p = planChassisKeys(ROOT, foreign, want);
    expect(mutation(p.ops)).toEqual([
      {
        table: 'Open_vSwitch',
        where: [['_uuid', '==', ROOT]],
        mutations: [['external_ids', 'insert', { ...ours, ...mark }]],
      },
    ]);
    expect(p.keys).toEqual(ours);
  });

  it('ours and current (a restarted agent) → nothing to write', () => {
    expect(planChassisKeys(ROOT, { ...foreign, ...ours, ...mark }, want)).toEqual({ ops: [], keys: ours });
  });

  it('our local IP changed (new VTEP) → that key deleted and inserted again in one mutate', () => {
    const p = planChassisKeys(ROOT, { ...foreign, ...ours, ...mark, 'ovn-evpn-local-ip': '10.0.0.9' }, want);
    expect(mutation(p.ops)[0]?.mutations).toEqual([
      ['external_ids', 'delete', ['ovn-evpn-local-ip']],
      ['external_ids', 'insert', { 'ovn-evpn-local-ip': '10.0.0.1' }],
    ]);
  });

  it("an admin's equal value → adopted as it is: no write, not marked ours", () => {
    const p = planChassisKeys(ROOT, { ...foreign, 'ovn-evpn-vxlan-ports': '4789' }, want);
    expect(mutation(p.ops)[0]?.mutations).toEqual([
      ['external_ids', 'insert', { 'ovn-evpn-local-ip': '10.0.0.1', [CHASSIS_MARK_KEY]: 'ovn-evpn-local-ip' }],
    ]);
    expect(p.conflict).toBeUndefined();
  });

  it("someone else's other value → a conflict, their key left alone", () => {
    const p = planChassisKeys(ROOT, { ...foreign, 'ovn-evpn-local-ip': '192.0.2.7' }, want);
    expect(p.conflict).toContain('ovn-evpn-local-ip=192.0.2.7 (we need 10.0.0.1)');
    const muts = mutation(p.ops)[0]?.mutations ?? [];
    expect(JSON.stringify(muts)).not.toContain('"delete"');
    expect(p.keys).toEqual({ 'ovn-evpn-vxlan-ports': '4789' });
  });

  it('the last ovn network gone → our keys and mark deleted, an adopted key kept', () => {
    const actual: ChassisKeys = { ...foreign, ...ours, [CHASSIS_MARK_KEY]: 'ovn-evpn-local-ip' };
    expect(mutation(planChassisKeys(ROOT, actual, undefined).ops)[0]?.mutations).toEqual([
      ['external_ids', 'delete', ['ovn-evpn-local-ip', CHASSIS_MARK_KEY]],
    ]);
  });
});
