// Cost of the replay guard's per-request check on the embedded store (SQLite file, WAL, synchronous=FULL), the
// same code the server runs: one durable insert per signed request, against a table already holding a day's
// nonces. Usage: npm run bench:nonce [-- --calls 3000 --prefill 100000]
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../dist/infra/db/database.js';
import { migrate } from '../dist/infra/db/migrator.js';
import { KyselyNonceRepository } from '../dist/infra/db/repositories/nonce.repository.js';
import { nonceGuard } from '../dist/http/plugins/nonce-guard.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '3000' },
    prefill: { type: 'string', default: '100000' },
  },
});
const calls = Number(values.calls);
const prefill = Number(values.prefill);

const dir = mkdtempSync(join(tmpdir(), 'openidv-nonce-bench-'));
const database = openDatabase(`sqlite:${join(dir, 'openidv.db')}`);
try {
  await migrate(database);
  const now = Date.now();
  const sdkId = randomUUID();
  // A day's worth of earlier nonces (one request a second for ~28 h at the default), as the guard keeps them.
  for (let i = 0; i < prefill; i += 500) {
    const rows = Array.from({ length: Math.min(500, prefill - i) }, (_, j) => ({
      sdk_id: sdkId,
      nonce: randomUUID(),
      seen_at: now - (prefill - i - j) * 1000,
    }));
    await database.db.insertInto('nonces').values(rows).execute();
  }
  const check = nonceGuard({
    nonces: new KyselyNonceRepository(database.db, database.dialect),
    windowMs: 86400_000,
    now: () => Date.now(),
  });
  const app = { sdkId, createdAt: now - 86400_000 };
  const query = () => new URLSearchParams({ sdkId, nonce: randomUUID(), timestamp: String(Date.now()) });
  for (let i = 0; i < 200; i++) await check(app, query()); // warm-up (statement cache, guard start)
  const times = [];
  for (let i = 0; i < calls; i++) {
    const q = query();
    const t0 = process.hrtime.bigint();
    const refused = await check(app, q);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (refused) throw new Error(`fresh request refused: ${refused}`);
  }
  times.sort((a, b) => a - b);
  const at = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
  console.log(
    JSON.stringify(
      {
        store: 'sqlite (WAL, synchronous=FULL)',
        prefilled_nonces: prefill,
        calls,
        check_ms: {
          p50: +at(0.5).toFixed(3),
          p90: +at(0.9).toFixed(3),
          p99: +at(0.99).toFixed(3),
          max: +times.at(-1).toFixed(3),
        },
      },
      null,
      2,
    ),
  );
} finally {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
}
