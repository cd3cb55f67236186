// Entry point of the node-init container (deploy/helm/ovn-evpn/files/bin/node-init.sh):
// writes FRR's /etc/frr before FRR first starts, with the agent's own
// renderer, so the boot config and the agent's first apply are one text and
// there is no second FRR renderer to keep equal to this one.
//   node write-boot-files.ts --node-bgp /run/ovn-evpn/node-bgp.json --dir /etc/frr [--bfd yes|no]
// node-bgp.json's `frr` is the node part of the FRR model (the agent's
// frrNodeSettings); it is validated like every model before it is rendered.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { renderDaemonsFile, writeBootFiles } from './io/frr-boot-files.ts';
import { renderFrrConfig } from './render.ts';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'node-bgp': { type: 'string' }, dir: { type: 'string' }, bfd: { type: 'string', default: 'no' } },
    strict: true,
  });
  const source = values['node-bgp'];
  const dir = values.dir;
  if (source === undefined || dir === undefined)
    throw new Error('usage: write-boot-files.ts --node-bgp FILE --dir DIR [--bfd yes|no]');
  if (values.bfd !== 'yes' && values.bfd !== 'no') throw new Error(`--bfd must be yes or no, not '${values.bfd}'`);
  const handed = JSON.parse(await readFile(source, 'utf8')) as { frr?: unknown };
  const frrConf = renderFrrConfig(handed.frr);
  await writeBootFiles(dir, { daemons: renderDaemonsFile({ bfd: values.bfd === 'yes' }), frrConf });
}

main().catch((err: unknown) => {
  process.stderr.write(`write-boot-files: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
