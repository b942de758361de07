"use strict";
// Command line: flags, environment, start-up failures, SIGTERM, persistence.

const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const net = require("node:net");
const path = require("node:path");
const {
  LISTEN_RE,
  makeTempDir,
  runBinary,
  startEmulator,
  withEmulator,
  writeFixture,
} = require("./lib/emulator");
const { b64, expectError, rawClient, rawRequest, streamSends } = require("./lib/clients");

const LIST = { Limit: 100, Offset: 0 };

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// A start-up failure: non-zero exit, exactly one line on stderr, never listening.
function assertStartupFailure(res, what) {
  assert.equal(res.signal, null, `${what}: killed by ${res.signal}`);
  assert.notEqual(res.code, 0, `${what}: must exit non-zero`);
  const err = res.stderr.replace(/\n$/, "");
  assert.ok(err.length > 0, `${what}: stderr must carry one line`);
  assert.ok(!err.includes("\n"), `${what}: stderr must be exactly one line, got:\n${res.stderr}`);
  assert.doesNotMatch(res.stderr, /listening on/, `${what}: must fail before listening`);
  return err;
}

test("--help prints usage naming every flag and exits 0", async () => {
  const res = await runBinary(["--help"]);
  assert.equal(res.code, 0, res.stderr);
  const out = res.stdout + res.stderr;
  for (const flag of ["--listen", "--db", "--fixtures", "--auth", "--review", "--help", "--version"]) {
    assert.ok(out.includes(flag), `--help must mention ${flag}`);
  }
});

test("--version prints a version and exits 0", async () => {
  const res = await runBinary(["--version"]);
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout + res.stderr, /\d+\.\d+/);
});

test("unknown flag: exit non-zero with one line on stderr naming it", async () => {
  const res = await runBinary(["--listen", "127.0.0.1:0", "--no-such-flag"]);
  const line = assertStartupFailure(res, "--no-such-flag");
  assert.match(line, /no-such-flag/);
});

test("bad --auth value: exit non-zero, one line", async () => {
  const res = await runBinary(["--listen", "127.0.0.1:0", "--auth", "maybe"]);
  assertStartupFailure(res, "--auth maybe");
});

test("bad --review value: exit non-zero, one line", async () => {
  const res = await runBinary(["--listen", "127.0.0.1:0", "--review", "later"]);
  assertStartupFailure(res, "--review later");
});

test("bad --listen port: exit non-zero, one line", async () => {
  const res = await runBinary(["--listen", "127.0.0.1:99999"]);
  assertStartupFailure(res, "--listen 127.0.0.1:99999");
});

test("flag without its value: exit non-zero, one line", async () => {
  const res = await runBinary(["--listen", "127.0.0.1:0", "--db"]);
  assertStartupFailure(res, "--db without value");
});

test("unreadable fixture file: exit non-zero, one line, before listening", async () => {
  const missing = "/nonexistent/dir/fixture.json";
  const res = await runBinary(["--listen", "127.0.0.1:0", "--fixtures", missing]);
  const line = assertStartupFailure(res, "--fixtures missing");
  assert.ok(line.includes(missing) || /fixture/i.test(line), `line should say what failed: ${line}`);
});

test("fixture file that is not JSON: exit non-zero, one line, before listening", async () => {
  const file = writeFixture("{ this is not json");
  const res = await runBinary(["--listen", "127.0.0.1:0", "--fixtures", file]);
  assertStartupFailure(res, "--fixtures bad json");
});

test("unwritable --db path (/nonexistent/dir/x.db): exit non-zero, one line, before listening", async () => {
  const res = await runBinary(["--listen", "127.0.0.1:0", "--db", "/nonexistent/dir/x.db"]);
  assertStartupFailure(res, "--db /nonexistent/dir/x.db");
});

test("listening line has the documented form", async () => {
  await withEmulator({}, async (emu) => {
    assert.match(emu.listenLine, LISTEN_RE);
    assert.equal(emu.host, "127.0.0.1");
    assert.ok(emu.port > 0);
    assert.equal(emu.listenLine.trim(), `ses-emulator: listening on http://127.0.0.1:${emu.port}`);
  });
});

test("SES_EMULATOR_LISTEN is used when --listen is absent", async () => {
  const port = await freePort();
  await withEmulator({ listen: null, env: { SES_EMULATOR_LISTEN: `127.0.0.1:${port}` } }, async (emu) => {
    assert.equal(emu.port, port);
    const res = await rawRequest(emu, { path: "/_emulator/health" });
    assert.equal(res.json && res.json.status, "ok");
  });
});

