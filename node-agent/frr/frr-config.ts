// Pure: the FRR model → the text FRR is to run, its hash and the VRF↔L3VNI
// pairs the applier checks after a reload. The model is validated once, here;
// the applier (reload.ts) only writes the text and runs FRR's tools.
import { createHash } from 'node:crypto';
import { FrrModelError, validateFrrModel, type FrrFieldError } from './model.ts';
import { renderFrrModel } from './render.ts';
import type { VrfVni } from './running-config.ts';
import { parseStanzas, type FrrStanzas } from './stanzas.ts';

export interface FrrConfig {
  readonly text: string;
  /** sha256 of the text: the applier reloads only when it differs from the applied one. */
  readonly hash: string;
  readonly vrfVnis: readonly VrfVni[];
  /** The text's owned stanzas: what FRR's running config must hold (the applier diffs against them). */
  readonly stanzas: FrrStanzas;
}

export type FrrConfigResult =
  { readonly ok: true; readonly config: FrrConfig } | { readonly ok: false; readonly errors: readonly FrrFieldError[] };

export function hashFrrConfig(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Validates and renders; invalid input comes back as field errors (a condition, not a retry). */
export function prepareFrrConfig(input: unknown): FrrConfigResult {
  const valid = validateFrrModel(input);
  if (!valid.ok) return valid;
  const text = renderFrrModel(valid.model);
  const vrfVnis = valid.model.vrfs.map((v) => ({ vrf: v.name, vni: v.l3vni }));
  return { ok: true, config: { text, hash: hashFrrConfig(text), vrfVnis, stanzas: parseStanzas(text) } };
}

/** As prepareFrrConfig, but throws FrrModelError naming the fields. */
export function toFrrConfig(input: unknown): FrrConfig {
  const r = prepareFrrConfig(input);
  if (!r.ok) throw new FrrModelError(r.errors);
  return r.config;
}
