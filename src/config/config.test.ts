import { describe, expect, it } from 'vitest';
import { TEST_SESSION_POLICY } from '../domain/sessions/session-policy.test-helpers.js';
import { ConfigError, loadConfig } from './config.js';

it('trusts no proxy by default, and only named proxies when configured', () => {
  const base = { OPENIDV_DATA_DIR: '/tmp/openidv-config-test' };
  expect(loadConfig(base).trustProxy).toEqual([]);
  expect(loadConfig({ ...base, OPENIDV_TRUST_PROXY: 'false' }).trustProxy).toEqual([]);
  expect(
    loadConfig({ ...base, OPENIDV_TRUST_PROXY: '10.0.0.0/8, 192.0.2.4,::1,fd00::/8,loopback' }).trustProxy,
  ).toEqual(['10.0.0.0/8', '192.0.2.4', '::1', 'fd00::/8', 'loopback']);
  // Each of these would believe X-Forwarded-For from any sender.
  for (const value of ['true', '1', '2', '*', '10.0.0.0/33', '10.1', 'proxy.example']) {
    expect(() => loadConfig({ ...base, OPENIDV_TRUST_PROXY: value }), value).toThrow(ConfigError);
  }
});

it('limits JSON bodies to 256 KiB, uploads to 15 MiB and strangers to 120 requests a minute by default', () => {
  const config = loadConfig({ OPENIDV_DATA_DIR: '/tmp/openidv-config-test' });
  expect(config.jsonBodyLimit).toBe(262_144);
  expect(config.bodyLimit).toBe(15 * 1024 * 1024);
  expect(config.unauthenticatedRateLimitPerMinute).toBe(120);
  expect(config.rateLimitPerMinute).toBe(0);
});

it('keeps the session lifetimes Yoti documents by default: 900 s tokens, resources for a week', () => {
  const policy = loadConfig({ OPENIDV_DATA_DIR: '/tmp/openidv-config-test' }).sessions;
  expect(policy).toMatchObject({ defaultTokenTtlSec: 900, defaultResourcesTtlSec: 7 * 86400 });
  // The domain's tests take this policy written out: it must stay the server's.
  expect(policy).toEqual(TEST_SESSION_POLICY);
});

describe('OPENIDV_FRAME_ANCESTORS and OPENIDV_HANDOFF_TTL', () => {
  it('reads the server default once, and refuses a bad one at start with the variable named', () => {
    expect(loadConfig({}).page).toEqual({ frameAncestors: [], handoffTtlSec: 600 });
    expect(
      loadConfig({ OPENIDV_FRAME_ANCESTORS: 'https://a.example,https://*.b.example', OPENIDV_HANDOFF_TTL: '120' }).page,
    ).toEqual({
      frameAncestors: ['https://a.example', 'https://*.b.example'],
      handoffTtlSec: 120,
    });
    expect(() => loadConfig({ OPENIDV_FRAME_ANCESTORS: '*' })).toThrow(ConfigError);
    expect(() => loadConfig({ OPENIDV_FRAME_ANCESTORS: 'https://a.example/x' })).toThrow(
      /OPENIDV_FRAME_ANCESTORS: "https:\/\/a.example\/x" is not an origin/,
    );
    expect(() => loadConfig({ OPENIDV_HANDOFF_TTL: '5' })).toThrow(/OPENIDV_HANDOFF_TTL/);
  });
});

it('reads the pinned face model set and the migration batch, refusing an id that is not one', () => {
  const base = { OPENIDV_DATA_DIR: '/tmp/openidv-config-test' };
  expect(loadConfig(base).face).toMatchObject({ modelSet: undefined, migrationBatch: 16 });
  expect(
    loadConfig({ ...base, OPENIDV_FACE_MODEL_SET: 'acme/arcface-r100.v2', OPENIDV_FACE_MIGRATION_BATCH: '4' }).face,
  ).toMatchObject({
    modelSet: 'acme/arcface-r100.v2',
    migrationBatch: 4,
  });
  for (const bad of ['../etc', ' x', 'a b', 'x'.repeat(121)])
    expect(() => loadConfig({ ...base, OPENIDV_FACE_MODEL_SET: bad }), bad).toThrow(/OPENIDV_FACE_MODEL_SET/);
  expect(() => loadConfig({ ...base, OPENIDV_FACE_MIGRATION_BATCH: '0' })).toThrow(/OPENIDV_FACE_MIGRATION_BATCH/);
});
