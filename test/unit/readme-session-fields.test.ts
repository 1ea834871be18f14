import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, type TSchema } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../src/domain/checks/registry.js';
import { TEXT_ATTEMPT_CATEGORIES } from '../../src/domain/documents/text-attempts.js';
import {
  SessionSpecSchema,
  SUPPORTED_TASKS,
  TaskConfigSchemas,
  UNSUPPORTED_CHECKS,
  UNSUPPORTED_TASKS,
} from '../../src/domain/sessions/session-spec.schema.js';

// The README's "Session-creation fields" table lists every field a session specification may carry and what openidv
// does with it. The fields come from the schemas themselves (the envelope, each check definition's config and its
// ignored keys, each task's config) so that a field added to a schema without a row here, or a row left behind by
// a field removed, fails this test.

const README = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');

/** Every property path under a TypeBox schema: objects by key, arrays as `[]`, unions through each member. */
function paths(schema: TSchema, at: string, out: Set<string>): Set<string> {
  if (schema.anyOf) for (const member of schema.anyOf as TSchema[]) paths(member, at, out);
  if (schema[Kind] === 'Array') paths(schema.items as TSchema, `${at}[]`, out);
  for (const [key, property] of Object.entries((schema.properties ?? {}) as Record<string, TSchema>)) {
    const path = at ? `${at}.${key}` : key;
    out.add(path);
    paths(property, path, out);
  }
  return out;
}

function schemaFields(): Set<string> {
  const fields = paths(SessionSpecSchema, '', new Set());
  // The generic shapes of requested_checks[] and requested_tasks[] are refined per type below.
  for (const type of CHECKS.types) {
    const definition = CHECKS.get(type)!;
    fields.add(`requested_checks[${type}]`);
    for (const key of [...Object.keys(definition.config.properties), ...(definition.ignoredConfigKeys ?? [])])
      fields.add(`requested_checks[${type}].config.${key}`);
  }
  for (const type of UNSUPPORTED_CHECKS) fields.add(`requested_checks[${type}]`);
  for (const type of SUPPORTED_TASKS) {
    fields.add(`requested_tasks[${type}]`);
    for (const key of Object.keys(TaskConfigSchemas[type].properties))
      fields.add(`requested_tasks[${type}].config.${key}`);
  }
  for (const type of UNSUPPORTED_TASKS) fields.add(`requested_tasks[${type}]`);
  // A record in the schema (any key), whose keys openidv knows: the categories it counts.
  for (const category of Object.keys(TEXT_ATTEMPT_CATEGORIES))
    fields.add(`sdk_config.attempts_configuration.ID_DOCUMENT_TEXT_DATA_EXTRACTION.${category}`);
  return fields;
}

/** The first column of the table under "### Session-creation fields", each a field path in backticks. */
function tableFields(): string[] {
  const section = README.split('### Session-creation fields')[1]?.split(/\n#{2,3} /)[0] ?? '';
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => /^\| `([^`]+)` \|/.exec(line)?.[1] ?? line);
}

describe('README: every session-creation field and what openidv does with it', () => {
  it('has a row for every field of the schemas', () => {
    const rows = new Set(tableFields());
    expect(rows.size, 'the table was found').toBeGreaterThan(50);
    expect([...schemaFields()].filter((f) => !rows.has(f))).toEqual([]);
  });

  it('has no row for a field the schemas do not have, and no row twice', () => {
    const fields = schemaFields();
    const rows = tableFields();
    expect(rows.filter((r) => !fields.has(r))).toEqual([]);
    expect(rows.filter((r, i) => rows.indexOf(r) !== i)).toEqual([]);
  });

  it('says for each row whether it is honoured, accepted with no effect, or refused with a status and code', () => {
    const section = README.split('### Session-creation fields')[1]!.split(/\n#{2,3} /)[0]!;
    const unclear = section
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .filter(
        (line) =>
          !/honoured|accepted, no effect|refused \(`400 (PAYLOAD_VALIDATION|UNSUPPORTED_CHECK)`|validated per type|the capture page's options/.test(
            line,
          ),
      );
    expect(unclear).toEqual([]);
  });
});
