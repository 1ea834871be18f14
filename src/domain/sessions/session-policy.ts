// The operator's bounds on session lifetimes, which the specification validator applies (set in config.ts).
export interface SessionPolicy {
  readonly minTokenTtlSec: number;
  readonly maxTokenTtlSec: number;
  readonly defaultTokenTtlSec: number;
  /** resources_ttl must be at least token TTL + this (Yoti: one day). */
  readonly minResourcesMarginSec: number;
  readonly maxResourcesTtlSec: number;
  readonly defaultResourcesTtlSec: number;
}
