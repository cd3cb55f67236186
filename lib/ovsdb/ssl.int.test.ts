// ssl: remotes against a real ovsdb-server listening on pssl:0:127.0.0.1, with
// a CA, server and client certificates this test makes with openssl; a client
// that pins the wrong CA, or presents a certificate the server does not trust,
// fails with a message that says so.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, startDaemon, stopDaemon, type Daemon } from '../../test/harness/processes.ts';
import { OvsdbClient, type Row, type SslFiles } from './index.ts';

const NB = 'OVN_Northbound';
let dir = '';
let daemon: Daemon | undefined;
let remote = '';
let good: SslFiles;
let wrongCa: SslFiles;
let untrustedClient: SslFiles;

async function makeCa(name: string): Promise<void> {
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    join(dir, `${name}.key`),
    '-out',
    join(dir, `${name}.crt`),
  ]);
}

async function makeCert(name: string, ca: string, subjectAltName?: string): Promise<void> {
  await run('openssl', [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    join(dir, `${name}.key`),
    '-out',
    join(dir, `${name}.csr`),
  ]);
  const ext = join(dir, `${name}.ext`);
  if (subjectAltName !== undefined) await writeFile(ext, `subjectAltName=${subjectAltName}\n`);
  await run('openssl', [
    'x509',
    '-req',
    '-days',
    '1',
    '-in',
    join(dir, `${name}.csr`),
    '-CA',
    join(dir, `${ca}.crt`),
    '-CAkey',
    join(dir, `${ca}.key`),
    '-CAcreateserial',
    '-out',
    join(dir, `${name}.crt`),
    ...(subjectAltName === undefined ? [] : ['-extfile', ext]),
  ]);
}

const files = (cert: string, ca: string): SslFiles => ({
  privateKey: join(dir, `${cert}.key`),
  certificate: join(dir, `${cert}.crt`),
  caCert: join(dir, `${ca}.crt`),
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ovsdb-ssl-'));
  await makeCa('ca');
  await makeCa('other-ca');
  await makeCert('server', 'ca', 'DNS:ovn-nb.example,DNS:ovn-nb-0.ovn-nb.example');
  await makeCert('client', 'ca');
  await makeCert('stranger', 'other-ca');
  good = files('client', 'ca');
  wrongCa = files('client', 'other-ca');
  untrustedClient = files('stranger', 'ca');
  const db = join(dir, 'nb.db');
  await run('ovsdb-tool', ['create', db, '/usr/share/ovn/ovn-nb.ovsschema']);
  const log = join(dir, 'nb.log');
  daemon = startDaemon('nb-ssl', 'ovsdb-server', [
    db,
    `--remote=punix:${join(dir, 'nb.sock')}`,
    '--remote=pssl:0:127.0.0.1',
    `--private-key=${join(dir, 'server.key')}`,
    `--certificate=${join(dir, 'server.crt')}`,
    `--ca-cert=${join(dir, 'ca.crt')}`,
    `--unixctl=${join(dir, 'nb.ctl')}`,
    `--log-file=${log}`,
    '-vconsole:off',
  ]);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const port = /listening on port (\d+)/.exec(await readFile(log, 'utf8').catch(() => ''))?.[1];
    if (port !== undefined) {
      remote = `ssl:127.0.0.1:${port}`;
      break;
    }
    if (Date.now() > deadline || daemon.child.exitCode !== null)
      throw new Error(`ovsdb-server did not listen: ${daemon.stderr()}`);
    await sleep(10);
  }
}, 60_000);

afterAll(async () => {
  if (daemon !== undefined) await stopDaemon(daemon);
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

describe('ssl: remotes', () => {
  it('connects with the pinned CA and the client certificate, monitors, and sees a change', async () => {
    const client = await OvsdbClient.connect({ remote, ssl: good, databases: [NB], probeIntervalMs: 0 });
    try {
      expect(client.state).toBe('connected');
      const replica = await client.monitor<{ Logical_Switch: Row & { name: string } }>({
        db: NB,
        tables: { Logical_Switch: ['name'] },
      });
      await run('ovn-nbctl', [`--db=unix:${join(dir, 'nb.sock')}`, 'ls-add', 'over-tls']);
      const deadline = Date.now() + 5000;
      while (![...replica.table('Logical_Switch').values()].some((r) => r.name === 'over-tls')) {
        if (Date.now() > deadline) throw new Error('the switch made over the unix socket never arrived over TLS');
        await sleep(10);
      }
    } finally {
      await client.close();
    }
  });

  it('refuses a server whose certificate the pinned CA did not sign, and says so', async () => {
    await expect(
      OvsdbClient.connect({ remote, ssl: wrongCa, databases: [NB], connectTimeoutMs: 3000 }),
    ).rejects.toThrow(
      new RegExp(
        `${remote}: the server's certificate is not signed by the CA in ${wrongCa.caCert.replaceAll('.', '\\.')}`,
      ),
    );
  });

  it('fails clearly when the server refuses our certificate', async () => {
    await expect(
      OvsdbClient.connect({ remote, ssl: untrustedClient, databases: [NB], connectTimeoutMs: 3000 }),
    ).rejects.toThrow(
      new RegExp(`connection to ${remote}: the server refused our certificate .*stranger\\.crt \\(alert unknown ca\\)`),
    );
  });

  it('with an expected server name, connects only to a server whose certificate carries it', async () => {
    const client = await OvsdbClient.connect({
      remote,
      ssl: { ...good, serverName: 'ovn-nb.example' },
      databases: [NB],
      probeIntervalMs: 0,
    });
    expect(client.state).toBe('connected');
    await client.close();
    // Signed by the pinned CA, but issued to another name: a chassis certificate from a shared CA looks like this.
    await expect(
      OvsdbClient.connect({
        remote,
        ssl: { ...good, serverName: 'ovn-sb.example' },
        databases: [NB],
        connectTimeoutMs: 3000,
      }),
    ).rejects.toThrow(
      new RegExp(`${remote}: the server's certificate is not issued to the expected server name .*ovn-sb\\.example`),
    );
  });

  it('names the missing file, and an ssl: remote without files', async () => {
    await expect(
      OvsdbClient.connect({ remote, ssl: { ...good, caCert: join(dir, 'nope.crt') }, databases: [NB] }),
    ).rejects.toThrow(/cannot read the CA certificate .*nope\.crt: ENOENT/);
    await expect(OvsdbClient.connect({ remote, databases: [NB] })).rejects.toThrow(
      /needs a private key, a certificate and a CA certificate/,
    );
  });
});
