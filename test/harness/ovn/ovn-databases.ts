// Real OVN NB and SB ovsdb-servers (and optionally ovn-northd) for integration tests,
// in a private temp dir, on unix sockets and on loopback TCP with a kernel-chosen port.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasExited, run, startDaemon, stopDaemon, type Daemon } from '../processes.ts';
import { waitFor } from '../wait-for.ts';
import { stackPath } from '../stack/stack.ts';

export interface OvnDatabasesOptions {
  /** Run ovn-northd between NB and SB (needed for Port_Binding rows). */
  readonly northd?: boolean;
  /** Single-member clustered databases (RAFT over a unix socket) instead of standalone files. */
  readonly clustered?: boolean;
}

export interface DbRemotes {
  /** unix:/tmp/.../nb.sock */
  readonly unix: string;
  /** tcp:127.0.0.1:PORT; the port stays the same across restarts. */
  readonly tcp: string;
}

export type Ctl = (args: readonly string[]) => Promise<string>;

export interface RestartOptions {
  /** Runs while the server is down for clients on the usual remotes; gets a ctl bound to a side socket on the same database. */
  readonly whileDown?: (ctl: Ctl) => Promise<void>;
}

export interface OvnDatabases {
  readonly dir: string;
  readonly nbRemote: DbRemotes;
  readonly sbRemote: DbRemotes;
  nbctl: Ctl;
  sbctl: Ctl;
  restartNb(options?: RestartOptions): Promise<void>;
  restartSb(options?: RestartOptions): Promise<void>;
  /** Stops ovn-northd if it still runs (SIGTERM; a test may have SIGKILLed it) and starts it again; only with `northd: true`. */
  restartNorthd(): Promise<void>;
  /** SIGSTOP / SIGCONT the NB server: sockets stay open but nothing answers (a dead peer). */
  pauseNb(): void;
  resumeNb(): void;
  /** Process ids of the running daemons (undefined while stopped). */
  pids(): { nb: number | undefined; sb: number | undefined; northd: number | undefined };
  /** Log file of a server, for diagnostics. */
  log(which: 'nb' | 'sb' | 'northd'): Promise<string>;
  stop(): Promise<void>;
}

// The schema of the OVN this process runs (the test world's, test/harness/stack/stack.ts); read
// when used, because the e2e host chooses its stack after the imports.
export const schema = (which: 'nb' | 'sb'): string => stackPath(`/usr/share/ovn/ovn-${which}.ovsschema`);
export const DB_NAME = { nb: 'OVN_Northbound', sb: 'OVN_Southbound' } as const;
const CONNECTIONS_TABLE = { nb: 'NB_Global', sb: 'SB_Global' } as const;
export const CTL = { nb: 'ovn-nbctl', sb: 'ovn-sbctl' } as const;

export type Which = 'nb' | 'sb';

class OvsdbServer {
  readonly which: Which;
  readonly dir: string;
  readonly dbFile: string;
  readonly socket: string;
  tcpPort = 0;
  #daemon: Daemon | undefined;

  constructor(which: Which, dir: string) {
    this.which = which;
    this.dir = dir;
    this.dbFile = join(dir, `${which}.db`);
    this.socket = join(dir, `${which}.sock`);
  }

  get logFile(): string {
    return join(this.dir, `${this.which}.log`);
  }

  async create(clustered: boolean): Promise<void> {
    const args = clustered
      ? ['create-cluster', this.dbFile, schema(this.which), `unix:${join(this.dir, `${this.which}-raft.sock`)}`]
      : ['create', this.dbFile, schema(this.which)];
    await run('ovsdb-tool', args);
  }

  /** Starts on the usual remotes (or only on `sideSocket`), and waits until it accepts connections. */
  async start(sideSocket?: string): Promise<void> {
    const socket = sideSocket ?? this.socket;
    const tag = sideSocket === undefined ? this.which : `${this.which}-side`;
    const remotes = [`--remote=punix:${socket}`];
    if (sideSocket === undefined) {
      remotes.push(
        `--remote=ptcp:${this.tcpPort}:127.0.0.1`,
        `--remote=db:${DB_NAME[this.which]},${CONNECTIONS_TABLE[this.which]},connections`,
      );
    }
    const logFile = join(this.dir, `${tag}.log`);
    const logBefore = await readFile(logFile, 'utf8').catch(() => '');
    const daemon = startDaemon(tag, 'ovsdb-server', [
      this.dbFile,
      ...remotes,
      `--unixctl=${join(this.dir, `${tag}.ctl`)}`,
      `--pidfile=${join(this.dir, `${tag}.pid`)}`,
      `--log-file=${logFile}`,
      '-vconsole:off',
    ]);
    this.#daemon = daemon;
    await waitForSocket(socket, daemon, logFile);
    if (sideSocket === undefined && this.tcpPort === 0) {
      this.tcpPort = await waitForPort(logFile, logBefore.length, daemon);
    }
  }

