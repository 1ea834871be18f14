import type { TObject } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { SessionPolicy } from './session-policy.js';
import { AppError, type PropertyError, validationError } from '../errors.js';
import { propertyPath } from '../property-path.js';
import type { RequestedCheck, RequestedTask, SessionSpec } from './session-spec.types.js';
import { sdkConfigErrors } from './sdk-config.rules.js';
import { CHECKS, type CheckRegistry } from '../checks/registry.js';
import { isKnownCountry } from '../documents/supported-documents.js';
import {
  DOCUMENT_TYPES,
  type NotificationsConfig,
  NotificationsSchema,
  type RequiredDocument,
  RequiredDocumentSchema,
  type SdkConfig,
  SdkConfigSchema,
  type SessionSpecInput,
  SUPPLEMENTARY_DOCUMENT_TYPES,
  SUPPORTED_TASKS,
  TaskConfigSchemas,
  UNSUPPORTED_CHECKS,
  UNSUPPORTED_TASKS,
} from './session-spec.schema.js';

export type { RequestedCheck, RequestedTask, SessionSpec } from './session-spec.types.js';

const isOneOf = <T extends string>(list: readonly T[], value: string): value is T =>
  (list as readonly string[]).includes(value);

function configErrors(schema: Parameters<typeof Value.Errors>[0], config: unknown, prefix: string): PropertyError[] {
  return [...Value.Errors(schema, config)].map((e) => ({
    property: propertyPath(prefix + e.path),
    message: e.message,
  }));
}

/**
 * The settings of one check or task: the keys its schema knows (a null reads as absent, as some SDKs send it),
 * minus the ignored ones; any other key is refused by name. Values are never walked beyond the known keys, so
 * a deeply nested or huge unknown value costs nothing and is never stored.
 */
function knownConfig(
  schema: TObject,
  raw: unknown,
  at: string,
  errors: PropertyError[],
  ignored: readonly string[] = [],
) {
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
    if (Object.hasOwn(schema.properties, key)) {
      if (value !== null) config[key] = value;
    } else if (!ignored.includes(key)) {
      errors.push({
        property: `${at}.${key.length > 64 ? `${key.slice(0, 64)}…` : key}`,
        message: 'is not a setting of this type',
      });
    }
  }
  return config;
}

function validateChecks(
  input: SessionSpecInput,
  checks: CheckRegistry,
  errors: PropertyError[],
  unsupported: PropertyError[],
): RequestedCheck[] {
  const requested: RequestedCheck[] = [];
  // Where each accepted check sits in the request.
  const paths: string[] = [];
  const errorsBefore = errors.length;
  const seen = new Set<string>();
  (input.requested_checks ?? []).forEach((item, i) => {
    const at = `requested_checks[${i}]`;
    if (isOneOf(UNSUPPORTED_CHECKS, item.type)) {
      unsupported.push({ property: `${at}.type`, message: `${item.type} is not performed by openidv` });
      return;
    }
    const definition = checks.get(item.type);
    if (!definition) {
      errors.push({ property: `${at}.type`, message: `unknown check type "${item.type}"` });
      return;
    }
    if (definition.generatedBy) {
      const task = definition.generatedBy.task;
      errors.push({
        property: `${at}.type`,
        message: `${item.type} is made by the ${task} task for each document it reads: request that task instead`,
      });
      return;
    }
    const found: PropertyError[] = [];
    const config = knownConfig(definition.config, item.config, `${at}.config`, found, definition.ignoredConfigKeys);
    definition.defaults?.(config);
    found.push(...configErrors(definition.config, config, `/requested_checks/${i}/config`));
    errors.push(...found);
    if (found.length) return;
    const refusal = definition.unsupported?.(config);
    if (refusal) {
      unsupported.push({ property: `${at}.config.${refusal.property}`, message: refusal.message });
      return;
    }
    const key = definition.instanceKey?.(config) ?? item.type;
    if (seen.has(key)) {
      errors.push({ property: `${at}.type`, message: `${item.type} is requested more than once` });
      return;
    }
    seen.add(key);
    requested.push({ type: item.type, config });
    paths.push(at);
  });
  // The rules between checks, once each is valid on its own (a refused LIVENESS is not also reported missing).
  if (errors.length === errorsBefore && !unsupported.length) {
    requested.forEach((check, i) => {
      const uses = checks.get(check.type)?.usesCaptureOf;
      const provided = (other: RequestedCheck) =>
        checks
          .get(other.type)
          ?.needs(other.config)
          .some((n) => n.type === uses?.need);
      if (uses && !requested.some((other, j) => j !== i && provided(other)))
        errors.push({ property: `${paths[i]}.type`, message: uses.message });
    });
  }
  return requested;
}

