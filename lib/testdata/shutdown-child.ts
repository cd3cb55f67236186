// A process with the real signal handlers of createShutdown (default signals,
// real process.exit), for lib/shutdown.test.ts: the test sends it SIGTERM.
// argv[2]: 'quick' (the hook finishes at once) or 'slow' (the hook waits 10 s).
import { createShutdown } from '../shutdown.ts';

const mode = process.argv[2] ?? 'quick';
const shutdown = createShutdown();
shutdown.register('hook', async () => {
  process.stdout.write(`hook started, signal aborted: ${String(shutdown.signal.aborted)}\n`);
  await new Promise((r) => setTimeout(r, mode === 'slow' ? 10_000 : 20));
  process.stdout.write('hook done\n');
});
shutdown.install();
// Keeps the event loop alive like a server would, until the shutdown exits.
setInterval(() => undefined, 1000);
process.stdout.write('ready\n');
