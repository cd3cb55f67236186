// OvsdbClient against real OVN NB/SB ovsdb-servers (test/ovn harness), changes made
// with the real ovn-nbctl, and server restarts/pauses to exercise reconnect and resync.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startOvnDatabases, type OvnDatabases } from '../../test/harness/ovn/ovn-databases.ts';
import { stackPath } from '../../test/harness/stack/stack.ts';
import {
  MONITOR_METHODS,
  OvsdbClient,
  type ChangeBatch,
  type OvsdbClientOptions,
  type Replica,
  type Row,
} from './index.ts';
import { isUnknownMethod } from './replica.ts';
import { parseRemote } from './remote.ts';
import { RpcConnection } from './rpc-connection.ts';

type SwitchRow = Row & { name: string; external_ids: Readonly<Record<string, string>>; ports: readonly string[] };
interface NbRows extends Record<string, Row> {
  Logical_Switch: SwitchRow;
}
const NB = 'OVN_Northbound';
const SWITCH_COLUMNS = ['name', 'external_ids', 'ports'];

const clients: OvsdbClient[] = [];
async function connect(options: OvsdbClientOptions): Promise<OvsdbClient> {
  const client = await OvsdbClient.connect(options);
  clients.push(client);
  return client;
}
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

/** Records every change batch of a replica and waits for conditions on them. */
class ChangeLog<Rows extends Record<string, Row>> {
  readonly batches: ChangeBatch<Rows>[] = [];
  readonly #replica: Replica<Rows>;
  constructor(replica: Replica<Rows>) {
    this.#replica = replica;
    replica.on('change', (b) => this.batches.push(b));
  }
  async waitFor<T>(find: (batches: readonly ChangeBatch<Rows>[]) => T | undefined, timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find(this.batches);
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`timed out; batches: ${JSON.stringify(this.batches).slice(0, 2000)}`);
      await sleep(2);
    }
  }
  /** Replays all batches into uuid → row, to check the events alone rebuild the replica. */
  replay(table: keyof Rows & string): Map<string, Row> {
    const rows = new Map<string, Row>();
    for (const batch of this.batches) {
      const t = batch.tables[table];
      if (t === undefined) continue;
      for (const r of t.removed) expect(rows.delete(r._uuid), `removed ${r._uuid} that was never added`).toBe(true);
      for (const m of t.modified) {
        expect(rows.get(m.old._uuid), `modified ${m.old._uuid} not matching the previous state`).toEqual(m.old);
        rows.set(m.new._uuid, m.new);
      }
      for (const r of t.added) {
        expect(rows.has(r._uuid), `added ${r._uuid} twice`).toBe(false);
        rows.set(r._uuid, r);
      }
    }
    return rows;
  }
  get replica(): Replica<Rows> {
    return this.#replica;
  }
}

/**
 * Handle counts are noisy (vitest runs short timers of its own), so sample: the
 * baseline is the minimum seen, and an expected count must be reached within a while.
 */
async function baselineOf(count: () => number): Promise<number> {
  let min = count();
  for (let i = 0; i < 10; i++) {
    await sleep(5);
    min = Math.min(min, count());
  }
  return min;
}
async function settlesTo(count: () => number, expected: number): Promise<number> {
  const deadline = Date.now() + 1000;
  while (count() !== expected && Date.now() < deadline) await sleep(5);
  return count();
}

function switchesNamed(
  batches: readonly ChangeBatch<NbRows>[],
  kind: 'added' | 'removed',
  name: string,
): SwitchRow | undefined {
  for (const b of batches) {
    const hit = b.tables.Logical_Switch?.[kind].find((r) => r.name === name);
    if (hit) return hit;
  }
  return undefined;
}

function namesIn(replica: Replica<NbRows>): string[] {
  return [...replica.table('Logical_Switch').values()].map((r) => r.name).sort();
}

async function nbctlNames(ovn: OvnDatabases): Promise<string[]> {
  return (await ovn.nbctl(['--bare', '--columns=name', 'list', 'Logical_Switch']))
    .split('\n')
    .filter((n) => n !== '')
    .sort();
}