test("--listen wins over SES_EMULATOR_LISTEN", async () => {
  const envPort = await freePort();
  const flagPort = await freePort();
  await withEmulator(
    { listen: `127.0.0.1:${flagPort}`, env: { SES_EMULATOR_LISTEN: `127.0.0.1:${envPort}` } },
    async (emu) => {
      assert.equal(emu.port, flagPort);
    },
  );
});

test("SIGTERM: clean exit with status 0", async () => {
  const emu = await startEmulator({});
  try {
    await rawClient(emu).call("ListEmailTemplates", LIST);
  } finally {
    const res = await emu.stop();
    assert.equal(res.timedOut, false, "did not exit within 5 s of SIGTERM");
    assert.equal(res.signal, null, `ended by signal ${res.signal}`);
    assert.equal(res.code, 0);
  }
});

test("SIGTERM with a --db file: clean exit with status 0", async () => {
  const emu = await startEmulator({ db: true });
  try {
    await rawClient(emu).call("ListEmailTemplates", LIST);
  } finally {
    const res = await emu.stop();
    assert.equal(res.timedOut, false);
    assert.equal(res.signal, null);
    assert.equal(res.code, 0);
  }
});

// A SendEmail's answer waits for its store job with its connection set
// aside (libmicrohttpd's suspend/resume); the server must not stop with one
// still set aside (libmicrohttpd aborts then), nor lose an answered send.
test("SIGTERM while 32 clients send: clean exit, and every answered send is stored", async () => {
  const emu = await startEmulator({ db: true, args: ["--log-format", "off"] });
  const acked = new Map(); // subject -> MessageId; sends refused by the stopping server are not counted
  let n = 0;
  const sends = streamSends(rawClient(emu), 32, (w) => `term-${w}-${n++}`, acked);
  await new Promise((r) => setTimeout(r, 400));
  assert.ok(acked.size > 0, "no send answered before the signal");
  sends.stop();
  const res = await emu.stop();
  await sends.done;
  assert.equal(res.timedOut, false, "did not exit within 5 s of SIGTERM");
  assert.equal(res.signal, null, `ended by signal ${res.signal}: ${emu.log.stderr}`);
  assert.equal(res.code, 0);
  await emu.restart();
  try {
    for (const [subject, id] of acked) {
      const one = await rawRequest(emu, { path: `/_emulator/messages/${encodeURIComponent(id)}` });
      assert.equal(one.status, 200, `answered send ${subject} (${id}) not stored`);
      assert.equal(one.json.subject, subject);
    }
  } finally {
    await emu.stop();
  }
});

test("--fixtures none seeds nothing: the default credential is unknown", async () => {
  await withEmulator({ fixtures: "none" }, async (emu) => {
    const res = await rawRequest(emu, { path: "/_emulator/health" });
    assert.equal(res.json && res.json.status, "ok");
    await expectError(rawClient(emu).tc3("ListEmailTemplates", LIST), "AuthFailure.SecretIdNotFound");
  });
});

test("restart on the same --db keeps resources and does not load fixtures twice", async () => {
  const emu = await startEmulator({ db: true });
  try {
    let api = rawClient(emu);
    let list = await api.call("ListEmailTemplates", LIST);
    assert.equal(list.TotalCount, 2);
    const created = await api.call("CreateEmailTemplate", {
      TemplateName: "persisted",
      TemplateContent: { Html: b64("<b>kept {{x}}</b>"), Text: b64("kept {{x}}") },
    });
    await api.call("CreateEmailIdentity", { EmailIdentity: "persist.example.net" });
    await api.call("CreateEmailAddress", { EmailAddress: "keep@example.com", EmailSenderName: "Keeper" });
    await api.call("UpdateEmailSmtpPassWord", { EmailAddress: "keep@example.com", Password: "Keeper1234" });

    await emu.restart();
    api = rawClient(emu);
    list = await api.call("ListEmailTemplates", LIST);
    assert.equal(list.TotalCount, 3, "2 fixture templates + 1 created, fixtures not seeded again");
    const names = list.TemplatesMetadata.map((t) => t.TemplateName).sort();
    assert.deepEqual(names, ["persisted", "verify-code", "welcome"]);
    const got = await api.call("GetEmailTemplate", { TemplateID: created.TemplateID });
    assert.equal(got.TemplateName, "persisted");
    assert.equal(got.TemplateContent.Html, b64("<b>kept {{x}}</b>"));
    const ids = await api.call("ListEmailIdentities", {});
    assert.deepEqual(ids.EmailIdentities.map((i) => i.IdentityName).sort(), ["example.com", "persist.example.net"]);
    const senders = await api.call("ListEmailAddress", {});
    assert.deepEqual(
      senders.EmailSenders.map((s) => s.EmailAddress).sort(),
      ["keep@example.com", "noreply@example.com"],
    );

    const keep = senders.EmailSenders.find((x) => x.EmailAddress === "keep@example.com");
    assert.equal(keep.EmailSenderName, "Keeper");
    assert.equal(keep.SmtpPwdType, 1, "the SMTP password survives a restart");
    await expectError(
      api.tc3("UpdateEmailSmtpPassWord", { EmailAddress: "keep@example.com", Password: "Keeper1234" }),
      "OperationDenied.RepeatPassWord",
    );

    await emu.restart();
    api = rawClient(emu);
    list = await api.call("ListEmailTemplates", LIST);
    assert.equal(list.TotalCount, 3, "still 3 after a second restart");
  } finally {
    await emu.stop();
  }
});

