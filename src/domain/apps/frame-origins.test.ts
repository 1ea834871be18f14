import { describe, expect, it } from 'vitest';
import { FrameOriginError, MAX_FRAME_ORIGINS, parseFrameOrigin, parseFrameOrigins } from './frame-origins.js';

describe('frame origins', () => {
  it('normalises valid origins: case, default ports, IP literals, one leading wildcard label', () => {
    expect(parseFrameOrigin('HTTPS://Shop.Example.COM:443')).toBe('https://shop.example.com');
    expect(parseFrameOrigin('http://localhost:8080')).toBe('http://localhost:8080');
    expect(parseFrameOrigin('http://127.0.0.1:80')).toBe('http://127.0.0.1');
    expect(parseFrameOrigin('https://[::1]:8443')).toBe('https://[::1]:8443');
    expect(parseFrameOrigin('https://*.shop.example')).toBe('https://*.shop.example');
    expect(parseFrameOrigin('https://xn--bcher-kva.example')).toBe('https://xn--bcher-kva.example');
  });

  it.each([
    ['*', 'not an origin'],
    ["'self'", 'not an origin'],
    ["'none'", 'not an origin'],
    ['https:', 'not an origin'],
    ['https://', 'not an origin'],
    ['https://*', 'wildcard'],
    ['https://*.com', 'wildcard'],
    ['https://a.*.example', 'wildcard'],
    ['https://shop.example/', 'not an origin'],
    ['https://shop.example/path', 'not an origin'],
    ['https://shop.example?x=1', 'not an origin'],
    ['https://user:pw@shop.example', 'not an origin'],
    ['https://shop.example;script-src *', 'not an origin'],
    ['javascript:alert(1)', 'not an origin'],
    ['data:text/html,x', 'not an origin'],
    ['ftp://shop.example', 'not an origin'],
    ['https://shop.example:0', 'invalid port'],
    ['https://shop.example:65536', 'invalid port'],
    ['https://-shop.example', 'invalid host'],
    ['https://shop..example', 'invalid host'],
    ['https://bücher.example', 'not an origin'],
    ['https://[::zz]', 'not an origin'],
    ['https://[1::2::3]', 'invalid IPv6'],
    [`https://${'a'.repeat(400)}.example`, 'longer than'],
  ])('refuses %s', (input, reason) => {
    expect(() => parseFrameOrigin(input)).toThrow(FrameOriginError);
    expect(() => parseFrameOrigin(input)).toThrow(reason);
  });

  it('reads lists separated by spaces or commas, drops duplicates, says none, and caps the length', () => {
    expect(parseFrameOrigins(' https://a.example, https://b.example  https://A.example ')).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
    expect(parseFrameOrigins('none')).toEqual([]);
    expect(parseFrameOrigins('')).toEqual([]);
    const many = Array.from({ length: MAX_FRAME_ORIGINS + 1 }, (_, i) => `https://s${i}.example`).join(' ');
    expect(() => parseFrameOrigins(many)).toThrow(`at most ${MAX_FRAME_ORIGINS} origins`);
    expect(() => parseFrameOrigins('none https://a.example')).toThrow(FrameOriginError);
  });
});
