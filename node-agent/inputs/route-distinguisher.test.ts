import { describe, expect, it } from 'vitest';
import { routeDistinguisherFor } from './route-distinguisher.ts';

const two = ['192.0.2.1:20000', '192.0.2.2:20000'];

describe('routeDistinguisherFor', () => {
  it('sets none without RDs: FRR derives router-id:index, one per node', () => {
    expect(routeDistinguisherFor(undefined, '10.0.0.1')).toBeUndefined();
    expect(routeDistinguisherFor([], '10.0.0.1')).toBeUndefined();
  });

  it('honours one RD on every node', () => {
    for (const id of ['10.0.0.1', '10.0.0.2', '10.0.0.3'])
      expect(routeDistinguisherFor(['192.0.2.1:10100'], id)).toBe('192.0.2.1:10100');
  });

  it('gives nodes with consecutive router ids different RDs of a list', () => {
    const picked = ['10.0.0.1', '10.0.0.2'].map((id) => routeDistinguisherFor(two, id));
    expect(new Set(picked).size).toBe(2);
    const three = ['65000:1', '65000:2', '65000:3'];
    expect(new Set(['10.0.0.7', '10.0.0.8', '10.0.0.9'].map((id) => routeDistinguisherFor(three, id))).size).toBe(3);
  });

  it("is deterministic: the router id modulo the list's length, in the list's order", () => {
    expect(routeDistinguisherFor(two, '10.0.0.2')).toBe('192.0.2.1:20000');
    expect(routeDistinguisherFor(two, '10.0.0.1')).toBe('192.0.2.2:20000');
    // 255.255.255.255 = 4294967295: no sign trouble at the top of the range.
    expect(routeDistinguisherFor(two, '255.255.255.255')).toBe('192.0.2.2:20000');
    expect(routeDistinguisherFor(two, '10.0.0.2')).toBe(routeDistinguisherFor([...two], '10.0.0.2'));
  });
});