  async stop(): Promise<void> {
    const daemon = this.#daemon;
    this.#daemon = undefined;
    if (daemon !== undefined) await stopDaemon(daemon);
  }

  get pid(): number | undefined {
    return this.#daemon?.child.pid;
  }

  signal(signal: NodeJS.Signals): void {
    this.#daemon?.child.kill(signal);
  }

  ctl(socket: string = this.socket): Ctl {
    return (args) => run(CTL[this.which], [`--db=unix:${socket}`, '--timeout=20', ...args]);
  }

  async restart(options: RestartOptions = {}): Promise<void> {
    await this.stop();
    if (options.whileDown !== undefined) {
      const side = join(this.dir, `${this.which}-side.sock`);
      await this.start(side);
      try {
        await options.whileDown(this.ctl(side));
      } finally {
        await this.stop();
      }
    }
    await this.start();
  }
}

async function canConnect(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ path });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

async function failure(daemon: Daemon, logFile: string, what: string): Promise<Error> {
  const log = await readFile(logFile, 'utf8').catch(() => '');
  return new Error(
    `${daemon.name}: ${what}\nstderr: ${daemon.stderr()}\nlog: ${log.split('\n').slice(-10).join('\n')}`,
  );
}

export async function waitForSocket(path: string, daemon: Daemon, logFile: string, timeoutMs = 10_000): Promise<void> {
  const exited = (): boolean => hasExited(daemon.child);
  const probe = async (): Promise<boolean> => {
    if (exited()) throw new Error('exited during start-up');
    return canConnect(path);
  };
  try {
    await waitFor(`${path} accepting connections`, probe, { timeoutMs, stepMs: 5, stopOn: exited });
  } catch {
    throw await failure(
      daemon,
      logFile,
      exited() ? 'exited during start-up' : `${path} not accepting connections after ${timeoutMs} ms`,
    );
  }
}

/** The kernel-chosen port of ptcp:0, from the first "listening on port" line this start logged. */
export async function waitForPort(logFile: string, offset: number, daemon: Daemon, timeoutMs = 5000): Promise<number> {
  try {
    return await waitFor(
      '"listening on port" in the log',
      async () => {
        const log = (await readFile(logFile, 'utf8').catch(() => '')).slice(offset);
        const match = /listening on port (\d+)/.exec(log);
        return match?.[1] === undefined ? undefined : Number(match[1]);
      },
      { timeoutMs, stepMs: 5 },
    );
  } catch {
    throw await failure(daemon, logFile, 'no "listening on port" line in the log');
  }
}

export async function startOvnDatabases(options: OvnDatabasesOptions = {}): Promise<OvnDatabases> {
  const dir = await mkdtemp(join(tmpdir(), 'ovn-db-'));
  const nb = new OvsdbServer('nb', dir);
  const sb = new OvsdbServer('sb', dir);
  let northd: Daemon | undefined;
  const startNorthd = (): Daemon =>
    startDaemon('northd', 'ovn-northd', [
      `--ovnnb-db=unix:${nb.socket}`,
      `--ovnsb-db=unix:${sb.socket}`,
      `--unixctl=${join(dir, 'northd.ctl')}`,
      `--pidfile=${join(dir, 'northd.pid')}`,
      `--log-file=${join(dir, 'northd.log')}`,
      '-vconsole:off',
    ]);
  const stop = async (): Promise<void> => {
    if (northd !== undefined) await stopDaemon(northd);
    await Promise.all([nb.stop(), sb.stop()]);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all([nb.create(options.clustered ?? false), sb.create(options.clustered ?? false)]);
    await Promise.all([nb.start(), sb.start()]);
    if (options.northd === true) northd = startNorthd();
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    dir,
    nbRemote: { unix: `unix:${nb.socket}`, tcp: `tcp:127.0.0.1:${nb.tcpPort}` },
    sbRemote: { unix: `unix:${sb.socket}`, tcp: `tcp:127.0.0.1:${sb.tcpPort}` },
    nbctl: nb.ctl(),
    sbctl: sb.ctl(),
    restartNb: (o) => nb.restart(o),
    restartSb: (o) => sb.restart(o),
    restartNorthd: async () => {
      if (northd === undefined) throw new Error('started without northd');
      await stopDaemon(northd);
      northd = startNorthd();
    },
    pauseNb: () => {
      nb.signal('SIGSTOP');
    },
    resumeNb: () => {
      nb.signal('SIGCONT');
    },
    pids: () => ({ nb: nb.pid, sb: sb.pid, northd: northd?.child.pid }),
    log: (which) =>
      readFile(which === 'northd' ? join(dir, 'northd.log') : which === 'nb' ? nb.logFile : sb.logFile, 'utf8'),
    stop,
  };
}
