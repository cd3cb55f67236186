import { describe, expect, it } from 'vitest';
import { pingSummary, unanswered } from './ping-summary.ts';

const out = (summary: string, rtt = ''): string =>
  `PING 10.1.0.12 (10.1.0.12) 56(84) bytes of data.\n\n--- 10.1.0.12 ping statistics ---\n${summary}\n${rtt}`;

describe('pingSummary', () => {
  it.each([
    [
      '3 packets transmitted, 3 received, 0% packet loss, time 402ms',
      'rtt min/avg/max/mdev = 0.512/0.744/1.020/0.210 ms',
      0,
      '0.744',
    ],
    [
      '3 packets transmitted, 1 received, 66.6667% packet loss, time 410ms',
      'rtt min/avg/max/mdev = 0.600/0.600/0.600/0.000 ms',
      66.6667,
      '0.600',
    ],
    [
      '3 packets transmitted, 2 received, 33.3333% packet loss, time 404ms',
      'rtt min/avg/max/mdev = 0.5/0.6/0.7/0.1 ms',
      33.3333,
      '0.6',
    ],
    ['3 packets transmitted, 0 received, 100% packet loss, time 2040ms', '', 100, undefined],
  ])('%s', (summary, rtt, loss, avgMs) => {
    expect(pingSummary(out(summary, rtt))).toEqual({ loss, ...(avgMs === undefined ? {} : { avgMs }) });
  });

  it('has no loss where ping printed no summary', () => {
    expect(pingSummary('ping: connect: Network is unreachable')).toEqual({});
  });
});

describe('unanswered', () => {
  const reply = (seq: number): string => `64 bytes from 10.1.0.12: icmp_seq=${String(seq)} ttl=64 time=837 ms`;

  it('counts the requests asked for, not the extra one -w sent while replies were slow', () => {
    const output = [reply(1), reply(2), reply(3), '4 packets transmitted, 3 received, 25% packet loss'].join('\n');
    expect(unanswered(output, 3)).toEqual([]);
  });

  it('names a request that got no reply although a later one did', () => {
    const output = [reply(1), reply(3), reply(4), '4 packets transmitted, 3 received, 25% packet loss'].join('\n');
    expect(unanswered(output, 3)).toEqual([2]);
  });

  it('does not take an ICMP error for a reply', () => {
    const output =
      'From 10.1.0.1 icmp_seq=1 Destination Host Unreachable\n1 packets transmitted, 0 received, +1 errors';
    expect(unanswered(output, 1)).toEqual([1]);
  });
});
