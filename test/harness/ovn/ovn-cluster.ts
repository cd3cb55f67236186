// Real clustered OVN databases for the cluster fault suite: NB and SB each a
// 3-member RAFT cluster of ovsdb-server processes (`ovsdb-tool create-cluster`,
// then `join-cluster`), as production OVN runs them. Members talk RAFT over
// unix sockets in a private temp dir; clients reach each member on a unix
// socket and on loopback TCP (a kernel-chosen port, kept across restarts).
// Optionally ovn-northd, given the TCP member lists. Binaries, schemas and the
// start-up waits are the ones of ovn-databases.ts, so a switch of OVN build
// stays in one place.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, startDaemon, stopDaemon, type Daemon } from '../processes.ts';
import { waitFor } from '../wait-for.ts';
import { CTL, DB_NAME, schema, waitForPort, waitForSocket, type Ctl, type Which } from './ovn-databases.ts';

export interface ClusterMember {
  /** nb-1 … sb-3 */
  readonly name: string;
  /** tcp:127.0.0.1:PORT, the same across restarts. */
  readonly tcp: string;
  readonly unix: string;
  pid(): number | undefined;
  /** `ovs-appctl cluster/status` of this member. */
  status(): Promise<string>;
}

export interface OvnCluster {
  readonly which: Which;
  readonly db: string;
  readonly members: readonly ClusterMember[];
  /** The TCP members, comma-separated, as a client is given them. */
  readonly tcpRemotes: string;
  readonly unixRemotes: string;
  /** ovn-nbctl / ovn-sbctl on the running, unpaused members (they find the leader themselves), as Neutron's own client would be. */
  readonly ctl: Ctl;
  /** The member that reports itself leader now. */
  leader(): Promise<number>;
  /** The member whose tcp: or unix: remote this is. */
  memberOf(remote: string): number | undefined;
  /** SIGKILL, and wait until it is gone. */
  kill(i: number): Promise<void>;
  start(i: number): Promise<void>;
  /** SIGSTOP / SIGCONT: sockets stay open but nothing answers (also not to its peers). */
  pause(i: number): void;
  resume(i: number): void;
  /** Stops the member, deletes its database file, removes it from the cluster and joins it again empty. */
  wipeAndRejoin(i: number): Promise<void>;
  /** Every member stopped (SIGTERM), then all started again. */
  restartAll(): Promise<void>;
  /** The database re-created empty (a new cluster id) on the same members and addresses, as an OVN rebuilt from scratch. */
  recreate(): Promise<void>;
  /** Waits until every member is a cluster member again and one leads. */
  waitHealthy(timeoutMs?: number): Promise<void>;
}

export interface OvnClusters {
  readonly dir: string;
  readonly nb: OvnCluster;
  readonly sb: OvnCluster;
  stop(): Promise<void>;
}

const SIZE = 3;

class Member implements ClusterMember {
  readonly name: string;
  readonly dbFile: string;
  readonly socket: string;
  readonly raft: string;
  readonly #ctlPath: string;
  readonly #logFile: string;
  readonly #dir: string;
  #tcpPort = 0;
  #daemon: Daemon | undefined;
  paused = false;

  constructor(which: Which, n: number, dir: string) {
    this.name = `${which}-${n}`;
    this.#dir = dir;
    this.dbFile = join(dir, `${this.name}.db`);
    this.socket = join(dir, `${this.name}.sock`);
    this.raft = `unix:${join(dir, `${this.name}.raft`)}`;
    this.#ctlPath = join(dir, `${this.name}.ctl`);
    this.#logFile = join(dir, `${this.name}.log`);
  }

  get tcp(): string {
    return `tcp:127.0.0.1:${this.#tcpPort}`;
  }

  get unix(): string {
    return `unix:${this.socket}`;
  }

  pid(): number | undefined {
    return this.#daemon?.child.pid;
  }

