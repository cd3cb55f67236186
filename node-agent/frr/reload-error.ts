// The applier's give-up error: even the frr-reload.py fallback left FRR
// different from the rendered config.
import type { ReloadTestDiff } from './running-config.ts';

/** frr-reload.py could not bring FRR to the rendered config; `residual` is what is still different. */
export class FrrReloadError extends Error {
  override readonly name = 'FrrReloadError';
  readonly reason = 'FrrReloadFailed';
  readonly residual: ReloadTestDiff;

  constructor(message: string, residual: ReloadTestDiff) {
    super(message);
    this.residual = residual;
  }
}
