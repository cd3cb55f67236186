// What global-setup.ts hands to integration test files through vitest's
// provide/inject, typed for both sides.

export interface KubeTestContext {
  /** Path of the admin kubeconfig (token of a system:masters user). */
  kubeconfig: string;
  /** kubectl built from the same release as the apiserver. */
  kubectl: string;
  /** https://127.0.0.1:PORT */
  kubeServer: string;
}

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- augmentation merges the keys in
  interface ProvidedContext extends KubeTestContext {}
}
