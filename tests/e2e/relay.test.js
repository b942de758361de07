"use strict";
// Focus: the SMTP relay (--smtp-relay, server/mail/relay.c). A real SMTP
// server (npm's smtp-server) started by each test receives what the emulator
// relays; the DATA it gets is compared byte for byte with
// GET /_emulator/messages/{id}/raw (the server undoes any SMTP dot-stuffing,
// and DATA ends with the message's own final CRLF). A relay that is down never
// slows or fails the API call: the message shows "retrying" and then
// "failed" after --smtp-retries; a relay that comes back gets the message;
// SIGTERM stops the worker mid-transfer at once and the message is relayed
// after the next start; SMTP AUTH from the flags or the URL.

const { test } = require("node:test");
const assert = require("node:assert/strict");
const net = require("node:net");
const path = require("node:path");
const { SMTPServer } = require("smtp-server");
const { DEFAULT_ACCOUNT, makeTempDir, startEmulator, withEmulator } = require("./lib/emulator");
const { b64, chinaClient, rawRequest } = require("./lib/clients");

const SENDER = DEFAULT_ACCOUNT.sender;

// ---- an SMTP server for one test ---------------------------------------------------------------

/*
 * Starts an SMTP server on 127.0.0.1 (port 0: a free one) that keeps every
 * message: { from, to: [...], data: Buffer, user }. `auth`: {user, pass}
 * makes AUTH required. Returns { port, received, next(n), close() }.
 */
function startSmtp({ port = 0, auth = null } = {}) {
  const received = [];
  const waiters = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: auth ? ["STARTTLS"] : ["STARTTLS", "AUTH"],
    authOptional: !auth,
    allowInsecureAuth: true,
    logger: false,
    closeTimeout: 200, // the emulator keeps its connection open for the next message
    onAuth(a, session, cb) {
      if (auth && a.username === auth.user && a.password === auth.pass) return cb(null, { user: a.username });
      return cb(new Error("Invalid username or password"));
    },
    onData(stream, session, cb) {
      const chunks = [];
      stream.on("data", (c) => chunks.push(c));
      stream.on("end", () => {
        received.push({
          from: session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          data: Buffer.concat(chunks),
          user: session.user || null,
        });
        for (const w of waiters.splice(0)) w();
        cb();
      });
    },
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      resolve({
        port: server.server.address().port,
        received,
        // Resolves once `n` messages have arrived (or rejects after `ms`).
        async next(n = 1, ms = 10_000) {
          const until = Date.now() + ms;
          while (received.length < n) {
            if (Date.now() > until) throw new Error(`SMTP server got ${received.length} of ${n} messages`);
            await new Promise((r) => {
              waiters.push(r);
              setTimeout(r, 100);
            });
          }
          return received;
        },
        close: () => new Promise((r) => server.close(r)),
      });
    });
  });
}

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

// ---- emulator helpers -------------------------------------------------------------------------

async function welcomeId(emu) {
  const r = await chinaClient(emu).ListEmailTemplates({ Limit: 100, Offset: 0 });
  return r.TemplatesMetadata.find((m) => m.TemplateName === "welcome").TemplateID;
}

async function send(emu, over = {}) {
  const r = await chinaClient(emu).SendEmail({
    FromEmailAddress: `${DEFAULT_ACCOUNT.senderName} <${SENDER}>`,
    Destination: ["user@example.net"],
    Subject: "Hi {{name}}",
    Template: { TemplateID: await welcomeId(emu), TemplateData: JSON.stringify({ name: "Ann" }) },
    ...over,
  });
  return r.MessageId;
}

async function view(emu, id) {
  const r = await rawRequest(emu, { path: `/_emulator/messages/${encodeURIComponent(id)}` });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

function rawBytes(emu, id) {
  const http = require("node:http");
  return new Promise((resolve, reject) => {
    http
      .get({ host: emu.host, port: emu.port, path: `/_emulator/messages/${encodeURIComponent(id)}/raw`, agent: false }, (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve(Buffer.concat(chunks)));
        res.on("error", reject);
      })
      .on("error", reject);
  });
}

