import { describe, expect, it } from 'vitest';
import type { EventInput } from '../../lib/kube/events.ts';
import { EVENT_ACTION, failingCodes, nodeEvents, resultsOf, withCode } from './emit-node-events.ts';
import type { ObjectResult } from './emit-node-events.ts';

const failed = (name: string, reason: string, message: string, kind: ObjectResult['kind'] = 'EvpnNetwork'): ObjectResult => ({ kind, name, ready: false, reason, message });
const ready = (name: string, kind: ObjectResult['kind'] = 'EvpnNetwork'): ObjectResult => ({ kind, name, ready: true });
const brief = (e: EventInput): string => `${e.type} ${e.regarding.kind}/${e.regarding.name} ${e.reason} [${e.key ?? ''}] ${e.note}`;

describe('nodeEvents', () => {
  it('warns on each failing object with the node, the reason and the EVPN code, on the object itself', () => {
    const { events, failing } = nodeEvents('worker-1', [
      failed('net-a', 'InfrastructureFailed', 'EVPN-005: vx-10101: File exists'),
      failed('vrf-1', 'FrrFailed', 'EVPN-006: frr-reload.py exited 1', 'EvpnVrf'),
      ready('net-b'),
    ], new Map(), new Map([['EvpnNetwork/net-a', 'uid-a']]));
    expect(events.map(brief)).toEqual([
      'Warning EvpnNetwork/net-a InfrastructureFailed [worker-1/InfrastructureFailed] node worker-1: EVPN-005: vx-10101: File exists',
      'Warning EvpnVrf/vrf-1 FrrFailed [worker-1/FrrFailed] node worker-1: EVPN-006: frr-reload.py exited 1',
    ]);
    expect(events[0]?.regarding).toEqual({ apiVersion: 'evpn.ovn-evpn.dev/v1alpha1', kind: 'EvpnNetwork', name: 'net-a', uid: 'uid-a' });
    expect(events[0]?.action).toBe(EVENT_ACTION);
    expect([...failing]).toEqual([['EvpnNetwork/net-a', 'InfrastructureFailed'], ['EvpnVrf/vrf-1', 'FrrFailed']]);
  });

  it('says once that a failed object is applied again, and nothing for objects that never failed', () => {
    const first = nodeEvents('w', [failed('net-a', 'FrrFailed', 'EVPN-006: x'), ready('net-b')], new Map());
    const second = nodeEvents('w', [ready('net-a'), ready('net-b')], first.failing);
    expect(second.events.map(brief)).toEqual(['Normal EvpnNetwork/net-a Applied [w/Applied] node w: applied again (was FrrFailed)']);
    expect(nodeEvents('w', [ready('net-a'), ready('net-b')], second.failing).events).toEqual([]);
  });

  it('keys a failure by object, node and reason, not by its changing text', () => {
    const a = nodeEvents('w', [failed('n', 'InfrastructureFailed', 'EVPN-005: errno 17')], new Map()).events[0];
    const b = nodeEvents('w', [failed('n', 'InfrastructureFailed', 'EVPN-005: errno 16')], new Map()).events[0];
    expect(a?.key).toBe(b?.key);
    expect(a?.note).not.toBe(b?.note);
    expect(nodeEvents('w2', [failed('n', 'InfrastructureFailed', 'EVPN-005: errno 17')], new Map()).events[0]?.key).not.toBe(a?.key);
  });

  it('forgets objects that are gone', () => {
    const first = nodeEvents('w', [failed('net-a', 'FrrFailed', 'EVPN-006: x')], new Map());
    expect(nodeEvents('w', [], first.failing).failing.size).toBe(0);
  });
});

describe('withCode', () => {
  it.each([
    ['FrrUnavailable', 'FRR is not running', 'EVPN-006: FRR is not running'],
    ['VrfNotFound', undefined, 'EVPN-003: VrfNotFound'],
    ['Whatever', 'boom', 'EVPN-005: boom'],
    ['Conflict', 'EVPN-004: VLAN 5 is already used', 'EVPN-004: VLAN 5 is already used'],
  ])('puts the EVPN code in front (%s)', (reason, message, expected) => {
    expect(withCode(reason, message)).toBe(expected);
  });
});

describe('resultsOf', () => {
  it('reads the VRF and network results of a node status', () => {
    expect(resultsOf({ vrfs: [{ name: 'v', ready: true }], networks: [{ name: 'n', ready: false, reason: 'FrrFailed', message: 'm' }] })).toEqual([
      { kind: 'EvpnVrf', name: 'v', ready: true },
      { kind: 'EvpnNetwork', name: 'n', ready: false, reason: 'FrrFailed', message: 'm' },
    ]);
  });
});

describe('failingCodes', () => {
  it('gives the EVPN code of every object not applied', () => {
    expect(failingCodes({ vrfs: [{ name: 'v', ready: false, reason: 'FrrUnavailable', message: 'FRR is not running' }], networks: [{ name: 'n', ready: true }, { name: 'm', ready: false, reason: 'Conflict', message: 'EVPN-004: VLAN 5' }] }))
      .toEqual(['EVPN-006', 'EVPN-004']);
  });
});
