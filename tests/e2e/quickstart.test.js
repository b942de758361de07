"use strict";
// Focus: the quick starts of docs/sdks.md work as written against the real binary.
// Each Node.js example file of docs/examples and the curl + openssl TC3 script run in a child
// process, pointed at a started emulator only through SES_ENDPOINT (the files' own default is
// 127.0.0.1:4590), and the mail each sends must be stored with the subject the example gives.

const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const { execFile } = require("node:child_process");

const { REPO_ROOT, startEmulator } = require("./lib/emulator");
const { rawRequest } = require("./lib/clients");

const EXAMPLES = path.join(REPO_ROOT, "docs", "examples");

function run(file, args, env) {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      {
        env: { ...process.env, NODE_PATH: path.join(__dirname, "node_modules"), http_proxy: "", HTTP_PROXY: "", ...env },
        encoding: "utf8",
        timeout: 15000,
      },
      (error, stdout, stderr) => resolve({ code: error ? error.code || 1 : 0, stdout, stderr }),
    );
  });
}

async function storedSubjects(emu) {
  const res = await rawRequest(emu, { path: "/_emulator/messages" });
  assert.equal(res.status, 200, res.text);
  return res.json.messages.map((m) => m.subject);
}

for (const [file, subject] of [
  ["node-china.js", "Hello from Node.js"],
  ["node-intl.js", "Hello from Node.js (international SDK)"],
]) {
  test(`docs/examples/${file} sends its email through the emulator`, async () => {
    const emu = await startEmulator();
    try {
      const res = await run(process.execPath, [path.join(EXAMPLES, file)], { SES_ENDPOINT: emu.endpoint });
      assert.equal(res.code, 0, `exit ${res.code}: ${res.stderr}`);
      assert.match(res.stdout, /^MessageId qcloudses-\S+\n$/);
      assert.deepEqual(await storedSubjects(emu), [subject]);
    } finally {
      await emu.stop();
    }
  });
}

test("docs/examples/curl-tc3.sh signs with openssl and sends with curl", async () => {
  const emu = await startEmulator();
  try {
    const script = path.join(EXAMPLES, "curl-tc3.sh");
    const env = { SES_ENDPOINT: emu.endpoint };
    const list = await run(script, ["ListEmailTemplates", '{"Limit":10,"Offset":0}'], env);
    assert.equal(list.code, 0, list.stderr);
    const templates = JSON.parse(list.stdout).Response.TemplatesMetadata.map((t) => t.TemplateName);
    assert.deepEqual(templates.sort(), ["verify-code", "welcome"]);

    const body = JSON.stringify({
      FromEmailAddress: "Example <noreply@example.com>",
      Destination: ["user@example.net"],
      Subject: "Hello from curl",
      Template: { TemplateID: 1, TemplateData: JSON.stringify({ name: "Ann" }) },
    });
    const sent = await run(script, ["SendEmail", body], env);
    assert.equal(sent.code, 0, sent.stderr);
    assert.match(JSON.parse(sent.stdout).Response.MessageId, /^qcloudses-/);
    assert.deepEqual(await storedSubjects(emu), ["Hello from curl"]);

    // A wrong key must fail the signature check: the script really signs.
    const wrong = await run(script, ["ListEmailTemplates", "{}"], { ...env, SECRET_KEY: "not-the-key" });
    assert.equal(JSON.parse(wrong.stdout).Response.Error.Code, "AuthFailure.SignatureFailure");
  } finally {
    await emu.stop();
  }
});
