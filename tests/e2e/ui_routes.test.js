"use strict";
// Focus: the routes behind the web page, without a browser (README "Emulator routes"
// and "The web page"):
// - GET /_emulator/ui, /ui/app.js, /ui/style.css: built-in files with their
//   Content-Type, Cache-Control: no-cache and the page's Content-Security-Policy;
//   the page loads nothing from outside the emulator and builds no HTML from strings;
// - GET /_emulator/state?app_id=N: one account's templates, sending domains with DNS
//   records, senders, recipient groups, tasks with progress and suppression lists,
//   compared with fixture data and with what the API did;
// - GET /_emulator/messages/{id}/html: the HTML part under a sandboxing CSP;
// - GET /_emulator/messages/{id}/attachments/{n}: the decoded bytes as a download;
// - each bad input (method, query, id, number) answers 4xx JSON {"error": ...};
// - the README's curl examples of these routes run as written.

const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const http = require("node:http");
const path = require("node:path");
const { execFileSync } = require("node:child_process");

const { DEFAULT_ACCOUNT, REPO_ROOT, makeTempDir, sharedEmulator, withEmulator } = require("./lib/emulator");
const { b64, chinaClient, rawClient, rawRequest } = require("./lib/clients");

const SECOND = { secretId: "AKIDUISTATESECONDACCT0", secretKey: "ui-state-second-account-key" };
const SECOND_APP = 1300000777;
const MEMBERS = Array.from({ length: 25 }, (_, i) => ({ email: `m${i}@example.net`, data: { name: `M${i}` } }));
const DATETIME_RE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const HTML_POLICY = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:";
const EXAMPLE_ID = "qcloudses-30-1300000001-date-20240601090000-AbCdEfGhIjKl";

function fixture() {
  const f = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "fixtures", "default.json"), "utf8"));
  Object.assign(f.accounts[0], {
    receivers: [{ name: "many", description: "25 members", members: MEMBERS }],
    blacklist: [{ email: "blocked@example.net" }, { email: "old@example.net", expire_date: "2000-01-01" }],
    bounces: [{ email: "gone@example.net", bounce_time: "2024-03-01 10:00:00", reason: "550 no such user" }],
    unsubscribe_configs: [{ address: DEFAULT_ACCOUNT.sender, unsubscribe_config: "2", status: 0 }],
  });
  f.accounts.push({
    app_id: SECOND_APP,
    uin: "100000000777",
    credentials: [{ secret_id: SECOND.secretId, secret_key: SECOND.secretKey }],
    identities: [{ domain: "example.org", verified: false }],
    senders: [{ address: "hello@example.org", status: "pending" }],
    templates: [{ name: "second-only", text: "plain {{x}}" }],
  });
  return f;
}

const h = sharedEmulator({ fixtures: fixture() });

// GET as bytes: { status, headers, body: Buffer }.
function getBytes(emu, urlPath, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: emu.host, port: emu.port, path: urlPath, headers, agent: false }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
  });
}

function assertClientError(res, status, pattern) {
  assert.equal(res.status, status, `HTTP ${status} expected: ${res.status} ${res.text}`);
  assert.match(res.headers["content-type"], /^application\/json/);
  assert.deepEqual(Object.keys(res.json || {}), ["error"], res.text);
  if (pattern) assert.match(res.json.error, pattern);
}

async function state(query = "", emu = h.emu) {
  const r = await rawRequest(emu, { path: `/_emulator/state${query}` });
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers["content-type"], /^application\/json/);
  return r.json;
}

async function send(over = {}, emu = h.emu) {
  const r = await chinaClient(emu).SendEmail({
    FromEmailAddress: `${DEFAULT_ACCOUNT.senderName} <${DEFAULT_ACCOUNT.sender}>`,
    Destination: ["user@example.net"],
    Subject: "Parts",
    Simple: { Html: b64("<p>Hi <b>there</b></p>"), Text: b64("Hi there") },
    ...over,
  });
  return r.MessageId;
}

// ---- the page's files ---------------------------------------------------------------------

