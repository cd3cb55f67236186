import { describe, expect, it } from 'vitest';
import { EvpnErrorCode } from '../../crds/error-codes.ts';
import type { EventInput } from '../../lib/kube/events.ts';
import { EVENT_ACTION, failingCodes, nodeEvents, resultsOf, withCode } from './emit-node-events.ts';
import type { ObjectResult } from './emit-node-events.ts';

/** A failed result as the agent writes it: a message made from its code carries that code as a field too. */
const failed = (
  name: string,
  reason: string,
  message: string,
  kind: ObjectResult['kind'] = 'EvpnNetwork',
): ObjectResult => {
  const code = Object.values(EvpnErrorCode).find((c) => message.startsWith(`${c}: `));
  return { kind, name, ready: false, reason, message, ...(code === undefined ? {} : { code }) };
};
const ready = (name: string, kind: ObjectResult['kind'] = 'EvpnNetwork'): ObjectResult => ({ kind, name, ready: true });
const brief = (e: EventInput): string =>
  `${e.type} ${e.regarding.kind}/${e.regarding.name} ${e.reason} [${e.key ?? ''}] ${e.note}`;

const MIN = 60_000;
const at = (now: number) => ({ now });

describe('nodeEvents', () => {
  it('warns on each failing object with the node, the reason and the EVPN code, on the object itself', () => {
    const { events, reported } = nodeEvents(
      'worker-1',
      [
        failed('net-a', 'InfrastructureFailed', 'EVPN-005: vx-10101: File exists'),
        failed('vrf-1', 'FrrFailed', 'EVPN-006: frr-reload.py exited 1', 'EvpnVrf'),
        ready('net-b'),
      ],
      new Map(),
      at(0),
      new Map([['EvpnNetwork/net-a', 'uid-a']]),
    );
    expect(events.map(brief)).toEqual([
      'Warning EvpnNetwork/net-a InfrastructureFailed [worker-1/InfrastructureFailed] node worker-1: EVPN-005: vx-10101: File exists',
      'Warning EvpnVrf/vrf-1 FrrFailed [worker-1/FrrFailed] node worker-1: EVPN-006: frr-reload.py exited 1',
    ]);
    expect(events[0]?.regarding).toEqual({
      apiVersion: 'evpn.ovn-evpn.dev/v1alpha1',
      kind: 'EvpnNetwork',
      name: 'net-a',
      uid: 'uid-a',
    });
    expect(events[0]?.action).toBe(EVENT_ACTION);
    expect([...reported]).toEqual([
      ['EvpnNetwork/net-a', { reason: 'InfrastructureFailed', at: 0 }],
      ['EvpnVrf/vrf-1', { reason: 'FrrFailed', at: 0 }],
    ]);
  });

  it('records a lasting failure again only after repeatMs, and at once when its reason changes', () => {
    const results = [failed('n', 'FrrFailed', 'EVPN-006: x')];
    let state = nodeEvents('w', results, new Map(), at(0)).reported;
    const passes: number[] = [];
    for (let t = 30_000; t <= 11 * MIN; t += 30_000) {
      const r = nodeEvents('w', results, state, at(t));
      state = r.reported;
      if (r.events.length > 0) passes.push(t);
    }
    // 22 passes over 11 minutes: recorded at 5 and 10 minutes only.
    expect(passes).toEqual([5 * MIN, 10 * MIN]);
    const changed = nodeEvents('w', [failed('n', 'InfrastructureFailed', 'EVPN-005: y')], state, at(11 * MIN + 1));
    expect(changed.events.map((e) => e.reason)).toEqual(['InfrastructureFailed']);
  });

  it('says once that a failed object is applied again, and nothing for objects that never failed', () => {
    const first = nodeEvents('w', [failed('net-a', 'FrrFailed', 'EVPN-006: x'), ready('net-b')], new Map(), at(0));
    const second = nodeEvents('w', [ready('net-a'), ready('net-b')], first.reported, at(1));
    expect(second.events.map(brief)).toEqual([
      'Normal EvpnNetwork/net-a Applied [w/Applied] node w: applied again (was FrrFailed)',
    ]);
    expect(nodeEvents('w', [ready('net-a'), ready('net-b')], second.reported, at(2)).events).toEqual([]);
  });

  it('gives at most maxPerPass Events per pass; the rest, recoveries included, follow on the next passes', () => {
    const many = Array.from({ length: 60 }, (_, i) => `net-${String(i).padStart(2, '0')}`);
    const p1 = nodeEvents(
      'w',
      many.map((n) => failed(n, 'FrrUnavailable', 'FRR is not running')),
      new Map(),
      at(0),
    );
    const p2 = nodeEvents(
      'w',
      many.map((n) => failed(n, 'FrrUnavailable', 'FRR is not running')),
      p1.reported,
      at(30_000),
    );
    const p3 = nodeEvents(
      'w',
      many.map((n) => failed(n, 'FrrUnavailable', 'FRR is not running')),
      p2.reported,
      at(60_000),
    );
    expect([p1, p2, p3].map((p) => p.events.length)).toEqual([25, 25, 10]);
    expect(new Set([...p1.events, ...p2.events, ...p3.events].map((e) => e.regarding.name)).size).toBe(60);
    // FRR is back: 60 recoveries over three passes, none lost.
    const r1 = nodeEvents(
      'w',
      many.map((n) => ready(n)),
      p3.reported,
      at(90_000),
    );
    const r2 = nodeEvents(
      'w',
      many.map((n) => ready(n)),
      r1.reported,
      at(120_000),
    );
    const r3 = nodeEvents(
      'w',
      many.map((n) => ready(n)),
      r2.reported,
      at(150_000),
    );
    expect([r1, r2, r3].map((p) => p.events.length)).toEqual([25, 25, 10]);
    expect(r3.reported.size).toBe(0);
  });

  it('does not report the recovery of a failure whose Warning was never recorded', () => {
    const p1 = nodeEvents('w', [failed('a', 'X', 'm'), failed('b', 'X', 'm')], new Map(), { now: 0, maxPerPass: 1 });
    expect(p1.events.map((e) => e.regarding.name)).toEqual(['a']);
    const p2 = nodeEvents('w', [ready('a'), ready('b')], p1.reported, { now: 1, maxPerPass: 5 });
    expect(p2.events.map(brief)).toEqual(['Normal EvpnNetwork/a Applied [w/Applied] node w: applied again (was X)']);
  });

  it('keys a failure by object, node and reason, not by its changing text', () => {
    const a = nodeEvents('w', [failed('n', 'InfrastructureFailed', 'EVPN-005: errno 17')], new Map(), at(0)).events[0];
    const b = nodeEvents('w', [failed('n', 'InfrastructureFailed', 'EVPN-005: errno 16')], new Map(), at(0)).events[0];
    expect(a?.key).toBe(b?.key);
    expect(a?.note).not.toBe(b?.note);
    expect(
      nodeEvents('w2', [failed('n', 'InfrastructureFailed', 'EVPN-005: errno 17')], new Map(), at(0)).events[0]?.key,
    ).not.toBe(a?.key);
  });

  it('forgets objects that are gone', () => {
    const first = nodeEvents('w', [failed('net-a', 'FrrFailed', 'EVPN-006: x')], new Map(), at(0));
    expect(nodeEvents('w', [], first.reported, at(1)).reported.size).toBe(0);
  });
});