  async start(): Promise<void> {
    const logBefore = await readFile(this.#logFile, 'utf8').catch(() => '');
    const daemon = startDaemon(this.name, 'ovsdb-server', [
      this.dbFile,
      `--remote=punix:${this.socket}`,
      `--remote=ptcp:${this.#tcpPort}:127.0.0.1`,
      `--unixctl=${this.#ctlPath}`,
      `--pidfile=${join(this.#dir, `${this.name}.pid`)}`,
      `--log-file=${this.#logFile}`,
      '-vconsole:off',
    ]);
    this.#daemon = daemon;
    await waitForSocket(this.socket, daemon, this.#logFile);
    if (this.#tcpPort === 0) this.#tcpPort = await waitForPort(this.#logFile, logBefore.length, daemon);
  }

  async stop(): Promise<void> {
    const daemon = this.#daemon;
    this.#daemon = undefined;
    if (daemon !== undefined) await stopDaemon(daemon);
  }

  async kill(): Promise<void> {
    const daemon = this.#daemon;
    this.#daemon = undefined;
    if (daemon === undefined) return;
    daemon.child.kill('SIGKILL');
    await daemon.exited;
  }

  signal(signal: NodeJS.Signals): void {
    if (signal === 'SIGSTOP' || signal === 'SIGCONT') this.paused = signal === 'SIGSTOP' && this.#daemon !== undefined;
    this.#daemon?.child.kill(signal);
  }

  appctl(args: readonly string[]): Promise<string> {
    return run('ovs-appctl', ['-t', this.#ctlPath, '--timeout=10', ...args]);
  }

  status(): Promise<string> {
    return this.appctl(['cluster/status', DB_NAME[this.name.startsWith('nb') ? 'nb' : 'sb']]);
  }
}

async function findLeader(which: Which, members: readonly Member[]): Promise<number> {
  const isLeader = async (m: Member): Promise<boolean> =>
    m.pid() !== undefined && /Role: leader/.test(await m.status().catch(() => ''));
  const n = await waitFor(
    `a ${which} leader`,
    async () => {
      for (const [i, m] of members.entries()) if (await isLeader(m)) return i + 1;
      return undefined;
    },
    { timeoutMs: 30_000, stepMs: 100 },
  );
  return n - 1;
}

/** Stops the member, deletes its file, has the leader kick it out, and joins it again empty. */
async function wipeAndRejoin(
  db: string,
  members: readonly Member[],
  m: Member,
  leader: () => Promise<Member>,
): Promise<void> {
  const sid = await m.appctl(['cluster/sid', db]);
  await m.stop();
  await rm(m.dbFile, { force: true });
  const l = await leader();
  await l.appctl(['cluster/kick', db, sid]);
  await waitFor(`${m.name} removed from the cluster`, async () => !(await l.status()).includes(sid.slice(0, 4)), {
    timeoutMs: 20_000,
    stepMs: 100,
  });
  await run('ovsdb-tool', ['join-cluster', m.dbFile, db, m.raft, ...members.filter((o) => o !== m).map((o) => o.raft)]);
  await m.start();
}

/** The members' database files: the first creates the cluster, the others join it. */
async function createClusterFiles(which: Which, members: readonly Member[]): Promise<void> {
  const [first, ...rest] = members;
  if (first === undefined) throw new Error('no members');
  await run('ovsdb-tool', ['create-cluster', first.dbFile, schema(which), first.raft]);
  for (const m of rest) await run('ovsdb-tool', ['join-cluster', m.dbFile, DB_NAME[which], m.raft, first.raft]);
}

/** Until every member reports itself a cluster member and one of them leads. */
async function waitClusterHealthy(which: Which, members: readonly Member[], timeoutMs = 30_000): Promise<void> {
  await waitFor(
    `every ${which} member in the cluster`,
    async () => {
      for (const m of members) if (!/Status: cluster member/.test(await m.status())) return false;
      return true;
    },
    { timeoutMs, stepMs: 100 },
  );
  await findLeader(which, members);
}

// A one-shot ovn-nbctl gives up when the member it picked does not answer ("database connection failed")
// instead of trying the next; nothing was written then, so another try is safe.
function runClusterCtl(which: Which, members: readonly Member[], args: readonly string[]): Promise<string> {
  return waitFor(
    `${CTL[which]} ${args.join(' ')}`,
    () => {
      const up = members.filter((m) => m.pid() !== undefined && !m.paused);
      return run(
        CTL[which],
        [`--db=${(up.length > 0 ? up : members).map((m) => m.unix).join(',')}`, '--timeout=20', ...args],
        25_000,
      );
    },
    { timeoutMs: 30_000, stepMs: 200, stopOn: (err) => !/database connection failed/.test(String(err)) },
  );
}

async function startCluster(which: Which, dir: string): Promise<OvnCluster> {
  const db = DB_NAME[which];
  const members = Array.from({ length: SIZE }, (_, i) => new Member(which, i + 1, dir));
  const create = (): Promise<void> => createClusterFiles(which, members);
  await create();
  await Promise.all(members.map((m) => m.start()));
  const unixRemotes = members.map((m) => m.unix).join(',');
  const member = (i: number): Member => {
    const m = members[i];
    if (m === undefined) throw new Error(`${which} has no member ${i}`);
    return m;
  };
  const leader = (): Promise<number> => findLeader(which, members);
  const waitHealthy = (timeoutMs = 30_000): Promise<void> => waitClusterHealthy(which, members, timeoutMs);
  const cluster: OvnCluster = {
    which,
    db,
    members,
    unixRemotes,
    get tcpRemotes() {
      return members.map((m) => m.tcp).join(',');
    },
    ctl: (args) => runClusterCtl(which, members, args),
    leader,
    memberOf: (remote) => {
      const i = members.findIndex((m) => m.tcp === remote || m.unix === remote);
      return i < 0 ? undefined : i;
    },
    kill: (i) => member(i).kill(),
    start: (i) => member(i).start(),
    pause: (i) => {
      member(i).signal('SIGSTOP');
    },
    resume: (i) => {
      member(i).signal('SIGCONT');
    },
    wipeAndRejoin: async (i) => {
      await wipeAndRejoin(db, members, member(i), async () => member(await leader()));
    },
    restartAll: async () => {
      await Promise.all(members.map((m) => m.stop()));
      await Promise.all(members.map((m) => m.start()));
    },
    recreate: async () => {
      await Promise.all(members.map((m) => m.stop()));
      await Promise.all(members.map((m) => rm(m.dbFile, { force: true })));
      await create();
      await Promise.all(members.map((m) => m.start()));
      await waitHealthy();
    },
    waitHealthy,
  };
  await waitHealthy();
  return cluster;
}

/** NB and SB clusters (and ovn-northd on their member lists, if asked). */
export async function startOvnClusters(options: { northd?: boolean } = {}): Promise<OvnClusters> {
  const dir = await mkdtemp(join(tmpdir(), 'ovn-cluster-'));
  const started: OvnCluster[] = [];
  let northd: Daemon | undefined;
  const stop = async (): Promise<void> => {
    if (northd !== undefined) await stopDaemon(northd);
    await Promise.all(
      started.flatMap((c) =>
        c.members.map(async (_, i) => {
          c.resume(i);
          await c.kill(i);
        }),
      ),
    );
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const [nb, sb] = await Promise.all([startCluster('nb', dir), startCluster('sb', dir)]);
    started.push(nb, sb);
    if (options.northd === true) {
      northd = startDaemon('northd', 'ovn-northd', [
        // TCP, not unix: OVS clients send no inactivity probes on unix sockets, so a northd attached to a
        // SIGSTOPped member would wait for it forever instead of moving on.
        `--ovnnb-db=${nb.tcpRemotes}`,
        `--ovnsb-db=${sb.tcpRemotes}`,
        `--unixctl=${join(dir, 'northd.ctl')}`,
        `--pidfile=${join(dir, 'northd.pid')}`,
        `--log-file=${join(dir, 'northd.log')}`,
        '-vconsole:off',
      ]);
    }
    return { dir, nb, sb, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
