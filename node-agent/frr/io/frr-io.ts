// The one interface through which the applier reaches FRR, composed from the
// small adapters: the daemons' vty sockets (vty-session.ts, the normal way),
// vtysh (vtysh.ts, when the sockets are not there, and for its merged view),
// frr-reload.py (frr-reload-tool.ts, the fallback) and the daemons' layout and
// boot config (frr-daemons.ts).
import type { Logger } from 'pino';
import type { FrrRefusal } from '../refusals.ts';
import { blocksOf, ownersOf, type DaemonName } from '../stanzas.ts';
import { configDaemons, findVtySockets, frrRunDir, readDaemonPids, writeReplacing } from './frr-daemons.ts';
import { FrrReloadTool } from './frr-reload-tool.ts';
import { FrrUnavailableError, messageOf, runCommand, type CommandRunner } from './run-command.ts';
import { askVty, askVtyEach, sendBlocksOverVty, showRunningOverVty } from './vty-session.ts';
import { Vtysh } from './vtysh.ts';

export type FrrIoOptions = {
  /** FRR pathspace (`zebra -N`), when FRR runs per network namespace. */
  readonly pathspace?: string | undefined;
  /** Where zebra.pid and bgpd.pid are (default /var/run/frr[/pathspace]); unreadable → restarts are seen through the config only. */
  readonly pidDir?: string | undefined;
  /** Where the daemons' vty sockets are (default /var/run/frr[/pathspace]); without zebra's and bgpd's, everything goes through vtysh. */
  readonly vtyDir?: string | undefined;
  readonly frrReloadPath?: string | undefined;
  readonly vtyshPath?: string | undefined;
  readonly pythonPath?: string | undefined;
  readonly timeoutMs?: number | undefined;
  readonly run?: CommandRunner | undefined;
  readonly logger?: Logger | undefined;
};

export interface FrrIo {
  /**
   * Sends a delta batch (stanzas.ts). Over the sockets each line's status is
   * known and the refused ones come back; through `vtysh -f` none do (the
   * read-back decides). Throws FrrUnavailableError.
   */
  send(batch: readonly string[], spoolPath: string): Promise<readonly FrrRefusal[]>;
  /** `show running-config` of the daemons (per daemon over the sockets, else vtysh's merged one). */
  readRunning(): Promise<string>;
  /** One show command to the daemon that answers it. */
  show(daemon: DaemonName, command: string): Promise<string>;
  /** JSON show commands to one daemon, one answer each, over one connection (or one vtysh call). */
  showEach(daemon: DaemonName, commands: readonly string[]): Promise<string[]>;
  /** vtysh's merged `show running-config`: frr-reload.py's stray `vrf-policy X` shows only there. */
  readMerged(): Promise<string>;
  /** Configuration commands in one vtysh call (the VNI repair). */
  configure(commands: readonly string[]): Promise<void>;
  readonly reloadTool: FrrReloadTool;
  /** "zebra=PID bgpd=PID", or undefined when the pid files cannot be read. */
  daemonPids(): Promise<string | undefined>;
  /** Replaces a config file atomically (the agent's copy, FRR's boot config). */
  writeConfigFile(path: string, text: string): Promise<void>;
}

type Sockets = () => Promise<ReadonlyMap<DaemonName, string> | undefined>;

/** The show commands: over the daemon's socket when it is there, else through vtysh. */
function createShows(sockets: Sockets, vtysh: Vtysh, timeoutMs: number): Pick<FrrIo, 'show' | 'showEach'> {
  const unavailable = (daemon: DaemonName, what: string, error: unknown): FrrUnavailableError =>
    new FrrUnavailableError(`cannot ask ${daemon} ${what}: ${messageOf(error)}`, { cause: error });
  return {
    async show(daemon, command) {
      const path = (await sockets())?.get(daemon);
      if (path === undefined) return vtysh.commands([command]);
      try {
        return await askVty(path, command, timeoutMs);
      } catch (error: unknown) {
        throw unavailable(daemon, `"${command}"`, error);
      }
    },
    async showEach(daemon, commands) {
      if (commands.length === 0) return [];
      const path = (await sockets())?.get(daemon);
      if (path === undefined) return vtysh.jsonCommands(commands);
      try {
        return await askVtyEach(path, commands, timeoutMs);
      } catch (error: unknown) {
        throw unavailable(daemon, `${commands.length} commands`, error);
      }
    },
  };
}

export function createFrrIo(options: FrrIoOptions): FrrIo {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const run = options.run ?? runCommand;
  const { pathspace, logger } = options;
  const vtysh = new Vtysh({ vtyshPath: options.vtyshPath ?? 'vtysh', pathspace, timeoutMs, run, logger });
  const reloadTool = new FrrReloadTool({
    frrReloadPath: options.frrReloadPath ?? '/usr/lib/frr/frr-reload.py',
    pythonPath: options.pythonPath ?? 'python3',
    pathspace,
    timeoutMs,
    run,
    logger,
  });
  const sockets = () => findVtySockets(options.vtyDir ?? frrRunDir(pathspace));
  return {
    async send(batch, spoolPath) {
      const blocks = blocksOf(batch);
      const found = await sockets();
      if (
        found !== undefined &&
        blocks.every((b) => {
          const o = ownersOf(b.key);
          return o !== undefined && configDaemons(o, found).every((d) => found.has(d));
        })
      )
        return sendBlocksOverVty(blocks, found, timeoutMs, logger);
      await vtysh.batch(spoolPath, batch);
      return [];
    },
    async readRunning() {
      const found = await sockets();
      return found === undefined ? vtysh.commands(['show running-config']) : showRunningOverVty(found, timeoutMs);
    },
    ...createShows(sockets, vtysh, timeoutMs),
    readMerged: () => vtysh.commands(['show running-config']),
    configure: (commands) => vtysh.configure(commands),
    reloadTool,
    daemonPids: () => readDaemonPids(options.pidDir ?? frrRunDir(pathspace)),
    writeConfigFile: writeReplacing,
  };
}