describe('withCode', () => {
  it.each([
    ['FrrUnavailable', 'FRR is not running', 'EVPN-006: FRR is not running'],
    ['VrfNotFound', undefined, 'EVPN-003: VrfNotFound'],
    ['Whatever', 'boom', 'EVPN-005: boom'],
    ['Conflict', 'VLAN 5 is already used', 'EVPN-004: VLAN 5 is already used'],
  ])('puts the EVPN code in front (%s)', (reason, message, expected) => {
    expect(withCode(reason, message)).toBe(expected);
  });
  it('takes the message of a result with a code as it is (it was made from the code)', () => {
    expect(withCode('InvalidSpec', 'EVPN-002: spec.routeTargets.0: bad', 'EVPN-002')).toBe(
      'EVPN-002: spec.routeTargets.0: bad',
    );
    expect(withCode('VrfNotFound', undefined, 'EVPN-003')).toBe('EVPN-003: VrfNotFound');
  });
});

describe('resultsOf', () => {
  it('reads the VRF and network results of a node status', () => {
    expect(
      resultsOf({
        vrfs: [{ name: 'v', ready: true }],
        networks: [{ name: 'n', ready: false, reason: 'FrrFailed', message: 'm' }],
      }),
    ).toEqual([
      { kind: 'EvpnVrf', name: 'v', ready: true },
      { kind: 'EvpnNetwork', name: 'n', ready: false, reason: 'FrrFailed', message: 'm' },
    ]);
    expect(
      resultsOf({
        networks: [{ name: 'n', ready: false, reason: 'Conflict', code: 'EVPN-004', message: 'EVPN-004: m' }],
      }),
    ).toEqual([
      { kind: 'EvpnNetwork', name: 'n', ready: false, reason: 'Conflict', code: 'EVPN-004', message: 'EVPN-004: m' },
    ]);
  });
});

describe('failingCodes', () => {
  it('gives the EVPN code of every object not applied', () => {
    expect(
      failingCodes({
        vrfs: [{ name: 'v', ready: false, reason: 'FrrUnavailable', message: 'FRR is not running' }],
        networks: [
          { name: 'n', ready: true },
          { name: 'm', ready: false, reason: 'Conflict', message: 'EVPN-004: VLAN 5' },
        ],
      }),
    ).toEqual(['EVPN-006', 'EVPN-004']);
  });
  it("takes a result's own code first", () => {
    expect(
      failingCodes({
        networks: [
          {
            name: 'n',
            ready: false,
            reason: 'InvalidSpec',
            code: 'EVPN-007',
            message: 'EVPN-007: "N" is not a valid object name',
          },
        ],
      }),
    ).toEqual(['EVPN-007']);
  });
});
