import { describe, expect, it } from 'vitest';
import { missingRoutes, type ReceivedRoutes } from './convergence.ts';

const a: ReceivedRoutes = { node: 'node-a', vtepIp: '10.0.0.1', remoteVtepIps: [], remoteHosts: [] };
const b: ReceivedRoutes = {
  node: 'node-b',
  vtepIp: '10.0.0.2',
  remoteVtepIps: ['10.0.0.1'],
  remoteHosts: ['10.1.0.11'],
};
const hostsByNode = new Map([
  ['node-a', ['10.1.0.11']],
  ['node-b', ['10.1.0.12', 'fd00::12']],
]);

describe('missingRoutes', () => {
  it('l2: a node lacks the type-3 route of another applying node until it floods to its VTEP', () => {
    expect(missingRoutes(a, [a, b], { type: 'l2', hostsByNode })).toEqual(['the type-3 route of node-b (10.0.0.2)']);
    expect(missingRoutes(b, [a, b], { type: 'l2', hostsByNode })).toEqual([]);
  });

  it('l3: a node lacks the host routes of the VMs on the other nodes (IPv4: the status reads `show ip route`)', () => {
    expect(missingRoutes(a, [a, b], { type: 'l3', hostsByNode })).toEqual(["the host routes of node-b's 10.1.0.12"]);
    expect(missingRoutes({ ...a, remoteHosts: ['10.1.0.12'] }, [a, b], { type: 'l3', hostsByNode })).toEqual([]);
    expect(missingRoutes(b, [a, b], { type: 'l3', hostsByNode })).toEqual([]);
  });

  it('waits on nothing a node did not report (FRR unread, list over its cap) and on no node that has not applied', () => {
    expect(missingRoutes({ ...a, remoteVtepIps: undefined }, [a, b], { type: 'l2', hostsByNode })).toEqual([]);
    expect(missingRoutes({ ...a, remoteHosts: undefined }, [a, b], { type: 'l3', hostsByNode })).toEqual([]);
    expect(missingRoutes(a, [a], { type: 'l2', hostsByNode })).toEqual([]);
  });
});
