import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
type LevelName = (typeof levels)[number];

function isLevelName(value: string): value is LevelName {
  return (levels as readonly string[]).includes(value);
}

/** Resolves LOG_LEVEL; an unknown value falls back to `info` rather than crashing the process at start. */
export function resolveLogLevel(env: NodeJS.ProcessEnv = process.env): LevelName {
  const raw = env['LOG_LEVEL']?.trim().toLowerCase();
  return raw !== undefined && isLevelName(raw) ? raw : 'info';
}

export interface LoggerOptions {
  /** Process name, e.g. `operator` or `node-agent`; appears as `name` on every line. */
  readonly name: string;
  readonly level?: LevelName;
  /** Defaults to stdout; tests pass a stream to capture lines. */
  readonly destination?: DestinationStream;
}

/**
 * The root JSON logger. Messages are static strings; everything variable goes in
 * structured fields (`log.info({ key, durationMs }, 'reconciled')`), so logs can be
 * grepped and aggregated by message.
 */
export function createLogger(options: LoggerOptions): Logger {
  const config = {
    name: options.name,
    level: options.level ?? resolveLogLevel(),
    base: { name: options.name },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return options.destination === undefined ? pino(config) : pino(config, options.destination);
}

/** One child logger per component (`informer`, `controller`, `leader-election`, ...). */
export function componentLogger(parent: Logger, component: string, fields: Record<string, unknown> = {}): Logger {
  return parent.child({ component, ...fields });
}

/** A logger that writes nothing, for library code called without one. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** Extracts a loggable shape from an unknown thrown value. */
export function errorFields(err: unknown): { err: { message: string; name?: string; code?: unknown } } {
  if (err instanceof Error) {
    const code = (err as Error & { code?: unknown }).code;
    return { err: { message: err.message, name: err.name, ...(code === undefined ? {} : { code }) } };
  }
  return { err: { message: String(err) } };
}

/** The message of an unknown thrown value, for status texts and errors of our own. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
