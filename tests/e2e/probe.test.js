"use strict";
// Focus: `ses-emulator --probe [URL]`, the container's health check: exit 0 and one line for a
// healthy emulator, exit 1 and one line otherwise; the URL as the next word or after "=", and
// by default the health route on the port of --listen / SES_EMULATOR_LISTEN.

const test = require("node:test");
const assert = require("node:assert/strict");
const http = require("node:http");

const { runBinary, startEmulator } = require("./lib/emulator");

function oneLine(res) {
  assert.equal(res.stderr, "", "nothing on stderr");
  assert.match(res.stdout, /^ses-emulator: [^\n]+\n$/, `exactly one line, got ${JSON.stringify(res.stdout)}`);
  return res.stdout;
}

// A server that answers every request with `status` and `body`.
function fakeServer(status, body) {
  return new Promise((resolve) => {
    const srv = http.createServer((req, res) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(body);
    });
    srv.listen(0, "127.0.0.1", () => resolve(srv));
  });
}

test("--probe: a running emulator is healthy, by URL, by --listen and by SES_EMULATOR_LISTEN", async () => {
  const emu = await startEmulator();
  try {
    const url = `http://127.0.0.1:${emu.port}/_emulator/health`;
    for (const [args, env] of [
      [["--probe", url], {}],
      [[`--probe=${url}`], {}],
      [["--probe", "--listen", `127.0.0.1:${emu.port}`], {}],
      [["--listen", `0.0.0.0:${emu.port}`, "--probe"], {}],
      [["--probe"], { SES_EMULATOR_LISTEN: `0.0.0.0:${emu.port}` }],
    ]) {
      const res = await runBinary(args, { env });
      assert.equal(res.code, 0, `${args.join(" ")}: ${res.stdout}${res.stderr}`);
      assert.equal(oneLine(res), `ses-emulator: healthy: ${url}\n`);
    }
  } finally {
    await emu.stop();
  }
});

test("--probe: refused connection, another status and an answer without \"ok\" are unhealthy", async () => {
  const notFound = await fakeServer(404, '{"error":"no"}');
  const notOk = await fakeServer(200, '{"status":"starting"}');
  try {
    const closed = await fakeServer(200, "");
    const closedPort = closed.address().port;
    await new Promise((r) => closed.close(r));
    for (const [url, reason] of [
      [`http://127.0.0.1:${closedPort}/_emulator/health`, /unhealthy: .*: Couldn't connect/],
      [`http://127.0.0.1:${notFound.address().port}/_emulator/health`, /unhealthy: .*: HTTP 404$/m],
      [`http://127.0.0.1:${notOk.address().port}/_emulator/health`, /unhealthy: .*: the answer does not say "ok"$/m],
    ]) {
      const res = await runBinary(["--probe", url]);
      assert.equal(res.code, 1, `${url}: ${res.stdout}`);
      assert.match(oneLine(res), reason);
    }
  } finally {
    notFound.close();
    notOk.close();
  }
});