describe('against standalone OVN databases', () => {
  let ovn: OvnDatabases;
  beforeAll(async () => {
    ovn = await startOvnDatabases();
  });
  afterAll(async () => {
    await ovn.stop();
  });

  it('list_dbs and get_schema return the installed OVN schemas', async () => {
    const nb = await connect({ remote: ovn.nbRemote.unix, databases: [NB] });
    expect((await nb.listDbs()).sort()).toEqual([NB, '_Server']);
    const installed = JSON.parse(await readFile(stackPath('/usr/share/ovn/ovn-nb.ovsschema'), 'utf8')) as {
      version: string;
      tables: object;
    };
    const schema = await nb.getSchema(NB);
    expect(schema.version).toBe(installed.version);
    expect([...schema.tables.keys()].sort()).toEqual(Object.keys(installed.tables).sort());
    expect(schema.tables.get('Logical_Switch')?.columns.get('external_ids')?.type).toMatchObject({
      key: { type: 'string' },
      value: { type: 'string' },
      min: 0,
    });

    const sb = await connect({ remote: ovn.sbRemote.tcp, databases: ['OVN_Southbound'] });
    expect((await sb.getSchema('OVN_Southbound')).tables.has('Port_Binding')).toBe(true);
    await expect(sb.getSchema('Nope')).rejects.toThrow(
      'get_schema: unknown database: get_schema request specifies unknown database Nope',
    );
  });

  it('transact insert, update, mutate, select and delete are visible to ovn-nbctl', async () => {
    const client = await connect({ remote: ovn.nbRemote.unix });
    const [inserted] = await client.transact(NB, [
      {
        op: 'insert',
        table: 'Logical_Switch',
        row: { name: 'tx-ls', external_ids: { 'neutron_bgpvpn:vni': '10100' }, ports: ['p1'] },
      },
      {
        op: 'insert',
        table: 'Logical_Switch_Port',
        row: { name: 'tx-lsp', addresses: ['02:00:00:00:00:01 10.0.0.5'] },
        'uuid-name': 'p1',
      },
    ] as const);
    expect(await ovn.nbctl(['get', 'Logical_Switch', 'tx-ls', 'external_ids:"neutron_bgpvpn:vni"'])).toBe('"10100"');
    expect(await ovn.nbctl(['lsp-list', 'tx-ls'])).toMatch(/\(tx-lsp\)$/);

    const where = [['_uuid', '==', inserted.uuid]] as const;
    const [updated, mutated, selected] = await client.transact(NB, [
      { op: 'update', table: 'Logical_Switch', where, row: { name: 'tx-ls2' } },
      { op: 'mutate', table: 'Logical_Switch', where, mutations: [['external_ids', 'insert', { extra: 'x' }]] },
      { op: 'select', table: 'Logical_Switch', where, columns: ['name', 'external_ids', 'ports'] },
    ] as const);
    expect(updated.count).toBe(1);
    expect(mutated.count).toBe(1);
    expect(selected.rows).toEqual([
      { name: 'tx-ls2', external_ids: { extra: 'x', 'neutron_bgpvpn:vni': '10100' }, ports: [expect.any(String)] },
    ]);
    expect(await ovn.nbctl(['get', 'Logical_Switch', 'tx-ls2', 'external_ids:extra'])).toBe('x');

    const [deleted] = await client.transact(NB, [
      { op: 'delete', table: 'Logical_Switch', where: [['name', '==', 'tx-ls2']] },
    ] as const);
    expect(deleted.count).toBe(1);
    expect(await nbctlNames(ovn)).not.toContain('tx-ls2');
  });

  it('surfaces OVSDB operation and commit errors as TransactionError', async () => {
    const client = await connect({ remote: ovn.nbRemote.unix });
    await expect(
      client.transact(NB, [{ op: 'insert', table: 'Logical_Switch_Port', row: { name: 'x', tag: 5000 } }] as const),
    ).rejects.toMatchObject({
      name: 'TransactionError',
      index: 0,
      error: 'constraint violation',
      details: expect.stringMatching(/5000 is not in the valid range 1 to 4095/) as unknown,
    });
    // Two ports with the same name violate the index on Logical_Switch_Port.name at commit.
    await expect(
      client.transact(NB, [
        { op: 'insert', table: 'Logical_Switch', row: { name: 'dup', ports: ['a', 'b'] } },
        { op: 'insert', table: 'Logical_Switch_Port', row: { name: 'same' }, 'uuid-name': 'a' },
        { op: 'insert', table: 'Logical_Switch_Port', row: { name: 'same' }, 'uuid-name': 'b' },
      ] as const),
    ).rejects.toThrow(/transaction on OVN_Northbound failed at operation 3 \(commit\): constraint violation/);
  });

  it('the real server answers an unknown method the way the monitor fallback expects', async () => {
    const conn = await RpcConnection.open(parseRemote(ovn.nbRemote.unix), {
      connectTimeoutMs: 1000,
      probeIntervalMs: 0,
      maxMessageBytes: 1 << 20,
    });
    try {
      const err: unknown = await conn.request('monitor_cond_since_v9', []).catch((e: unknown) => e);
      expect(isUnknownMethod(err)).toBe(true);
    } finally {
      conn.close();
    }
  });

  describe.each([
    { transport: 'unix', method: 'monitor_cond_since' },
    { transport: 'tcp', method: 'monitor_cond_since' },
    { transport: 'unix', method: 'monitor_cond' },
    { transport: 'tcp', method: 'monitor' },
  ] as const)('monitor over $transport with $method', ({ transport, method }) => {
    it('sees ovn-nbctl ls-add, set external_ids and ls-del as added, modified and removed', async () => {
      const name = `ls-${transport}-${method}`;
      const client = await connect({ remote: ovn.nbRemote[transport] });
      const started = performance.now();
      const replica = await client.monitor<NbRows>({
        db: NB,
        tables: { Logical_Switch: SWITCH_COLUMNS },
        // Default order first; the others forced, to check each notification format against the real server.
        methods: method === 'monitor_cond_since' ? MONITOR_METHODS : [method],
      });
      const snapshotMs = performance.now() - started;
      expect(replica.method).toBe(method);
      expect(replica.state).toBe('synced');
      expect(namesIn(replica)).toEqual(await nbctlNames(ovn));
      const log = new ChangeLog(replica);

      let t = performance.now();
      await ovn.nbctl(['ls-add', name]);
      const added = await log.waitFor((b) => switchesNamed(b, 'added', name));
      const addMs = performance.now() - t;
      expect(added).toEqual({ _uuid: added._uuid, name, external_ids: {}, ports: [] });
      expect(added._uuid).toMatch(/^[0-9a-f-]{36}$/);

      t = performance.now();
      await ovn.nbctl(['set', 'Logical_Switch', name, 'external_ids:neutron_bgpvpn\\:vni=10100']);
      const modified = await log.waitFor((bs) =>
        bs.flatMap((b) => b.tables.Logical_Switch?.modified ?? []).find((m) => m.new._uuid === added._uuid),
      );
      const modifyMs = performance.now() - t;
      expect(modified.old.external_ids).toEqual({});
      expect(modified.new).toEqual({ ...added, external_ids: { 'neutron_bgpvpn:vni': '10100' } });

      await ovn.nbctl(['ls-del', name]);
      const removed = await log.waitFor((b) => switchesNamed(b, 'removed', name));
      expect(removed._uuid).toBe(added._uuid);
      expect(replica.get('Logical_Switch', added._uuid)).toBeUndefined();
      expect(log.batches.every((b) => b.kind === 'update')).toBe(true);
      process.stderr.write(
        `ovsdb ${transport}/${method}: connect+snapshot ${snapshotMs.toFixed(1)} ms, ls-add→event ${addMs.toFixed(1)} ms, set→event ${modifyMs.toFixed(1)} ms (incl. ovn-nbctl)\n`,
      );
    });
  });

  it('replica.close() sends monitor_cancel: no events afterwards, the client stays usable', async () => {
    const client = await connect({ remote: ovn.nbRemote.unix });
    const replica = await client.monitor<NbRows>({ db: NB, tables: { Logical_Switch: ['name'] } });
    const log = new ChangeLog(replica);
    const other = await client.monitor<NbRows>({ db: NB, tables: { Logical_Switch: ['name'] } });
    const otherLog = new ChangeLog(other);
    await replica.close();
    await ovn.nbctl(['ls-add', 'after-cancel']);
    await otherLog.waitFor((b) => switchesNamed(b, 'added', 'after-cancel'));
    expect(log.batches).toEqual([]);
    expect(replica.state).toBe('closed');
    await ovn.nbctl(['ls-del', 'after-cancel']);
  });

  it('answers the server echo (inactivity probe 1 s) and keeps the connection', async () => {
    // A second, db-configured remote with a 1 s inactivity probe (another loopback
    // address: a remote with the same name as the command-line one would replace it).
    await ovn.nbctl(['--inactivity-probe=1000', 'set-connection', 'ptcp:0:127.0.0.2']);
    let port: number | undefined;
    for (let i = 0; i < 200 && port === undefined; i++) {
      const ports = [...(await ovn.log('nb')).matchAll(/listening on port (\d+)/g)].map((m) => Number(m[1]));
      if (ports.length >= 2) port = ports.at(-1);
      else await sleep(10);
    }
    expect(port).toBeDefined();
    const remote = `tcp:127.0.0.2:${String(port)}`;
    // Control: a peer that never answers the echo is dropped by the server, so the probe is real.
    const silent = createConnection({ host: '127.0.0.2', port: port ?? 0 });
    const silentClosedAfter = new Promise<number>((resolve) => {
      const t = Date.now();
      silent.on('data', () => undefined);
      silent.on('close', () => {
        resolve(Date.now() - t);
      });
    });

    const client = await connect({ remote, probeIntervalMs: 0 });
    const disconnects: Error[] = [];
    client.on('disconnected', (e) => disconnects.push(e));
    await sleep(3500);
    expect(await silentClosedAfter).toBeLessThan(3500);
    // At least one echo answered, and still connected after 3.5 probe intervals in which the silent control was
    // dropped: answering is what kept us. (How many echoes the server sends in that time depends on its load.)
    expect(client.stats.echoesAnswered).toBeGreaterThanOrEqual(1);
    expect(disconnects).toEqual([]);
    expect(client.state).toBe('connected');
    await client.echo();
    await ovn.nbctl(['del-connection']);
  });

  it('sends its own echo when idle and stays connected to a live server', async () => {
    const client = await connect({ remote: ovn.nbRemote.unix, probeIntervalMs: 100 });
    await sleep(700);
    expect(client.stats.echoesSent).toBeGreaterThanOrEqual(3);
    expect(client.stats.disconnects).toBe(0);
    expect(client.state).toBe('connected');
  });

  it('rejects clearly when the socket is unreachable or the database is not served', async () => {
    await expect(OvsdbClient.connect({ remote: `unix:${ovn.dir}/missing/nb.sock` })).rejects.toThrow(
      `cannot connect to unix:${ovn.dir}/missing/nb.sock: ENOENT`,
    );
    // A port that was just free: nothing listens on it.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const free = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    await expect(OvsdbClient.connect({ remote: `tcp:127.0.0.1:${free}` })).rejects.toMatchObject({
      name: 'ConnectError',
      code: 'ECONNREFUSED',
    });
    await expect(OvsdbClient.connect({ remote: ovn.nbRemote.unix, databases: ['OVN_Southbound'] })).rejects.toThrow(
      `database OVN_Southbound not served by ${ovn.nbRemote.unix} (it serves: OVN_Northbound, _Server)`,
    );
    await expect(OvsdbClient.connect({ remote: 'pssl:127.0.0.1:6641' })).rejects.toThrow(/invalid OVSDB remote/);
    await expect(OvsdbClient.connect({ remote: 'ssl:127.0.0.1:6641' })).rejects.toThrow(
      /an ssl: remote needs a private key, a certificate and a CA certificate/,
    );
  });

  it('close() leaves no sockets behind', async () => {
    const sockets = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
    const before = await baselineOf(sockets);
    const client = await OvsdbClient.connect({ remote: ovn.nbRemote.tcp, probeIntervalMs: 50 });
    await client.monitor({ db: NB, tables: { Logical_Switch: ['name'] } });
    expect(await settlesTo(sockets, before + 1)).toBe(before + 1);
    await client.close();
    expect(await settlesTo(sockets, before)).toBe(before);
    expect(client.state).toBe('closed');
    await expect(client.listDbs()).rejects.toThrow(/not connected to tcp:127\.0\.0\.1:\d+ \(closed\)/);
  });
});

