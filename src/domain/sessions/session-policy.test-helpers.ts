import type { SessionPolicy } from './session-policy.js';

// The server's default session policy (config.ts), written out for the domain's tests: the domain takes its
// policy as a value and never loads the configuration. Imported by *.test.ts only.
export const TEST_SESSION_POLICY: SessionPolicy = {
  minTokenTtlSec: 300,
  maxTokenTtlSec: 30 * 86400,
  defaultTokenTtlSec: 900,
  minResourcesMarginSec: 86400,
  maxResourcesTtlSec: 365 * 86400,
  defaultResourcesTtlSec: 7 * 86400,
};
