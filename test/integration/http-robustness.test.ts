import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InProcess, inProcessApp } from '../helpers/in-process.js';

// Malformed input of any kind must end in a Yoti-shaped 4xx, never a 500 or a crash.

let h: InProcess;
beforeAll(async () => {
  h = await inProcessApp();
});
afterAll(async () => {
  await h.close();
});

function expectYotiError(res: { statusCode: number; json(): unknown }, status: number, code?: string) {
  expect(res.statusCode).toBe(status);
  const body = res.json() as { code: string; message: string };
  expect(typeof body.code).toBe('string');
  expect(typeof body.message).toBe('string');
  if (code) expect(body.code).toBe(code);
}

describe('session creation input', () => {
  const bodies: [string, string][] = [
    ['not JSON', '{"client_session_token_ttl": '],
    ['a JSON string', '"hello"'],
    ['a JSON array', '[1,2,3]'],
    ['null', 'null'],
    ['wrong scalar types', JSON.stringify({ client_session_token_ttl: 'soon', resources_ttl: true })],
    ['a float TTL', JSON.stringify({ client_session_token_ttl: 600.5 })],
    ['a huge TTL', JSON.stringify({ client_session_token_ttl: 1e300 })],
    ['null check list', JSON.stringify({ requested_checks: null })],
    ['checks not objects', JSON.stringify({ requested_checks: ['LIVENESS', 3, null] })],
    ['unknown check type', JSON.stringify({ requested_checks: [{ type: 'MIND_READING' }] })],
    [
      'FFS without pool',
      JSON.stringify({ requested_checks: [{ type: 'FAMILIAR_FACE_SEARCH', config: { approval_criteria: 'MATCH' } }] }),
    ],
    ['bad enum in sdk_config', JSON.stringify({ sdk_config: { allowed_capture_methods: 'TELEPATHY' } })],
    ['bad colour', JSON.stringify({ sdk_config: { primary_colour: 'blue' } })],
    ['bad URL', JSON.stringify({ sdk_config: { success_url: 'not a url' } })],
    [
      'bad notification topic',
      JSON.stringify({ notifications: { endpoint: 'https://x.test/h', topics: ['EVERYTHING'] } }),
    ],
    [
      'bad required document',
      JSON.stringify({ required_documents: [{ type: 'ID_DOCUMENT', filter: { type: 'DOCUMENT_RESTRICTIONS' } }] }),
    ],
    [
      'unknown document type',
      JSON.stringify({
        required_documents: [
          {
            type: 'ID_DOCUMENT',
            filter: {
              type: 'ORTHOGONAL_RESTRICTIONS',
              type_restriction: { inclusion: 'WHITELIST', document_types: ['LIBRARY_CARD'] },
            },
          },
        ],
      }),
    ],
    ['resources_ttl too short', JSON.stringify({ client_session_token_ttl: 600, resources_ttl: 700 })],
    ['deadline in the past', JSON.stringify({ session_deadline: '2001-01-01T00:00:00Z' })],
    ['deadline not a date', JSON.stringify({ session_deadline: 'tomorrow' })],
    [
      'duplicate liveness',
      JSON.stringify({
        requested_checks: [
          { type: 'LIVENESS', config: { liveness_type: 'STATIC' } },
          { type: 'LIVENESS', config: { liveness_type: 'STATIC' } },
        ],
      }),
    ],
  ];

  it.each(bodies)('refuses %s with 400', async (_name, body) => {
    const res = await h.signed('POST', '/sessions', body);
    expectYotiError(res, 400);
  });

  it('stores no nested unknown keys, and refuses nesting past 32 levels before parsing', async () => {
    const res = await h.signed('POST', '/sessions', `{"x":${'{"a":'.repeat(30)}1${'}'.repeat(30)}}`);
    expect(res.statusCode).toBe(201);
    const id = (res.json() as { session_id: string }).session_id;
    const row = await h.container.repos.sessions.getById(id);
    expect(JSON.stringify(row!.spec)).not.toContain('"x"');
    const deep = await h.signed('POST', '/sessions', `{"x":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`);
    expectYotiError(deep, 400, 'PAYLOAD_VALIDATION');
    expect((deep.json() as { message: string }).message).toContain('32 levels');
  });

  it('names the offending property', async () => {
    const res = await h.signed(
      'POST',
      '/sessions',
      JSON.stringify({ client_session_token_ttl: 10, sdk_config: { primary_colour: 'blue' } }),
    );
    expectYotiError(res, 400, 'PAYLOAD_VALIDATION');
    const props = (res.json() as { errors: { property: string }[] }).errors.map((e) => e.property);
    expect(props).toContain('sdk_config.primary_colour');
  });

  it('refuses identity profiles as unsupported, and an unknown liveness type as invalid', async () => {
    const profile = await h.signed(
      'POST',
      '/sessions',
      JSON.stringify({ identity_profile_requirements: { trust_framework: 'UK_TFIDA' } }),
    );
    expectYotiError(profile, 400, 'UNSUPPORTED_CHECK');
    const unknown = await h.signed(
      'POST',
      '/sessions',
      JSON.stringify({ requested_checks: [{ type: 'LIVENESS', config: { liveness_type: 'ACTIVE' } }] }),
    );
    expectYotiError(unknown, 400, 'PAYLOAD_VALIDATION');
  });

  it('takes ZOOM liveness: the capture page is told to run the active challenge', async () => {
    const zoom = await h.signed(
      'POST',
      '/sessions',
      JSON.stringify({ requested_checks: [{ type: 'LIVENESS', config: { liveness_type: 'ZOOM', max_retries: 2 } }] }),
    );
    expect(zoom.statusCode).toBe(201);
    const { session_id: id, client_session_token: token } = zoom.json() as Record<string, string>;
    const config = await h.app.inject({
      method: 'GET',
      url: `/idverify/v1/client/sessions/${id}/configuration`,
      headers: { 'x-client-session-token': token! },
    });
    expect(config.json().requirements).toEqual([
      expect.objectContaining({ type: 'LIVENESS', liveness_type: 'ZOOM', attempts_remaining: 3 }),
    ]);
  });

  it('accepts an empty specification with defaults', async () => {
    const res = await h.signed('POST', '/sessions', '{}');
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ client_session_token_ttl: 900 });
  });

  it('refuses a signed request whose body is empty or of the wrong type', async () => {
    expectYotiError(await h.signed('POST', '/sessions', ''), 400);
    expectYotiError(
      await h.signed('POST', '/sessions', 'a=b', 'application/x-www-form-urlencoded'),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
  });
});

