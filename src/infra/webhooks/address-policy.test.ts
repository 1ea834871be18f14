import { expect, it } from 'vitest';
import { isPrivateAddress } from './address-policy.js';
import { HttpWebhookSender } from './http-webhook.sender.js';

it('classifies private, loopback, link-local and mapped addresses', () => {
  for (const a of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', 'not-an-ip']) {
    expect(isPrivateAddress(a), a).toBe(true);
  }
  for (const a of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) expect(isPrivateAddress(a), a).toBe(false);
});

it('refuses private endpoints unless allowed', async () => {
  const sender = new HttpWebhookSender({ timeoutMs: 1000, allowPrivateEndpoints: false });
  await expect(sender.post('http://127.0.0.1:9/hook', '{}', {})).rejects.toThrow(/private/);
  await expect(sender.post('http://localhost:9/hook', '{}', {})).rejects.toThrow(/private/);
  await expect(sender.post('http://[::1]:9/hook', '{}', {})).rejects.toThrow(/private/);
  await expect(sender.post('ftp://example.test/hook', '{}', {})).rejects.toThrow(/http/);
});