function validateTasks(
  input: SessionSpecInput,
  errors: PropertyError[],
  unsupported: PropertyError[],
): RequestedTask[] {
  const tasks: RequestedTask[] = [];
  (input.requested_tasks ?? []).forEach((item, i) => {
    const at = `requested_tasks[${i}]`;
    if (isOneOf(UNSUPPORTED_TASKS, item.type)) {
      unsupported.push({ property: `${at}.type`, message: `${item.type} is not performed by openidv` });
    } else if (!isOneOf(SUPPORTED_TASKS, item.type)) {
      errors.push({ property: `${at}.type`, message: `unknown task type "${item.type}"` });
    } else if (tasks.some((t) => t.type === item.type)) {
      errors.push({ property: `${at}.type`, message: `${item.type} is requested more than once` });
    } else {
      const found: PropertyError[] = [];
      const config = knownConfig(TaskConfigSchemas[item.type], item.config, `${at}.config`, found);
      found.push(...configErrors(TaskConfigSchemas[item.type], config, `/requested_tasks/${i}/config`));
      errors.push(...found);
      if (!found.length) tasks.push({ type: item.type, config });
    }
  });
  return tasks;
}

function validateDocuments(input: SessionSpecInput, errors: PropertyError[]): void {
  (input.required_documents ?? []).forEach((doc, i) => {
    const at = `required_documents[${i}]`;
    const known: readonly string[] = doc.type === 'ID_DOCUMENT' ? DOCUMENT_TYPES : SUPPLEMENTARY_DOCUMENT_TYPES;
    const checkTypes = (types: string[] | undefined, path: string) =>
      types?.forEach((t, j) => {
        if (!known.includes(t)) errors.push({ property: `${path}[${j}]`, message: `unknown document type "${t}"` });
      });
    if (doc.type === 'SUPPLEMENTARY_DOCUMENT') {
      // The SDKs restrict a supplementary document with document_types and country_codes; none sends a filter for
      // one, and openidv would not apply it: refused rather than accepted and ignored.
      if (doc.filter)
        errors.push({
          property: `${at}.filter`,
          message: 'is not a setting of SUPPLEMENTARY_DOCUMENT: restrict it with document_types and country_codes',
        });
      checkTypes(doc.document_types, `${at}.document_types`);
      doc.country_codes?.forEach((c, j) => {
        if (!isKnownCountry(c))
          errors.push({ property: `${at}.country_codes[${j}]`, message: `unknown country "${c}"` });
      });
      return;
    }
    for (const key of ['document_types', 'country_codes', 'objective'] as const) {
      if (doc[key] !== undefined)
        errors.push({
          property: `${at}.${key}`,
          message: 'is a setting of SUPPLEMENTARY_DOCUMENT: restrict an ID document with filter',
        });
    }
    const filter = doc.filter;
    if (!filter) return;
    if (filter.type === 'DOCUMENT_RESTRICTIONS') {
      if (!filter.inclusion) errors.push({ property: `${at}.filter.inclusion`, message: 'is required' });
      if (!filter.documents) errors.push({ property: `${at}.filter.documents`, message: 'is required' });
      filter.documents?.forEach((d, j) => checkTypes(d.document_types, `${at}.filter.documents[${j}].document_types`));
    } else {
      if (!filter.country_restriction && !filter.type_restriction) {
        errors.push({ property: `${at}.filter`, message: 'needs country_restriction or type_restriction' });
      }
      checkTypes(filter.type_restriction?.document_types, `${at}.filter.type_restriction.document_types`);
    }
  });
}

