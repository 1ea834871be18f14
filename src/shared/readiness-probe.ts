/** One dependency /readyz asks before it answers ready: built by runtime, run by the ops routes. */
export interface ReadinessProbe {
  name: string;
  check(): Promise<void>;
}
