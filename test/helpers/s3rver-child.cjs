// Runs s3rver for the tests in a child process of its own, on a free loopback port.
//  - A child process because s3rver signs its ListObjectsV2 continuation tokens with single DES, which
//    OpenSSL 3 only offers through the legacy provider: the parent starts this script with
//    --openssl-legacy-provider instead of changing the crypto of the test process.
//  - s3rver's DeleteObjects removes the keys in parallel and each removal prunes empty parent folders, so two
//    removals race on the same folder (ENOENT, HTTP 500). Removals are serialised here; nothing else changes.
// Usage: node --openssl-legacy-provider s3rver-child.cjs <directory> <bucket>...
// Prints one JSON line {"port": n} when listening; exits when stdin closes (the parent went away) or on SIGTERM.
'use strict';
const S3rver = require('s3rver');

async function main() {
  const [directory, ...buckets] = process.argv.slice(2);
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name, configs: [] })),
  });
  const store = server.store;
  const deleteObject = store.deleteObject.bind(store);
  let chain = Promise.resolve();
  store.deleteObject = (bucket, key) => {
    const run = chain.then(() => deleteObject(bucket, key));
    chain = run.catch(() => undefined);
    return run;
  };
  const address = await server.run();
  process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
  const stop = () => server.close().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();
}

main().catch((err) => {
  process.stderr.write(`s3rver failed to start: ${err?.message}\n`);
  process.exit(1);
});
