"use strict";
// Focus: the README's Node example works as written against the default fixture.
// The first ```js block of README.md is run in a child process with only the
// endpoint's port changed, and must print the default fixture's templates.

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { execFileSync } = require("node:child_process");

const { REPO_ROOT, startEmulator } = require("./lib/emulator");

test("README Node example lists the default fixture's templates", async () => {
  const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
  const match = readme.match(/```js\n([\s\S]*?)```/);
  assert.ok(match, "README.md has a ```js block");
  assert.match(match[1], /endpoint: "127\.0\.0\.1:4590"/, "the example points at the documented port");
  const emu = await startEmulator();
  try {
    const script = match[1].replace("127.0.0.1:4590", `127.0.0.1:${emu.port}`);
    const out = execFileSync(process.execPath, ["-e", script], {
      env: { ...process.env, NODE_PATH: path.join(__dirname, "node_modules"), http_proxy: "", HTTP_PROXY: "" },
      encoding: "utf8",
      timeout: 15000,
    });
    assert.match(out, /welcome/);
    assert.match(out, /verify-code/);
  } finally {
    await emu.stop();
  }
});
