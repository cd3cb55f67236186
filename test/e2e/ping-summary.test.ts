import { describe, expect, it } from 'vitest';
import { pingSummary } from './ping-summary.ts';

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