describe('server restart', () => {
  let ovn: OvnDatabases;
  beforeAll(async () => {
    ovn = await startOvnDatabases();
  });
  afterAll(async () => {
    await ovn.stop();
  });

  it.each(['unix', 'tcp'] as const)(
    'over %s: reconnects, resyncs (found=false) and reports changes made while down as exact diffs',
    async (transport) => {
      const p = transport;
      for (const n of ['keep', 'del', 'mod']) await ovn.nbctl(['ls-add', `${p}-${n}`]);
      const client = await connect({ remote: ovn.nbRemote[transport], backoff: { initialMs: 20, maxMs: 200 } });
      const replica = await client.monitor<NbRows>({ db: NB, tables: { Logical_Switch: SWITCH_COLUMNS } });
      const log = new ChangeLog(replica);
      // The initial snapshot as consumers saw it, then everything from here on.
      log.batches.push({
        version: replica.version,
        kind: 'initial',
        tables: { Logical_Switch: { added: [...replica.table('Logical_Switch').values()], modified: [], removed: [] } },
      });
      const events: string[] = [];
      client.on('disconnected', () => events.push('disconnected'));
      client.on('reconnecting', () => events.push('reconnecting'));
      client.on('connected', (i) => events.push(i.reconnect ? 'reconnected' : 'connected'));
      replica.on('stale', () => events.push('stale'));
      const resynced = new Promise((resolve) => {
        replica.once('resynced', resolve);
      });

      await ovn.restartNb({
        whileDown: async (nbctl) => {
          await nbctl(['ls-del', `${p}-del`]);
          await nbctl(['ls-add', `${p}-new`]);
          await nbctl(['set', 'Logical_Switch', `${p}-mod`, 'external_ids:neutron_bgpvpn\\:vni=10100']);
        },
      });
      expect(await resynced).toEqual({ method: 'monitor_cond_since', found: false });
      const resync = log.batches.filter((b) => b.kind === 'resync');
      expect(resync).toHaveLength(1);
      const changes = resync[0]?.tables.Logical_Switch;
      expect(changes?.added.map((r) => r.name)).toEqual([`${p}-new`]);
      expect(changes?.removed.map((r) => r.name)).toEqual([`${p}-del`]);
      expect(changes?.modified.map((m) => [m.new.name, m.new.external_ids])).toEqual([
        [`${p}-mod`, { 'neutron_bgpvpn:vni': '10100' }],
      ]);
      // One or more reconnect attempts (the first may find the server still down), then one reconnect.
      expect(events.slice(0, 3)).toEqual(['disconnected', 'stale', 'reconnecting']);
      expect(events.filter((e) => e !== 'reconnecting')).toEqual(['disconnected', 'stale', 'reconnected']);
      expect(client.stats).toMatchObject({ connects: 2, disconnects: 1, state: 'connected' });

      // Monitoring continues on the new connection.
      await ovn.nbctl(['ls-add', `${p}-after`]);
      await log.waitFor((b) => switchesNamed(b, 'added', `${p}-after`));

      // Replaying every event consumers got rebuilds exactly the server's state: nothing lost or duplicated.
      const replayed = log.replay('Logical_Switch');
      expect([...replayed.values()].map((r) => r.name).sort()).toEqual(await nbctlNames(ovn));
      expect(new Map([...replica.table('Logical_Switch')])).toEqual(replayed);
    },
  );

  it('close() leaves no timers behind, even with a reconnect pending: the process exits by itself', async () => {
    // A separate Node process: if close() left the 60 s reconnect timer or the echo timer, it would not exit.
    const script = `
      import { OvsdbClient } from ${JSON.stringify(new URL('./index.ts', import.meta.url).pathname)};
      const client = await OvsdbClient.connect({ remote: process.argv[1], probeIntervalMs: 50, backoff: { initialMs: 60000, maxMs: 60000, jitter: 0 } });
      await client.monitor({ db: 'OVN_Northbound', tables: { Logical_Switch: ['name'] } });
      client.on('reconnecting', ({ delayMs }) => {
        void client.close().then(() => process.stdout.write('closed ' + delayMs + '\\n'));
      });
      process.stdout.write('ready\\n');
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, ovn.nbRemote.unix], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      let out = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (d: string) => (out += d));
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      for (let i = 0; i < 500 && !out.includes('ready'); i++) await sleep(10);
      expect(out).toContain('ready');
      await ovn.restartNb();
      for (let i = 0; i < 500 && !out.includes('closed'); i++) await sleep(10);
      expect(out).toContain('closed 60000');
      const closedAt = Date.now();
      expect(await Promise.race([exited, sleep(3000).then(() => 'still running')])).toBe(0);
      process.stderr.write(
        `ovsdb: process exited ${Date.now() - closedAt} ms after close() with a reconnect pending\n`,
      );
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('keeps retrying with backoff while the server is down, then resyncs', async () => {
    const client = await connect({ remote: ovn.nbRemote.unix, backoff: { initialMs: 20, maxMs: 100 } });
    const replica = await client.monitor<NbRows>({ db: NB, tables: { Logical_Switch: ['name'] } });
    const failures: Error[] = [];
    client.on('connectFailed', (e) => failures.push(e));
    // Listening before the restart: the client may resync before restartNb() returns.
    const resynced = new Promise((resolve) => {
      replica.once('resynced', resolve);
    });
    await ovn.restartNb({ whileDown: () => sleep(600) });
    await resynced;
    expect(failures.length).toBeGreaterThanOrEqual(3);
    expect(failures[0]?.message).toMatch(/cannot connect to unix:.*nb\.sock: (ENOENT|ECONNREFUSED)/);
    expect(client.stats.reconnectAttempts).toBe(failures.length + 1);
    expect(namesIn(replica)).toEqual(await nbctlNames(ovn));
  });
});

describe('dead peer (server stopped with SIGSTOP), clustered database', () => {
  let ovn: OvnDatabases;
  beforeAll(async () => {
    ovn = await startOvnDatabases({ clustered: true });
  });
  afterAll(async () => {
    ovn.resumeNb();
    await ovn.stop();
  });

  it('detects the dead peer by echo timeout, reconnects when it wakes, and resumes with found=true', async () => {
    await ovn.nbctl(['ls-add', 'before-pause']);
    const client = await connect({
      remote: ovn.nbRemote.unix,
      probeIntervalMs: 200,
      connectTimeoutMs: 300,
      backoff: { initialMs: 20, maxMs: 100 },
    });
    const replica = await client.monitor<NbRows>({ db: NB, tables: { Logical_Switch: SWITCH_COLUMNS } });
    expect(replica.lastTxnId).not.toBe('00000000-0000-0000-0000-000000000000');
    const log = new ChangeLog(replica);
    const disconnected = new Promise<Error>((resolve) => client.once('disconnected', resolve));
    const paused = Date.now();
    ovn.pauseNb();
    const reason = await disconnected;
    const detectMs = Date.now() - paused;
    expect(reason.message).toMatch(/no reply from unix:.* to echo within 200 ms; peer considered dead/);
    expect(replica.state).toBe('stale');
    expect(detectMs).toBeLessThan(1500);

    const resynced = new Promise((resolve) => {
      replica.once('resynced', resolve);
    });
    ovn.resumeNb();
    expect(await resynced).toEqual({ method: 'monitor_cond_since', found: true });
    expect(log.batches.filter((b) => b.kind === 'resync')).toEqual([]);
    await ovn.nbctl(['ls-add', 'after-resume']);
    await log.waitFor((b) => switchesNamed(b, 'added', 'after-resume'));
    expect(namesIn(replica)).toEqual(['after-resume', 'before-pause']);
    process.stderr.write(`ovsdb: dead peer detected after ${detectMs} ms with a 200 ms probe\n`);
  });
});

describe('with ovn-northd', () => {
  let ovn: OvnDatabases;
  beforeAll(async () => {
    ovn = await startOvnDatabases({ northd: true });
  });
  afterAll(async () => {
    await ovn.stop();
  });

  it('SB Port_Binding rows appear for ls-add + lsp-add and carry the external_ids northd copies', async () => {
    type PortBinding = Row & {
      logical_port: string;
      datapath: string;
      tunnel_key: number;
      external_ids: Readonly<Record<string, string>>;
      mac: readonly string[];
    };
    type Datapath = Row & { tunnel_key: number; external_ids: Readonly<Record<string, string>> };
    interface SbRows extends Record<string, Row> {
      Port_Binding: PortBinding;
      Datapath_Binding: Datapath;
    }
    const sb = await connect({ remote: ovn.sbRemote.tcp, databases: ['OVN_Southbound'] });
    const replica = await sb.monitor<SbRows>({
      db: 'OVN_Southbound',
      tables: {
        Port_Binding: ['logical_port', 'datapath', 'tunnel_key', 'external_ids', 'mac'],
        Datapath_Binding: ['tunnel_key', 'external_ids'],
      },
    });
    const log = new ChangeLog(replica);
    await ovn.nbctl([
      'ls-add',
      'net1',
      '--',
      'set',
      'Logical_Switch',
      'net1',
      'external_ids:neutron_bgpvpn\\:vni=10100',
    ]);
    await ovn.nbctl([
      'lsp-add',
      'net1',
      'vm1',
      '--',
      'lsp-set-addresses',
      'vm1',
      '02:00:00:00:01:01 10.101.0.11',
      '--',
      'set',
      'Logical_Switch_Port',
      'vm1',
      'external_ids:neutron\\:device_owner=compute',
      'external_ids:neutron_bgpvpn\\:vni=10100',
    ]);
    const binding = await log.waitFor((bs) =>
      bs
        .flatMap((b) => [
          ...(b.tables.Port_Binding?.added ?? []),
          ...(b.tables.Port_Binding?.modified.map((m) => m.new) ?? []),
        ])
        .findLast((r) => r.logical_port === 'vm1' && r.external_ids['neutron_bgpvpn:vni'] !== undefined),
    );
    expect(binding.external_ids).toMatchObject({ 'neutron:device_owner': 'compute', 'neutron_bgpvpn:vni': '10100' });
    expect(binding.mac).toEqual(['02:00:00:00:01:01 10.101.0.11']);
    expect(binding.tunnel_key).toBeGreaterThan(0);
    // The datapath reference resolves within the replica; northd does not copy the switch's external_ids.
    const datapath = replica.get('Datapath_Binding', binding.datapath);
    expect(datapath?.external_ids).toMatchObject({ name: 'net1' });
    expect(datapath?.external_ids['neutron_bgpvpn:vni']).toBeUndefined();

    await ovn.nbctl(['ls-del', 'net1']);
    await log.waitFor((bs) =>
      bs.flatMap((b) => b.tables.Port_Binding?.removed ?? []).find((r) => r.logical_port === 'vm1'),
    );
    expect([...replica.table('Port_Binding').values()].map((r) => r.logical_port)).not.toContain('vm1');
  });
});