// Polls the message's relay state until `done(relay)`; returns every distinct status seen, and the last state.
async function watchRelay(emu, id, done, ms = 10_000) {
  const seen = [];
  const until = Date.now() + ms;
  for (;;) {
    const { relay } = await view(emu, id);
    if (seen[seen.length - 1] !== relay.status) seen.push(relay.status);
    if (done(relay)) return { seen, relay };
    if (Date.now() > until) throw new Error(`relay state after ${ms} ms: ${JSON.stringify(relay)}, seen ${seen}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function metric(emu, line) {
  const r = await rawRequest(emu, { path: "/_emulator/metrics" });
  const m = r.text.split("\n").find((l) => l.startsWith(`${line} `));
  return m === undefined ? undefined : Number(m.slice(line.length + 1));
}

// ---- tests ------------------------------------------------------------------------------------

test("every accepted message reaches the relay byte for byte, with the envelope of its recipients", async () => {
  const smtp = await startSmtp();
  try {
    await withEmulator({ args: ["--smtp-relay", `smtp://127.0.0.1:${smtp.port}`] }, async (emu) => {
      // Content lines starting with "." (the MIME builder writes them as =2E, so no line of the
      // message starts with a dot; libcurl would dot-stuff one), a long line, an attachment, Cc, Bcc.
      const api = chinaClient(emu);
      const tpl = await api.CreateEmailTemplate({
        TemplateName: "dots",
        TemplateContent: {
          Text: b64(".leading dot\n..two dots\n.\nend {{name}}\n" + "x".repeat(2000)),
          Html: b64("<p>.{{name}}</p>\n.<b>dot</b>"),
        },
      });
      const id = await send(emu, {
        Destination: ["user@example.net", "second@example.net"],
        Cc: ["copy@example.net"],
        Bcc: ["hidden@example.net"],
        Template: { TemplateID: tpl.TemplateID, TemplateData: JSON.stringify({ name: "Ann" }) },
        Attachments: [{ FileName: "notes.txt", Content: b64(".dot\r\n.\r\nlast") }],
      });
      const [got] = await smtp.next(1);
      const raw = await rawBytes(emu, id);
      assert.ok(raw.subarray(-2).equals(Buffer.from("\r\n")), "the message ends with CRLF");
      assert.equal(got.data.length, raw.length, "same length as /raw");
      assert.ok(got.data.equals(raw), "DATA equals /raw byte for byte");
      assert.equal(got.from, SENDER);
      assert.deepEqual(got.to, ["user@example.net", "second@example.net", "copy@example.net", "hidden@example.net"]);
      assert.ok(!raw.toString("latin1").includes("hidden@example.net"), "Bcc is only in the envelope");

      const { relay } = await watchRelay(emu, id, (r) => r.status === "sent");
      assert.deepEqual(Object.keys(relay).sort(), ["attempts", "last_error", "relayed_at", "status"]);
      assert.equal(relay.attempts, 1);
      assert.equal(relay.last_error, "");
      assert.match(relay.relayed_at, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);

      // A second message reuses the worker (and its connection).
      const second = await send(emu);
      const all = await smtp.next(2);
      assert.ok(all[1].data.equals(await rawBytes(emu, second)));
      await watchRelay(emu, second, (r) => r.status === "sent");
      assert.equal(await metric(emu, 'ses_emulator_relay_total{outcome="sent"}'), 2);
      assert.equal(await metric(emu, 'ses_emulator_relay_total{outcome="failed"}'), 0);
    });
  } finally {
    await smtp.close();
  }
});

test("without --smtp-relay nothing is queued: relay status off", async () => {
  await withEmulator({}, async (emu) => {
    const id = await send(emu);
    const v = await view(emu, id);
    assert.deepEqual(v.relay, { status: "off", attempts: 0, last_error: "", relayed_at: null });
  });
});

test("a relay that is down: SendEmail answers fast, the message retries and then fails", async () => {
  const port = await freePort(); // closed: connections are refused
  await withEmulator(
    { args: ["--smtp-relay", `smtp://127.0.0.1:${port}`, "--smtp-retries", "2", "--smtp-retry-delay", "300"] },
    async (emu) => {
      const template = await welcomeId(emu);
      const api = chinaClient(emu);
      const request = {
        FromEmailAddress: SENDER,
        Destination: ["user@example.net"],
        Subject: "Hi",
        Template: { TemplateID: template, TemplateData: JSON.stringify({ name: "Ann" }) },
      };
      await api.SendEmail(request); // warm the SDK's connection path
      const t0 = process.hrtime.bigint();
      const { MessageId: id } = await api.SendEmail(request);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      assert.ok(ms < 200, `SendEmail took ${ms.toFixed(1)} ms with the relay down`);

      const { seen, relay } = await watchRelay(emu, id, (r) => r.status === "failed");
      assert.ok(seen.includes("retrying"), `statuses seen: ${seen}`);
      assert.equal(relay.attempts, 3, "the first attempt and 2 retries");
      assert.match(relay.last_error, /connect|refused/i);
      assert.equal(relay.relayed_at, null);
      // Both messages: 2 retries each, 1 failure each (the first may still be on its way).
      const failed = await metric(emu, 'ses_emulator_relay_total{outcome="failed"}');
      assert.ok(failed >= 1, `failed ${failed}`);
      assert.ok((await metric(emu, 'ses_emulator_relay_total{outcome="retry"}')) >= 2);
      assert.equal(await metric(emu, 'ses_emulator_relay_total{outcome="sent"}'), 0);
    },
  );
});