test("restart on the same --db: an unchanged store still has exactly the 2 fixture templates", async () => {
  const emu = await startEmulator({ db: true });
  try {
    for (let i = 0; i < 3; i++) {
      const list = await rawClient(emu).call("ListEmailTemplates", LIST);
      assert.equal(list.TotalCount, 2, `start #${i + 1}`);
      const ids = await rawClient(emu).call("ListEmailIdentities", {});
      assert.equal(ids.EmailIdentities.length, 1, `start #${i + 1}`);
      if (i < 2) await emu.restart();
    }
  } finally {
    await emu.stop();
  }
});

test("restart on the same --db: a deleted fixture template is not seeded again", async () => {
  const emu = await startEmulator({ db: true });
  try {
    const list = await rawClient(emu).call("ListEmailTemplates", LIST);
    const welcome = list.TemplatesMetadata.find((t) => t.TemplateName === "welcome");
    await rawClient(emu).call("DeleteEmailTemplate", { TemplateID: welcome.TemplateID });
    await emu.restart();
    const after = await rawClient(emu).call("ListEmailTemplates", LIST);
    assert.equal(after.TotalCount, 1);
    assert.deepEqual(after.TemplatesMetadata.map((t) => t.TemplateName), ["verify-code"]);
  } finally {
    await emu.stop();
  }
});

test("a --db file is created at the given path", async () => {
  const dir = makeTempDir();
  const db = path.join(dir, "state.db");
  await withEmulator({ db }, async (emu) => {
    await rawClient(emu).call("ListEmailTemplates", LIST);
  });
  assert.ok(fs.existsSync(db), `${db} should exist after a run`);
});

// ---- --log-format and the SMTP relay's flags (tests/e2e/metrics.test.js and relay.test.js run them) ----

test("--help names --log-format and every --smtp-* flag", async () => {
  const res = await runBinary(["--help"]);
  assert.equal(res.code, 0, res.stderr);
  for (const flag of [
    "--log-format",
    "--smtp-relay",
    "--smtp-user",
    "--smtp-password",
    "--smtp-starttls",
    "--smtp-retries",
    "--smtp-retry-delay",
  ]) {
    assert.ok(res.stdout.includes(flag), `--help must mention ${flag}`);
  }
});

test("bad --log-format and --smtp-* values: exit non-zero, one line naming the flag", async () => {
  const cases = [
    ["--log-format", "xml"],
    ["--smtp-relay", "http://127.0.0.1:25"],
    ["--smtp-relay", "127.0.0.1:25"],
    ["--smtp-relay", "smtp://"],
    ["--smtp-relay", "smtp://127.0.0.1:70000"],
    ["--smtp-starttls", "maybe"],
    ["--smtp-retries", "21"],
    ["--smtp-retries", "x"],
    ["--smtp-retry-delay", "0"],
    ["--smtp-user", "u".repeat(300)],
  ];
  for (const [flag, value] of cases) {
    const res = await runBinary(["--listen", "127.0.0.1:0", flag, value]);
    const line = assertStartupFailure(res, `${flag} ${value.slice(0, 40)}`);
    assert.ok(line.includes(flag), `${flag}: the line names the flag: ${line}`);
  }
  const env = await runBinary(["--listen", "127.0.0.1:0"], { env: { SES_EMULATOR_SMTP_RELAY: "ftp://x" } });
  assert.match(assertStartupFailure(env, "SES_EMULATOR_SMTP_RELAY"), /SES_EMULATOR_SMTP_RELAY/);
});

test("good --log-format and --smtp-* values start the emulator", async () => {
  await withEmulator(
    {
      args: [
        "--log-format",
        "json",
        "--smtp-relay",
        "smtps://user:pass@127.0.0.1:1",
        "--smtp-starttls",
        "on",
        "--smtp-retries",
        "0",
        "--smtp-retry-delay",
        "3600000",
      ],
    },
    async (emu) => {
      await rawClient(emu).call("ListEmailTemplates", LIST);
    },
  );
});