test("GET /_emulator/ui and its files: built in, typed, never cached stale, under the page's CSP", async () => {
  const files = [
    ["/_emulator/ui", /^text\/html; charset=utf-8$/, /<script src="\/_emulator\/ui\/app\.js" defer><\/script>/],
    ["/_emulator/ui/", /^text\/html; charset=utf-8$/, /<title>ses-emulator<\/title>/],
    ["/_emulator/ui/app.js", /^text\/javascript; charset=utf-8$/, /^"use strict";/],
    ["/_emulator/ui/style.css", /^text\/css; charset=utf-8$/, /:root \{/],
  ];
  for (const [p, type, body] of files) {
    const r = await rawRequest(h.emu, { path: p });
    assert.equal(r.status, 200, p);
    assert.match(r.headers["content-type"], type, p);
    assert.equal(r.headers["cache-control"], "no-cache", p);
    assert.equal(r.headers["x-content-type-options"], "nosniff", p);
    const csp = r.headers["content-security-policy"];
    assert.match(csp, /default-src 'none'/, p);
    assert.match(csp, /script-src 'self'(;|$)/, `${p}: only the page's own script`);
    assert.match(r.text, body, p);
    assert.equal(Number(r.headers["content-length"]), Buffer.byteLength(r.text), p);
  }
  // the same bytes as the sources in the repository
  for (const name of ["index.html", "app.js", "style.css"]) {
    const r = await getBytes(h.emu, `/_emulator/ui/${name === "index.html" ? "" : name}`);
    assert.ok(r.body.equals(fs.readFileSync(path.join(REPO_ROOT, "server", "control", "ui", name))), name);
  }
});

test("GET / from a browser lands on the page", async () => {
  const r = await rawRequest(h.emu, { path: "/", headers: { Accept: "text/html" } });
  assert.equal(r.status, 302);
  assert.equal(r.headers.location, "/_emulator/ui");
});

test("the page loads nothing from outside the emulator and builds no HTML from strings", () => {
  const dir = path.join(REPO_ROOT, "server", "control", "ui");
  for (const name of ["index.html", "app.js", "style.css"]) {
    const text = fs.readFileSync(path.join(dir, name), "utf8");
    assert.doesNotMatch(text, /https?:\/\//, `${name} names no outside URL`);
    assert.doesNotMatch(text, /@import|url\(/, `${name} pulls in no other file`);
  }
  const js = fs.readFileSync(path.join(dir, "app.js"), "utf8");
  for (const sink of ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"]) {
    assert.ok(!js.includes(sink), `app.js never uses ${sink}`);
  }
  const html = fs.readFileSync(path.join(dir, "index.html"), "utf8");
  assert.doesNotMatch(html, /<script>|\son[a-z]+=/, "no inline script or handler (the CSP would refuse them)");
});

test("/_emulator/ui: unknown files 404, other methods 405", async () => {
  assertClientError(await rawRequest(h.emu, { path: "/_emulator/ui/nope.js" }), 404, /no such file/);
  assertClientError(await rawRequest(h.emu, { path: "/_emulator/ui/app.js/x" }), 404);
  assertClientError(await rawRequest(h.emu, { path: "/_emulator/uix" }), 404, /no such route/);
  assertClientError(await rawRequest(h.emu, { method: "POST", path: "/_emulator/ui", body: "" }), 405, /GET/);
  assertClientError(await rawRequest(h.emu, { method: "DELETE", path: "/_emulator/ui/app.js" }), 405);
});

// ---- /_emulator/state -------------------------------------------------------------------

test("GET /_emulator/state: the first account's resources, from the fixture", async () => {
  const s = await state();
  assert.deepEqual(Object.keys(s).sort(), [
    "accounts",
    "app_id",
    "blacklist",
    "bounces",
    "clock",
    "complaints",
    "identities",
    "receivers",
    "senders",
    "tasks",
    "templates",
    "unsubscribe_configs",
    "unsubscribes",
  ]);
  assert.equal(s.app_id, DEFAULT_ACCOUNT.appId);
  assert.match(s.clock, DATETIME_RE);
  assert.deepEqual(s.accounts, [
    { app_id: DEFAULT_ACCOUNT.appId, uin: DEFAULT_ACCOUNT.uin },
    { app_id: SECOND_APP, uin: "100000000777" },
  ]);

  assert.deepEqual(
    s.templates.map((t) => [t.name, t.status, t.status_name, t.html, t.text]),
    [
      ["verify-code", 0, "approved", "<p>Your verification code is <b>{{code}}</b>. It expires in 10 minutes.</p>", "Your verification code is {{code}}. It expires in 10 minutes."],
      ["welcome", 0, "approved", "<p>Hi {{name}}</p>", "Hi {{name}}"],
    ],
  );
  for (const t of s.templates) {
    assert.ok(Number.isInteger(t.id));
    assert.match(t.created_at, DATETIME_RE);
    assert.match(t.updated_at, DATETIME_RE);
  }

  // the DNS records are the ones GetEmailIdentity gives
  assert.equal(s.identities.length, 1);
  const d = s.identities[0];
  assert.equal(d.domain, "example.com");
  assert.equal(d.status_name, "verified");
  const api = await rawClient(h.emu).call("GetEmailIdentity", { EmailIdentity: "example.com" });
  assert.deepEqual(
    d.dns_records,
    api.Attributes.map((a) => ({ type: a.Type, host: a.SendDomain, value: a.ExpectedValue })),
  );
  assert.deepEqual(d.dns_records.map((r) => r.type), ["TXT", "TXT", "MX", "TXT"]);

  assert.deepEqual(
    s.senders.map(({ address, name, status_name }) => ({ address, name, status_name })),
    [{ address: DEFAULT_ACCOUNT.sender, name: DEFAULT_ACCOUNT.senderName, status_name: "approved" }],
  );
  assert.ok(!JSON.stringify(s.senders).includes("password"), "no secret is shown");

  // a group shows its counts and its first 20 members
  assert.equal(s.receivers.length, 1);
  const g = s.receivers[0];
  assert.equal(g.name, "many");
  assert.equal(g.description, "25 members");
  assert.equal(g.status_name, "uploaded");
  assert.equal(g.member_count, 25);
  assert.equal(g.invalid_count, 0);
  assert.equal(g.members.length, 20);
  assert.deepEqual(g.members[0], { email: "m0@example.net", status: 1, status_name: "valid", reason: "", template_data: '{"name":"M0"}' });

  // suppression lists
  assert.deepEqual(s.bounces, [{ address: "gone@example.net", bounce_time: "2024-03-01 10:00:00", reason: "550 no such user" }]);
  assert.deepEqual(
    s.blacklist.map(({ email, expire_date, active }) => ({ email, expire_date, active })).sort((a, b) => a.email.localeCompare(b.email)),
    [
      { email: "blocked@example.net", expire_date: null, active: true },
      { email: "old@example.net", expire_date: "2000-01-01", active: false },
    ],
  );
  assert.deepEqual(s.unsubscribe_configs, [{ address: DEFAULT_ACCOUNT.sender, config: "2", status: 0 }]);
  assert.deepEqual(s.tasks, []);
  assert.deepEqual(s.unsubscribes, []);
  assert.deepEqual(s.complaints, []);
});

test("GET /_emulator/state?app_id=N: another account sees only its own resources", async () => {
  const s = await state(`?app_id=${SECOND_APP}`);
  assert.equal(s.app_id, SECOND_APP);
  assert.equal(s.accounts.length, 2);
  assert.deepEqual(s.templates.map((t) => [t.name, t.html, t.text]), [["second-only", null, "plain {{x}}"]]);
  assert.deepEqual(s.identities.map((d) => [d.domain, d.status_name]), [["example.org", "pending"]]);
  assert.deepEqual(s.senders.map((a) => [a.address, a.status_name]), [["hello@example.org", "pending"]]);
  for (const k of ["receivers", "tasks", "bounces", "blacklist", "unsubscribe_configs", "unsubscribes", "complaints"]) {
    assert.deepEqual(s[k], [], k);
  }
});

test("GET /_emulator/state: a task's progress, a bounce, an unsubscribe and a complaint follow what happened", async () => {
  await withEmulator({ fixtures: fixture() }, async (emu) => {
    const before = await state("", emu);
    const { TaskId } = await chinaClient(emu).BatchSendEmail({
      FromEmailAddress: DEFAULT_ACCOUNT.sender,
      ReceiverId: before.receivers[0].id,
      Subject: "Hello {{name}}",
      TaskType: 1,
      Template: { TemplateID: before.templates.find((t) => t.name === "welcome").id, TemplateData: "{}" },
    });
    let t;
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
      t = (await state("", emu)).tasks.find((x) => x.id === TaskId);
      if (t && t.status_name === "done") break;
    }
    assert.equal(t.status, 10);
    assert.equal(t.status_name, "done");
    assert.equal(t.task_type_name, "immediate");
    assert.equal(t.request_count, 25);
    assert.equal(t.send_count, 25);
    assert.equal(t.receiver_name, "many");
    assert.equal(t.subject, "Hello {{name}}");
    assert.match(t.begin_time, DATETIME_RE);
    assert.equal(t.next_run, null);

    await send({ Destination: ["bounce@ses-simulator.test"] }, emu);
    let s = await state("", emu);
    assert.ok(s.bounces.some((b) => b.address === "bounce@ses-simulator.test"), JSON.stringify(s.bounces));

    const id = await send({ Destination: ["leaver@example.net"], Subject: "Leaving" }, emu);
    const post = (p, body) => rawRequest(emu, { method: "POST", path: p, headers: { "Content-Type": "application/json" }, body });
    assert.equal((await post(`/_emulator/unsubscribe/${id}`, "")).status, 200);
    const complaint = await post("/_emulator/complaints", JSON.stringify({ message_id: id, address: "leaver@example.net" }));
    assert.equal(complaint.status, 200, complaint.text);
    s = await state("", emu);
    assert.deepEqual(
      s.unsubscribes.map(({ recipient, sender, message_id }) => ({ recipient, sender, message_id })),
      [{ recipient: "leaver@example.net", sender: DEFAULT_ACCOUNT.sender, message_id: id }],
    );
    assert.match(s.unsubscribes[0].created_at, DATETIME_RE);
    assert.deepEqual(
      s.complaints.map(({ recipient, from, subject, message_id }) => ({ recipient, from, subject, message_id })),
      [{ recipient: "leaver@example.net", from: DEFAULT_ACCOUNT.sender, subject: "Leaving", message_id: id }],
    );
    assert.match(s.complaints[0].complain_time, DATETIME_RE);
  });
});

test("GET /_emulator/state with no account: empty lists and a null app_id", async () => {
  await withEmulator({ fixtures: "none" }, async (emu) => {
    const s = await state("", emu);
    assert.equal(s.app_id, null);
    assert.deepEqual(s.accounts, []);
    for (const k of ["templates", "identities", "senders", "receivers", "tasks", "bounces", "blacklist", "unsubscribe_configs", "unsubscribes", "complaints"]) {
      assert.deepEqual(s[k], [], k);
    }
  });
});

test("GET /_emulator/state: bad input", async () => {
  assertClientError(await rawRequest(h.emu, { path: "/_emulator/state?app_id=1" }), 404, /no account/);
  for (const bad of ["0", "-1", "x", "", "1.5", "99999999999999999999"]) {
    assertClientError(await rawRequest(h.emu, { path: `/_emulator/state?app_id=${bad}` }), 400, /app_id/);
  }
  assertClientError(await rawRequest(h.emu, { path: "/_emulator/state?appid=1" }), 400, /unknown query parameter "appid"/);
  assertClientError(await rawRequest(h.emu, { method: "POST", path: "/_emulator/state", body: "{}" }), 405, /GET/);
  assertClientError(await rawRequest(h.emu, { path: "/_emulator/state/x" }), 404);
});

// ---- message parts -----------------------------------------------------------------------

test("GET /_emulator/messages/{id}/html: the HTML part, sandboxed, with no network", async () => {
  const html = '<h1>Hi</h1><script>alert(1)</script><img src="http://example.com/t.gif">';
  const id = await send({ Simple: { Html: b64(html), Text: b64("Hi") } });
  const r = await rawRequest(h.emu, { path: `/_emulator/messages/${id}/html` });
  assert.equal(r.status, 200);
  assert.equal(r.headers["content-type"], "text/html; charset=utf-8");
  assert.equal(r.headers["content-security-policy"], HTML_POLICY);
  assert.equal(r.headers["x-content-type-options"], "nosniff");
  assert.equal(r.text, html);
  assert.equal(r.text, (await rawRequest(h.emu, { path: `/_emulator/messages/${id}` })).json.html);

  const textOnly = await send({ Simple: { Text: b64("only text") } });
  assertClientError(await rawRequest(h.emu, { path: `/_emulator/messages/${textOnly}/html` }), 404, /no HTML part/);
  assertClientError(await rawRequest(h.emu, { path: `/_emulator/messages/${EXAMPLE_ID}/html` }), 404, /no message/);
  assertClientError(await rawRequest(h.emu, { path: `/_emulator/messages/${id}/html/x` }), 404);
  assertClientError(await rawRequest(h.emu, { method: "DELETE", path: `/_emulator/messages/${id}/html` }), 405);
});

test("GET /_emulator/messages/{id}/attachments/{n}: the decoded bytes, as a download", async () => {
  const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const id = await send({
    Attachments: [
      { FileName: "notes.txt", Content: b64("first\r\nsecond\n") },
      { FileName: "季度报告 (final).png", Content: bytes.toString("base64") },
    ],
  });
  const view = (await rawRequest(h.emu, { path: `/_emulator/messages/${id}` })).json;
  assert.deepEqual(view.attachments.map((a) => a.file_name), ["notes.txt", "季度报告 (final).png"]);

  const first = await getBytes(h.emu, `/_emulator/messages/${id}/attachments/0`);
  assert.equal(first.status, 200);
  assert.equal(first.headers["content-type"], "text/plain");
  assert.equal(first.headers["content-disposition"], "attachment; filename=\"notes.txt\"; filename*=UTF-8''notes.txt");
  assert.equal(first.body.toString("latin1"), "first\r\nsecond\n");

  const second = await getBytes(h.emu, `/_emulator/messages/${id}/attachments/1`);
  assert.equal(second.status, 200);
  assert.equal(second.headers["content-type"], "image/png");
  assert.ok(second.body.equals(bytes), "every byte value comes back");
  assert.equal(Number(second.headers["content-length"]), 256);
  const disposition = second.headers["content-disposition"];
  assert.match(disposition, /^attachment; filename="[^"]*\(final\)\.png"; filename\*=UTF-8''(.*)$/);
  assert.equal(decodeURIComponent(disposition.split("UTF-8''")[1]), "季度报告 (final).png");
  assert.equal(second.headers["content-security-policy"], "sandbox; default-src 'none'");
  assert.equal(second.headers["x-content-type-options"], "nosniff");

  for (const bad of ["2", "01", "-1", "x", "", "1/2", "9999999", "1.0"]) {
    const r = await rawRequest(h.emu, { path: `/_emulator/messages/${id}/attachments/${bad}` });
    assertClientError(r, 404);
  }
  assertClientError(await rawRequest(h.emu, { path: `/_emulator/messages/${id}/attachments/2` }), 404, /no attachment/);
  const plain = await send();
  assertClientError(await rawRequest(h.emu, { path: `/_emulator/messages/${plain}/attachments/0` }), 404, /no attachment/);
  assertClientError(await rawRequest(h.emu, { path: `/_emulator/messages/${EXAMPLE_ID}/attachments/0` }), 404, /no message/);
  assertClientError(await rawRequest(h.emu, { method: "POST", path: `/_emulator/messages/${id}/attachments/0`, body: "" }), 405);
});

// ---- README -------------------------------------------------------------------------------

test("README: the curl examples of the web page's routes run as written", async () => {
  const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
  const section = readme.split("### The web page")[1];
  assert.ok(section, "README.md has the section");
  const block = section.match(/```sh\n([\s\S]*?)```/)[1];
  const commands = block.replace(/\\\n\s*/g, "").split("\n").filter((l) => l.startsWith("curl "));
  for (const route of ["/_emulator/ui", "/_emulator/state", "/html", "/attachments/0"]) {
    assert.ok(commands.some((c) => c.includes(route)), `an example for ${route}`);
  }
  const id = await send({ Attachments: [{ FileName: "report.csv", Content: b64("a,b\n1,2\n") }] });
  const dir = makeTempDir();
  const outputs = commands.map((command) => {
    const line = command.replaceAll("127.0.0.1:4590", h.emu.endpoint).replaceAll(EXAMPLE_ID, id);
    return execFileSync("bash", ["-c", line], {
      cwd: dir,
      encoding: "utf8",
      timeout: 15_000,
      env: { ...process.env, http_proxy: "", HTTP_PROXY: "" },
    });
  });
  const stateOut = JSON.parse(outputs[commands.findIndex((c) => c.includes("/_emulator/state"))]);
  assert.equal(stateOut.app_id, DEFAULT_ACCOUNT.appId);
  assert.match(outputs[commands.findIndex((c) => c.endsWith("/html"))], /<b>there<\/b>/);
  assert.match(fs.readFileSync(path.join(dir, "ui.html"), "utf8"), /<title>ses-emulator<\/title>/);
  assert.equal(fs.readFileSync(path.join(dir, "report.csv"), "utf8"), "a,b\n1,2\n");
});
