// Entry point of bin/evpn-operator.
import { main } from './main.ts';

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`evpn-operator: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