function resolveTtls(input: SessionSpecInput, policy: SessionPolicy, now: number, errors: PropertyError[]) {
  let tokenTtl = input.client_session_token_ttl ?? policy.defaultTokenTtlSec;
  if (input.session_deadline !== undefined) {
    if (input.client_session_token_ttl !== undefined) {
      errors.push({
        property: 'session_deadline',
        message: 'give either session_deadline or client_session_token_ttl',
      });
    }
    tokenTtl = Math.floor((Date.parse(input.session_deadline) - now) / 1000);
  }
  const ttlProperty = input.session_deadline !== undefined ? 'session_deadline' : 'client_session_token_ttl';
  if (tokenTtl < policy.minTokenTtlSec || tokenTtl > policy.maxTokenTtlSec) {
    errors.push({
      property: ttlProperty,
      message: `the token lifetime must be between ${policy.minTokenTtlSec} and ${policy.maxTokenTtlSec} seconds`,
    });
  }
  const minResources = tokenTtl + policy.minResourcesMarginSec;
  const resourcesTtl = input.resources_ttl ?? Math.max(policy.defaultResourcesTtlSec, minResources);
  if (resourcesTtl < minResources || resourcesTtl > policy.maxResourcesTtlSec) {
    errors.push({
      property: 'resources_ttl',
      message: `must be between ${minResources} (token lifetime + ${policy.minResourcesMarginSec}) and ${policy.maxResourcesTtlSec} seconds`,
    });
  }
  return { tokenTtl, resourcesTtl };
}

/** Validates a structurally valid specification (the HTTP schema ran first) against the semantic rules. */
export function validateSessionSpec(
  input: SessionSpecInput,
  policy: SessionPolicy,
  now: number,
  checks: CheckRegistry = CHECKS,
): SessionSpec {
  const errors: PropertyError[] = [];
  const unsupported: PropertyError[] = [];
  const { tokenTtl, resourcesTtl } = resolveTtls(input, policy, now, errors);
  const requested = validateChecks(input, checks, errors, unsupported);
  const tasks = validateTasks(input, errors, unsupported);
  validateDocuments(input, errors);
  errors.push(...sdkConfigErrors(input.sdk_config));
  for (const key of ['identity_profile_requirements', 'advanced_identity_profile_requirements'] as const) {
    if (input[key] !== undefined)
      unsupported.push({ property: key, message: 'identity profiles are not supported by openidv' });
  }
  if (unsupported.length) throw new AppError('UNSUPPORTED_CHECK', undefined, unsupported);
  if (errors.length) throw validationError(errors);

  // Only what the schemas know is stored: keys they do not list are dropped without being walked (in place:
  // the input is the request's own parsed body; a deep copy would walk them).
  const sdkConfig = Value.Clean(SdkConfigSchema, { ...input.sdk_config }) as SdkConfig;
  const spec: SessionSpec = {
    client_session_token_ttl: tokenTtl,
    resources_ttl: resourcesTtl,
    requested_checks: requested,
    requested_tasks: tasks,
    sdk_config: { ...sdkConfig, allowed_capture_methods: sdkConfig.allowed_capture_methods ?? 'CAMERA' },
    required_documents: (input.required_documents ?? []).map(
      (d) => Value.Clean(RequiredDocumentSchema, d) as RequiredDocument,
    ),
    block_biometric_consent: input.block_biometric_consent ?? false,
  };
  if (input.user_tracking_id !== undefined) spec.user_tracking_id = input.user_tracking_id;
  if (input.notifications !== undefined)
    spec.notifications = Value.Clean(NotificationsSchema, { ...input.notifications }) as NotificationsConfig;
  return spec;
}