test("a relay that comes back gets the message on a retry", async () => {
  const port = await freePort();
  await withEmulator(
    { args: ["--smtp-relay", `smtp://127.0.0.1:${port}`, "--smtp-retries", "6", "--smtp-retry-delay", "200"] },
    async (emu) => {
      const id = await send(emu);
      await watchRelay(emu, id, (r) => r.status === "retrying");
      const smtp = await startSmtp({ port });
      try {
        const { relay } = await watchRelay(emu, id, (r) => r.status === "sent");
        assert.ok(relay.attempts >= 2, `attempts ${relay.attempts}`);
        assert.equal(relay.last_error, "");
        const [got] = await smtp.next(1);
        assert.ok(got.data.equals(await rawBytes(emu, id)));
      } finally {
        await smtp.close();
      }
    },
  );
});

test("SIGTERM stops the worker mid-transfer within a second; the next start relays the message", async () => {
  // A server that accepts connections and never greets: the transfer hangs.
  const sockets = new Set();
  const silent = net.createServer((s) => {
    sockets.add(s);
    s.on("error", () => {});
  });
  await new Promise((r) => silent.listen(0, "127.0.0.1", r));
  const dbPath = path.join(makeTempDir(), "relay.db");
  const emu = await startEmulator({ db: dbPath, args: ["--smtp-relay", `smtp://127.0.0.1:${silent.address().port}`] });
  let id;
  try {
    id = await send(emu);
    // Wait until the worker is connected (and stuck waiting for the greeting).
    const until = Date.now() + 5000;
    while (sockets.size === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    assert.ok(sockets.size > 0, "the relay connected");
    assert.equal((await view(emu, id)).relay.status, "pending");
  } finally {
    const t0 = Date.now();
    const res = await emu.stop();
    const ms = Date.now() - t0;
    assert.equal(res.timedOut, false);
    assert.equal(res.code, 0);
    assert.ok(ms < 1000, `stopped in ${ms} ms`);
    for (const s of sockets) s.destroy();
    silent.close();
  }
  // The interrupted attempt is not counted, and the message is relayed after a restart.
  const smtp = await startSmtp();
  try {
    await withEmulator({ db: dbPath, args: ["--smtp-relay", `smtp://127.0.0.1:${smtp.port}`] }, async (again) => {
      const { relay } = await watchRelay(again, id, (r) => r.status === "sent");
      assert.equal(relay.attempts, 1);
      const [got] = await smtp.next(1);
      assert.ok(got.data.equals(await rawBytes(again, id)));
    });
  } finally {
    await smtp.close();
  }
});

test("SMTP AUTH with --smtp-user/--smtp-password or the URL's user info; a wrong password fails", async () => {
  const smtp = await startSmtp({ auth: { user: "relay-user", pass: "s3cret pass" } });
  try {
    await withEmulator(
      {
        args: ["--smtp-relay", `smtp://127.0.0.1:${smtp.port}`, "--smtp-user", "relay-user"],
        env: { SES_EMULATOR_SMTP_PASSWORD: "s3cret pass" },
      },
      async (emu) => {
        const id = await send(emu);
        const [got] = await smtp.next(1);
        assert.equal(got.user, "relay-user");
        assert.ok(got.data.equals(await rawBytes(emu, id)));
      },
    );
    await withEmulator(
      { args: ["--smtp-relay", `smtp://relay-user:s3cret%20pass@127.0.0.1:${smtp.port}`] },
      async (emu) => {
        await send(emu);
        const all = await smtp.next(2);
        assert.equal(all[1].user, "relay-user");
      },
    );
    await withEmulator(
      {
        args: ["--smtp-relay", `smtp://127.0.0.1:${smtp.port}`, "--smtp-user", "relay-user", "--smtp-password", "wrong"],
        env: { SES_EMULATOR_SMTP_RETRIES: "0" },
      },
      async (emu) => {
        const id = await send(emu);
        const { relay } = await watchRelay(emu, id, (r) => r.status === "failed");
        assert.equal(relay.attempts, 1);
        assert.match(relay.last_error, /login|auth/i);
      },
    );
    assert.equal(smtp.received.length, 2);
  } finally {
    await smtp.close();
  }
});

test("a batch task's messages are relayed too", async () => {
  const smtp = await startSmtp();
  try {
    await withEmulator({ args: ["--smtp-relay", `smtp://127.0.0.1:${smtp.port}`] }, async (emu) => {
      const api = chinaClient(emu);
      const { ReceiverId } = await api.CreateReceiver({ ReceiversName: "relay-group", Desc: "" });
      await api.CreateReceiverDetail({ ReceiverId, Emails: ["one@example.net", "two@example.net"] });
      for (const until = Date.now() + 5000; Date.now() < until; ) {
        const r = await api.ListReceivers({ Offset: 0, Limit: 10 });
        if (r.Data.find((g) => g.ReceiverId === ReceiverId).ReceiversStatus === 3) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await api.BatchSendEmail({
        FromEmailAddress: SENDER,
        ReceiverId,
        Subject: "Batch {{name}}",
        TaskType: 1,
        Template: { TemplateID: await welcomeId(emu), TemplateData: JSON.stringify({ name: "All" }) },
      });
      const got = await smtp.next(2);
      assert.deepEqual(got.map((m) => m.to[0]).sort(), ["one@example.net", "two@example.net"]);
    });
  } finally {
    await smtp.close();
  }
});
