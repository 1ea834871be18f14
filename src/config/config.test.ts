import { expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

it('trusts no proxy by default, and only named proxies when configured', () => {
  const base = { OPENIDV_DATA_DIR: '/tmp/openidv-config-test' };
  expect(loadConfig(base).trustProxy).toEqual([]);
  expect(loadConfig({ ...base, OPENIDV_TRUST_PROXY: 'false' }).trustProxy).toEqual([]);
  expect(loadConfig({ ...base, OPENIDV_TRUST_PROXY: '10.0.0.0/8, 192.0.2.4,::1,fd00::/8,loopback' }).trustProxy).toEqual(['10.0.0.0/8', '192.0.2.4', '::1', 'fd00::/8', 'loopback']);
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