describe('paths and uploads', () => {
  it('answers unknown routes and odd ids with Yoti-shaped 404s', async () => {
    expectYotiError(await h.app.inject({ method: 'GET', url: '/idverify/v1/nope' }), 404, 'NOT_FOUND');
    expectYotiError(await h.signed('GET', '/sessions/%E0%A4%A'), 400);
    expectYotiError(await h.signed('GET', `/sessions/${'x'.repeat(500)}`), 400);
    expectYotiError(await h.signed('GET', '/sessions/..%2F..%2Fetc/media/x/content'), 404);
  });

  it('refuses malformed and non-image face-capture uploads', async () => {
    const created = (
      await h.signed(
        'POST',
        '/sessions',
        JSON.stringify({
          requested_checks: [{ type: 'LIVENESS', config: { liveness_type: 'STATIC' } }, { type: 'FACE_COMPARISON' }],
        }),
      )
    ).json() as { session_id: string };
    const config = (await h.signed('GET', `/sessions/${created.session_id}/configuration`)).json() as {
      capture: { required_resources: { id: string; type: string }[] };
    };
    const requirement = config.capture.required_resources.find((r) => r.type === 'FACE_CAPTURE')!;
    expectYotiError(
      await h.signed(
        'POST',
        `/sessions/${created.session_id}/resources/face-capture`,
        JSON.stringify({ requirement_id: 'other' }),
      ),
      400,
      'PAYLOAD_VALIDATION',
    );
    const resource = (
      await h.signed(
        'POST',
        `/sessions/${created.session_id}/resources/face-capture`,
        JSON.stringify({ requirement_id: requirement.id }),
      )
    ).json() as { id: string };
    const url = `/sessions/${created.session_id}/resources/face-capture/${resource.id}/image`;
    expectYotiError(await h.signed('PUT', url, 'garbage', 'multipart/form-data; boundary=xyz'), 400);
    expectYotiError(await h.signed('PUT', url, 'garbage', 'multipart/form-data'), 415);
    const part = (name: string, data: string) =>
      `--b\r\nContent-Disposition: form-data; name="${name}"; filename="f"\r\nContent-Type: image/jpg\r\n\r\n${data}\r\n--b--\r\n`;
    expectYotiError(
      await h.signed('PUT', url, part('other-name', 'x'), 'multipart/form-data; boundary=b'),
      400,
      'PAYLOAD_VALIDATION',
    );
    expectYotiError(
      await h.signed('PUT', url, part('binary-content', 'not an image'), 'multipart/form-data; boundary=b'),
      422,
      'UNPROCESSABLE_IMAGE',
    );
  });
});

describe('requests the HTTP parser refuses before any route', () => {
  let port: number;
  beforeAll(async () => {
    port = Number(new URL(await h.app.listen({ port: 0, host: '127.0.0.1' })).port);
  });
  /** Raw bytes to the listening server; resolves with everything it answered before closing. */
  function raw(request: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(request));
      let answer = '';
      socket.on('data', (d) => (answer += d.toString()));
      socket.on('close', () => resolve(answer));
      socket.on('error', reject);
    });
  }
  const bodyOf = (answer: string) =>
    JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { code: string; message: string };

  it('answers a URL over 16 KB with a Yoti-shaped 431, and one that is not HTTP with a Yoti-shaped 400', async () => {
    const long = await raw(`GET /idverify/v1/sessions/${'x'.repeat(70_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(long.split('\r\n')[0]).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(bodyOf(long)).toEqual({ code: 'HEADERS_TOO_LARGE', message: expect.stringContaining('16 KB') });
    const garbage = await raw('HELLO\r\n\r\n');
    expect(garbage.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(bodyOf(garbage).code).toBe('PAYLOAD_VALIDATION');
  });
});
