import { expect, it } from 'vitest';
import { isPrivateAddress } from './address-policy.js';
import { endpointProblem } from './endpoint-policy.js';
import { HttpWebhookSender } from './http-webhook.sender.js';

it('classifies private, loopback, link-local and mapped addresses', () => {
  for (const a of [
    '127.0.0.1',
    '10.1.2.3',
    '172.20.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
    'not-an-ip',
  ]) {
    expect(isPrivateAddress(a), a).toBe(true);
  }
  for (const a of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])
    expect(isPrivateAddress(a), a).toBe(false);
});

it('refuses every IPv6 form that embeds a private IPv4 address, and local-use translation prefixes', () => {
  const privateForms = [
    '::ffff:7f00:1', // IPv4-mapped, hex form
    '::ffff:0:a00:1', // SIIT (RFC 6145)
    '::7f00:1', // IPv4-compatible (::/96)
    '::a9fe:a9fe', // IPv4-compatible 169.254.169.254
    '64:ff9b::7f00:1', // NAT64 well-known prefix, 127.0.0.1
    '64:ff9b::a9fe:a9fe', // NAT64, cloud metadata address
    '64:ff9b:1::808:808', // NAT64 local-use prefix: refused whole
    '2002:a00:1::1', // 6to4 of 10.0.0.1
    '2002:c0a8:101::', // 6to4 of 192.168.1.1
    '2001:0:4136:e378:8000:63bf:80ff:fffe', // Teredo, client 127.0.0.1 (inverted bits)
    '2001:0:a00:1::1', // Teredo, server 10.0.0.1
    '2001:db8::1', // documentation
    '100::1', // discard-only
    'fec0::1', // deprecated site-local
    'fe80::1%eth0',
  ];
  for (const a of privateForms) expect(isPrivateAddress(a), a).toBe(true);
  for (const a of ['64:ff9b::808:808', '2002:808:808::1', '::ffff:1.1.1.1', '2001:0:808:808:0:0:f7f7:f7f7'])
    expect(isPrivateAddress(a), a).toBe(false);
  for (const a of ['192.0.2.1', '198.51.100.7', '203.0.113.9', '255.255.255.255', '240.0.0.1'])
    expect(isPrivateAddress(a), a).toBe(true);
});

it('refuses private endpoints unless allowed', async () => {
  const sender = new HttpWebhookSender({ timeoutMs: 1000, allowPrivateEndpoints: false, allowHttp: true });
  await expect(sender.post('http://127.0.0.1:9/hook', '{}', {})).rejects.toThrow(/private/);
  await expect(sender.post('http://localhost:9/hook', '{}', {})).rejects.toThrow(/private/);
  await expect(sender.post('http://[::1]:9/hook', '{}', {})).rejects.toThrow(/private/);
  await expect(sender.post('ftp://example.test/hook', '{}', {})).rejects.toThrow(/http/);
});

it('accepts https endpoints only, http where allowed, never other schemes or credentials in the URL', async () => {
  const strict = { allowPrivateEndpoints: false, allowHttp: false };
  expect(endpointProblem('https://rp.example/hook', strict)).toBeNull();
  for (const url of [
    'http://rp.example/hook',
    'file:///etc/passwd',
    'gopher://rp.example:70/_x',
    'ftp://rp.example/',
    'data:,x',
    'javascript:alert(1)',
    'ws://rp.example/',
    'not a url',
  ]) {
    expect(endpointProblem(url, strict), url).not.toBeNull();
  }
  expect(endpointProblem('http://rp.example/hook', { ...strict, allowHttp: true })).toBeNull();
  expect(endpointProblem('file:///etc/passwd', { allowPrivateEndpoints: true, allowHttp: true })).not.toBeNull();
  expect(endpointProblem('https://user:secret@rp.example/hook', strict)).toMatch(/credentials/);
  expect(endpointProblem('https://[64:ff9b::a9fe:a9fe]/latest/meta-data', strict)).toMatch(/private/);
  // The sender refuses the same at delivery, for sessions created under an older policy.
  const sender = new HttpWebhookSender({ timeoutMs: 1000, ...strict });
  await expect(sender.post('http://rp.example/hook', '{}', {})).rejects.toThrow(/https/);
  await expect(sender.post('gopher://rp.example/', '{}', {})).rejects.toThrow(/https/);
});
