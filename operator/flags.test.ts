import { describe, expect, it } from 'vitest';
import { parseDuration, parseL3vniOffset, parseOperatorFlags } from './flags.ts';

const base = ['--ovn-nb', 'unix:/run/ovn/ovnnb_db.sock', '--ovn-sb', 'tcp:127.0.0.1:6642'];

describe('operator flags', () => {
  it('has the documented defaults', () => {
    const f = parseOperatorFlags(base, {});
    expect(f).toMatchObject({
      ovnNb: 'unix:/run/ovn/ovnnb_db.sock',
      ovnSb: 'tcp:127.0.0.1:6642',
      metricsHost: '127.0.0.1',
      metricsPort: 8080,
      nodeNames: { kind: 'hostname' },
      l3vniOffset: undefined,
      leaderElect: true,
      leaseNamespace: 'default',
      leaseName: 'ovn-evpn-operator',
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2000,
      pruneGraceMs: 5000,
    });
  });
  it('defaults to the kernel backend with OVN writes allowed, and reads both backend flags', () => {
    expect(parseOperatorFlags(base, {})).toMatchObject({ defaultBackend: 'kernel', ovnWrites: true });
    expect(parseOperatorFlags([...base, '--default-backend=ovn', '--ovn-writes=false'], {})).toMatchObject({
      defaultBackend: 'ovn',
      ovnWrites: false,
    });
    expect(parseOperatorFlags([...base, '--ovn-writes'], {})).toMatchObject({ ovnWrites: true });
    expect(() => parseOperatorFlags([...base, '--default-backend=ovs'], {})).toThrow(
      /--default-backend: expected kernel or ovn/,
    );
  });
  it('reads every option', () => {
    const f = parseOperatorFlags(
      [
        ...base,
        '--metrics-addr',
        '127.0.0.1:0',
        '--node-name-from',
        'chassis-name',
        '--l3vni-offset',
        '2000000',
        '--no-leader-elect',
        '--lease-namespace',
        'evpn',
        '--prune-grace',
        '500ms',
        '--identity',
        'op-1',
      ],
      { POD_NAMESPACE: 'ignored' },
    );
    expect(f).toMatchObject({
      metricsPort: 0,
      nodeNames: { kind: 'chassis-name' },
      l3vniOffset: 2_000_000,
      leaderElect: false,
      leaseNamespace: 'evpn',
      pruneGraceMs: 500,
      identity: 'op-1',
    });
    expect(parseOperatorFlags([...base, '--leader-elect'], { POD_NAMESPACE: 'ovn' })).toMatchObject({
      leaderElect: true,
      leaseNamespace: 'ovn',
    });
    expect(parseOperatorFlags([...base, '--leader-elect=false'], {})).toMatchObject({ leaderElect: false });
  });
  it('defaults the mass-deletion guard and reads it', () => {
    expect(parseOperatorFlags(base, {})).toMatchObject({
      massDelete: { maxShare: 0.5, floor: 5, holdMs: 600_000 },
      ovsdbSsl: undefined,
      ovsdbProbeIntervalMs: 5000,
    });
    expect(
      parseOperatorFlags(
        [...base, '--mass-delete-share', '0.25', '--mass-delete-floor', '20', '--mass-delete-hold', '30m'],
        {},
      ),
    ).toMatchObject({ massDelete: { maxShare: 0.25, floor: 20, holdMs: 1_800_000 } });
  });
  it('takes member lists as ovn-nbctl --db does, and an expected server name when one member is ssl:', () => {
    const nb = 'ssl:10.0.0.1:6641,ssl:10.0.0.2:6641,ssl:10.0.0.3:6641';
    const sb = 'tcp:10.0.0.1:6642,tcp:10.0.0.2:6642,tcp:10.0.0.3:6642';
    const f = parseOperatorFlags(
      [
        '--ovn-nb',
        nb,
        '--ovn-sb',
        sb,
        '--ovsdb-private-key',
        '/ssl/key.pem',
        '--ovsdb-certificate',
        '/ssl/cert.pem',
        '--ovsdb-ca-cert',
        '/ssl/ca.pem',
        '--ovsdb-server-name',
        'ovn-ovsdb.openstack.svc',
      ],
      {},
    );
    expect(f).toMatchObject({
      ovnNb: nb,
      ovnSb: sb,
      ovsdbSsl: { caCert: '/ssl/ca.pem', serverName: 'ovn-ovsdb.openstack.svc' },
    });
  });

  it('reads the ssl files of an ssl: remote', () => {
    const f = parseOperatorFlags(
      [
        '--ovn-nb',
        'ssl:10.0.0.1:6641',
        '--ovn-sb',
        'ssl:10.0.0.1:6642',
        '--ovsdb-private-key',
        '/ssl/key.pem',
        '--ovsdb-certificate',
        '/ssl/cert.pem',
        '--ovsdb-ca-cert',
        '/ssl/ca.pem',
      ],
      {},
    );
    expect(f).toMatchObject({
      ovsdbSsl: { privateKey: '/ssl/key.pem', certificate: '/ssl/cert.pem', caCert: '/ssl/ca.pem' },
    });
  });
  it.each([
    [[], /--ovn-nb and --ovn-sb are required/],
    [
      ['--ovn-nb', 'ssl:1.2.3.4:6641', '--ovn-sb', 'unix:/x'],
      /an ssl: remote needs --ovsdb-private-key, --ovsdb-certificate and --ovsdb-ca-cert/,
    ],
    [['--ovn-nb', 'ssl:1.2.3.4', '--ovn-sb', 'unix:/x'], /--ovn-nb: invalid OVSDB remote/],
    [['--ovn-nb', 'unix:/a', '--ovn-sb', 'unix:/x', '--ovsdb-ca-cert', '/ca.pem'], /are for ssl: remotes/],
    [['--ovn-nb', 'unix:/a', '--ovn-sb', 'unix:/x', '--ovsdb-server-name', 'ovn-nb'], /are for ssl: remotes/],
    [
      ['--ovn-nb', 'unix:/a', '--ovn-sb', 'unix:/x', '--ovsdb-probe-interval', '200ms'],
      /--ovsdb-probe-interval: at least 1s/,
    ],
    [
      ['--ovn-nb', 'tcp:10.0.0.1:6641,tcp:10.0.0.1:6641', '--ovn-sb', 'unix:/x'],
      /--ovn-nb: .*tcp:10.0.0.1:6641 is given twice/,
    ],
    [['--ovn-nb', 'tcp:10.0.0.1:6641;tcp:10.0.0.2:6641', '--ovn-sb', 'unix:/x'], /--ovn-nb: invalid OVSDB remote/],
    [
      [
        '--ovn-nb',
        'ssl:10.0.0.1:6641',
        '--ovn-sb',
        'unix:/x',
        '--ovsdb-private-key',
        '/k',
        '--ovsdb-certificate',
        '/c',
        '--ovsdb-ca-cert',
        '/ca',
        '--ovsdb-server-name',
        'ovn nb;rm',
      ],
      /--ovsdb-server-name: expected a DNS name or an IP address/,
    ],
    [
      ['--ovn-nb', 'unix:/a', '--ovn-sb', 'unix:/x', '--mass-delete-share', '1.5'],
      /--mass-delete-share: expected a fraction/,
    ],
    [
      ['--ovn-nb', 'unix:/a', '--ovn-sb', 'unix:/x', '--mass-delete-floor=many'],
      /--mass-delete-floor: expected a count/,
    ],
    [[...base, '--metrics-addr', 'nope'], /HOST:PORT/],
    [[...base, '--l3vni-offset', '0'], /--l3vni-offset: expected a whole number within 1-16777214/],
    [[...base, '--l3vni-offset', '16777215'], /--l3vni-offset/],
    [[...base, '--l3vni-offset', '-5'], /--l3vni-offset/],
    [[...base, '--prune-grace', 'soon'], /duration/],
    [[...base, '--lease-duration', '1s'], /retry-period < --renew-deadline < --lease-duration/],
    [[...base, '--bogus'], /Unknown option/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseOperatorFlags(argv, {})).toThrow(message);
  });
  it('parses durations and offsets', () => {
    expect(parseDuration('2m', 'x')).toBe(120_000);
    expect(parseDuration('1.5', 'x')).toBe(1500);
    expect(parseL3vniOffset('1000000', 'x')).toBe(1_000_000);
    expect(() => parseL3vniOffset('1.5', 'x')).toThrow(/whole number/);
    expect(parseOperatorFlags(['--help'], {})).toBe('help');
  });
});
