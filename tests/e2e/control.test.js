"use strict";
// The control plane's clock and message routes (README "Emulator routes"):
// GET/POST /_emulator/clock, GET/DELETE /_emulator/messages,
// GET /_emulator/messages/{id} and /raw. Bad input must get a 4xx JSON
// {"error": "..."}; the message view (parsed from the stored MIME by
// server/control/mime_read.c) is checked against mailparser's reading of
// the same raw message.

const { test } = require("node:test");
const assert = require("node:assert/strict");
const { simpleParser } = require("mailparser");
const { DEFAULT_ACCOUNT, sharedEmulator, withEmulator } = require("./lib/emulator");
const { b64, chinaClient, rawClient, rawRequest, sortedKeys } = require("./lib/clients");

const h = sharedEmulator();
const DATETIME_RE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const SUMMARY_KEYS = [
  "app_id",
  "attachments",
  "bcc",
  "cc",
  "created_at",
  "from",
  "id",
  "recipients",
  "relay",
  "reply_to",
  "status",
  "subject",
  "task_id",
  "template_id",
  "to",
];
const VIEW_KEYS = [...SUMMARY_KEYS, "headers", "html", "text"].sort();

// ---- helpers ----------------------------------------------------------------------------------

function get(path, emu = h.emu) {
  return rawRequest(emu, { path });
}

function post(path, body, emu = h.emu) {
  return rawRequest(emu, {
    method: "POST",
    path,
    headers: { "Content-Type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

// A 4xx answer with a JSON {"error": "..."} body.
function assertClientError(res, status, pattern) {
  assert.equal(res.status, status, `HTTP ${status} expected: ${res.status} ${res.text}`);
  assert.match(res.headers["content-type"], /^application\/json/);
  assert.deepEqual(Object.keys(res.json || {}), ["error"], res.text);
  assert.equal(typeof res.json.error, "string");
  if (pattern) assert.match(res.json.error, pattern);
}

function cstString(timestamp) {
  return new Date((timestamp + 8 * 3600) * 1000).toISOString().replace("T", " ").slice(0, 19);
}

async function resetClock(emu = h.emu) {
  const r = await post("/_emulator/clock", { reset: true }, emu);
  assert.equal(r.status, 200, r.text);
}

async function welcomeId(emu) {
  const r = await rawClient(emu).call("ListEmailTemplates", { Limit: 100, Offset: 0 });
  return r.TemplatesMetadata.find((m) => m.TemplateName === "welcome").TemplateID;
}

async function send(emu, over = {}) {
  const r = await chinaClient(emu).SendEmail({
    FromEmailAddress: `${DEFAULT_ACCOUNT.senderName} <${DEFAULT_ACCOUNT.sender}>`,
    Destination: ["user@example.net"],
    Template: { TemplateID: await welcomeId(emu), TemplateData: JSON.stringify({ name: "Ann" }) },
    Subject: "Hi {{name}}",
    ...over,
  });
  return r.MessageId;
}

async function view(emu, id) {
  const r = await get(`/_emulator/messages/${encodeURIComponent(id)}`, emu);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers["content-type"], "application/json");
  return r.json;
}

async function list(emu, query = "") {
  const r = await get(`/_emulator/messages${query}`, emu);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.json), ["messages"]);
  return r.json.messages;
}

// The raw bytes of GET /_emulator/messages/{id}/raw.
async function raw(emu, id) {
  const http = require("node:http");
  return new Promise((resolve, reject) => {
    http
      .get({ host: emu.host, port: emu.port, path: `/_emulator/messages/${encodeURIComponent(id)}/raw`, agent: false }, (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      })
      .on("error", reject);
  });
}

// ---- clock -------------------------------------------------------------------------------------

test("GET /_emulator/clock: now (CST), timestamp and offset 0 at start", async () => {
  await withEmulator({}, async (emu) => {
    const r = await get("/_emulator/clock", emu);
    assert.equal(r.status, 200);
    assert.equal(r.headers["content-type"], "application/json");
    assert.deepEqual(sortedKeys(r.json), ["now", "offset_seconds", "timestamp"]);
    assert.match(r.json.now, DATETIME_RE);
    assert.equal(r.json.offset_seconds, 0);
    assert.ok(Math.abs(r.json.timestamp - Date.now() / 1000) < 5);
    assert.equal(r.json.now, cstString(r.json.timestamp));
  });
});

test("POST /_emulator/clock {now}: sets the clock in CST; health and the API see it", async () => {
  try {
    const r = await post("/_emulator/clock", { now: "2021-01-01 09:43:34" });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.now, "2021-01-01 09:43:34");
    assert.equal(r.json.timestamp, 1609465414);
    assert.ok(Math.abs(r.json.offset_seconds - (1609465414 - Date.now() / 1000)) < 5);
    const again = await get("/_emulator/clock");
    assert.ok(again.json.timestamp - 1609465414 < 5);
    const health = await get("/_emulator/health");
    assert.equal(health.json.clock.slice(0, 10), "2021-01-01");
    await rawClient(h.emu).call("GetSendEmailStatus", { RequestDate: "2021-01-01", Offset: 0, Limit: 1 });
  } finally {
    await resetClock();
  }
});

test("POST /_emulator/clock {advance_seconds}: forwards and backwards", async () => {
  try {
    await post("/_emulator/clock", { now: "2024-02-28 23:00:00" });
    let r = await post("/_emulator/clock", { advance_seconds: 3600 });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.now.slice(0, 13), "2024-02-29 00");
    r = await post("/_emulator/clock", { advance_seconds: 86400 * 2 });
    assert.equal(r.json.now.slice(0, 13), "2024-03-02 00");
    r = await post("/_emulator/clock", { advance_seconds: -86400 * 3 });
    assert.equal(r.json.now.slice(0, 13), "2024-02-28 00");
    r = await post("/_emulator/clock", { advance_seconds: 0 });
    assert.equal(r.status, 200);
  } finally {
    await resetClock();
  }
});

test("POST /_emulator/clock {reset: true}: back to real time, offset 0", async () => {
  await post("/_emulator/clock", { advance_seconds: 86400 * 365 });
  const r = await post("/_emulator/clock", { reset: true });
  assert.equal(r.status, 200);
  assert.equal(r.json.offset_seconds, 0);
  assert.ok(Math.abs(r.json.timestamp - Date.now() / 1000) < 5);
});

test("POST /_emulator/clock: bad bodies get 400 and leave the clock alone", async () => {
  const bad = [
    ["", /JSON object/],
    ["not json", /JSON object/],
    ["[]", /JSON object/],
    ["{}", /exactly one/],
    [{ now: "2021-01-01 00:00:00", advance_seconds: 1 }, /exactly one/],
    [{ later: 1 }, /unknown member "later"/],
    [{ now: "2021-02-29 00:00:00" }, /YYYY-MM-DD HH:MM:SS/],
    [{ now: "2021-01-01T00:00:00" }, /YYYY-MM-DD HH:MM:SS/],
    [{ now: "2021-01-01 24:00:00" }, /YYYY-MM-DD HH:MM:SS/],
    [{ now: 1609465414 }, /YYYY-MM-DD HH:MM:SS/],
    [{ now: "1970-01-01 07:59:59" }, /1970/],
    [{ advance_seconds: 1.5 }, /integer/],
    [{ advance_seconds: "60" }, /integer/],
    [{ advance_seconds: null }, /integer/],
    [{ advance_seconds: 1e15 }, /integer/],
    [{ advance_seconds: -1e11 }, /outside/],
    [{ advance_seconds: 253000000000 }, /outside/],
    [{ reset: false }, /true/],
  ];
  const before = (await get("/_emulator/clock")).json.offset_seconds;
  for (const [body, pattern] of bad) {
    const r = await post("/_emulator/clock", body);
    assertClientError(r, 400, pattern);
  }
  assert.equal((await get("/_emulator/clock")).json.offset_seconds, before);
});

test("/_emulator/clock: other methods get 405", async () => {
  for (const method of ["PUT", "DELETE", "PATCH"]) {
    const r = await rawRequest(h.emu, { method, path: "/_emulator/clock" });
    assertClientError(r, 405, /GET or POST/);
  }
});

// ---- messages without mail --------------------------------------------------------------------

test("GET /_emulator/messages on a new emulator: an empty list; DELETE deletes 0", async () => {
  await withEmulator({}, async (emu) => {
    assert.deepEqual(await list(emu), []);
    const r = await rawRequest(emu, { method: "DELETE", path: "/_emulator/messages" });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { deleted: 0 });
    assert.deepEqual(await list(emu, "/"), []);
  });
});

test("GET /_emulator/messages/{id} and /raw: 404 JSON for an unknown id", async () => {
  assertClientError(await get("/_emulator/messages/qcloudses-30-1-date-20210101094334-nothere00000"), 404, /no message/);
  assertClientError(await get("/_emulator/messages/nothere/raw"), 404, /no message/);
  assertClientError(await get("/_emulator/messages/nothere/other"), 404);
  assertClientError(await get("/_emulator/messages/a/raw/more"), 404);
  assertClientError(await get(`/_emulator/messages/${"x".repeat(300)}`), 404);
  assertClientError(await get("/_emulator/messagesx"), 404);
});

test("/_emulator/messages: wrong methods get 405", async () => {
  assertClientError(await rawRequest(h.emu, { method: "PUT", path: "/_emulator/messages" }), 405, /GET or DELETE/);
  assertClientError(await post("/_emulator/messages", {}), 405);
  assertClientError(await rawRequest(h.emu, { method: "DELETE", path: "/_emulator/messages/abc" }), 405, /GET/);
});

test("GET /_emulator/messages: bad query parameters get 400", async () => {
  const bad = [
    ["?limit=0", /limit/],
    ["?limit=1001", /limit/],
    ["?limit=ten", /limit/],
    ["?limit=", /limit/],
    ["?limit=-1", /limit/],
    ["?task_id=0", /task_id/],
    ["?app_id=abc", /app_id/],
    ["?recipient=a@b.c", /unknown query parameter "recipient"/],
    [`?subject=${"s".repeat(600)}`, /too long/],
  ];
  for (const [query, pattern] of bad) assertClientError(await get(`/_emulator/messages${query}`), 400, pattern);
  assert.deepEqual(await list(h.emu, "?limit=1000&to=&from=&subject="), await list(h.emu));
});

// ---- messages with mail --------------------------------------------------------------------------

test("GET /_emulator/messages/{id}: the full view of a template send", async () => {
  await withEmulator({}, async (emu) => {
    const id = await send(emu);
    const v = await view(emu, id);
    assert.deepEqual(sortedKeys(v), VIEW_KEYS);
    assert.equal(v.id, id);
    assert.equal(v.app_id, DEFAULT_ACCOUNT.appId);
    assert.equal(v.from, DEFAULT_ACCOUNT.sender);
    assert.deepEqual(v.to, ["user@example.net"]);
    assert.deepEqual(v.cc, []);
    assert.deepEqual(v.bcc, []);
    assert.equal(v.reply_to, "");
    assert.equal(v.subject, "Hi Ann");
    assert.equal(v.text, "Hi Ann");
    assert.equal(v.html, "<p>Hi Ann</p>");
    assert.equal(v.headers.Subject, "Hi Ann");
    assert.match(v.headers.From, /noreply@example\.com/);
    assert.equal(v.headers.To, "user@example.net");
    assert.match(v.headers["Content-Type"], /^multipart\/alternative/);
    assert.deepEqual(v.attachments, []);
    assert.equal(v.template_id, await welcomeId(emu));
    assert.equal(v.task_id, null);
    assert.match(v.created_at, DATETIME_RE);
    assert.equal(v.status, "delivered");
    assert.deepEqual(v.recipients, [
      { address: "user@example.net", send_status: 0, deliver_status: 1, deliver_message: v.recipients[0].deliver_message, outcome: "delivered" },
    ]);
  });
});

test("GET /_emulator/messages/{id}/raw: the stored message as message/rfc822", async () => {
  await withEmulator({}, async (emu) => {
    const id = await send(emu);
    const r = await raw(emu, id);
    assert.equal(r.status, 200);
    assert.equal(r.headers["content-type"], "message/rfc822");
    const text = r.body.toString("utf8");
    assert.match(text, /^Date: /);
    assert.match(text, /\r\nSubject: Hi Ann\r\n/);
    assert.equal(Number(r.headers["content-length"]), r.body.length);
  });
});

test("the message view agrees with mailparser: non-ASCII subject, names, text and HTML, Cc, Reply-To", async () => {
  await withEmulator({}, async (emu) => {
    const id = await send(emu, {
      FromEmailAddress: `Équipe 示例 <${DEFAULT_ACCOUNT.sender}>`,
      Destination: ["a@example.net", "b@example.net"],
      Cc: ["c@example.net"],
      Bcc: ["hidden@example.net"],
      ReplyToAddresses: "replies@example.com",
      Subject: "你好 {{name}} — café ✓ ".repeat(3).trim(),
      Template: { TemplateID: await welcomeId(emu), TemplateData: JSON.stringify({ name: "Zoë 😀" }) },
    });
    const v = await view(emu, id);
    const mail = await simpleParser((await raw(emu, id)).body);
    assert.equal(v.headers.Subject, mail.subject);
    assert.equal(v.subject, mail.subject);
    assert.equal(v.text, mail.text.replace(/\n$/, ""));
    assert.equal(v.html, mail.html.replace(/\n$/, ""));
    assert.equal(v.text, "Hi Zoë 😀");
    assert.match(v.headers.From, /^"?Équipe 示例"? <noreply@example\.com>$/);
    assert.deepEqual(v.to, ["a@example.net", "b@example.net"]);
    assert.deepEqual(v.cc, ["c@example.net"]);
    assert.deepEqual(v.bcc, ["hidden@example.net"]);
    assert.equal(v.headers.Bcc, undefined);
    assert.equal(v.reply_to, "replies@example.com");
    assert.equal(v.headers["Reply-To"], "replies@example.com");
    assert.deepEqual(v.recipients.map((r) => r.address).sort(), ["a@example.net", "b@example.net", "c@example.net", "hidden@example.net"]);
  });
});

test("the message view of Simple content with an attachment: text, html, attachments", async () => {
  await withEmulator({}, async (emu) => {
    const id = await send(emu, {
      Template: undefined,
      Simple: { Html: b64("<h1>Report</h1>\n<p>Attached.</p>"), Text: b64("Report\nAttached.\n") },
      Subject: "Report",
      Attachments: [{ FileName: "data.csv", Content: b64("a,b\n1,2\n") }],
    });
    const v = await view(emu, id);
    assert.equal(v.text, "Report\nAttached.\n");
    assert.equal(v.html, "<h1>Report</h1>\n<p>Attached.</p>");
    assert.equal(v.template_id, null);
    assert.equal(v.attachments.length, 1);
    assert.equal(v.attachments[0].file_name, "data.csv");
    assert.equal(v.attachments[0].size, 8);
    assert.match(v.headers["Content-Type"], /^multipart\/mixed/);
  });
});

test("message status is the worst recipient outcome: bounced, rejected, delayed", async () => {
  await withEmulator({}, async (emu) => {
    const cases = [
      [["bounce@ses-simulator.test"], "bounced"],
      [["reject@ses-simulator.test"], "rejected"],
      [["delay@ses-simulator.test"], "delayed"],
      [["open@ses-simulator.test", "click@ses-simulator.test"], "delivered"],
      [["user@example.net", "delay@ses-simulator.test", "reject2@ses-simulator.test"], "delayed"],
    ];
    for (const [to, want] of cases) {
      const id = await send(emu, { Destination: to });
      const v = await view(emu, id);
      assert.equal(v.status, want, `${to.join(", ")}: ${JSON.stringify(v.recipients)}`);
    }
    const mixed = await view(emu, await send(emu, { Destination: ["delay@ses-simulator.test", "bounce+x@ses-simulator.test"] }));
    assert.equal(mixed.status, "bounced");
    assert.deepEqual(
      mixed.recipients.map((r) => [r.address, r.outcome, r.deliver_status]),
      [
        ["delay@ses-simulator.test", "delayed", 8],
        ["bounce+x@ses-simulator.test", "bounced", 3],
      ],
    );
  });
});

test("GET /_emulator/messages: newest first, summaries without bodies, every filter, limit", async () => {
  await withEmulator({}, async (emu) => {
    const first = await send(emu, { Destination: ["first@example.net"], Subject: "Alpha {{name}}" });
    const second = await send(emu, { Destination: ["Second@Example.net"], Cc: ["cc@example.net"], Subject: "Beta {{name}}" });
    const third = await send(emu, { Destination: ["third@example.net"], Subject: "Gamma" });
    const all = await list(emu);
    assert.deepEqual(all.map((m) => m.id), [third, second, first]);
    for (const m of all) assert.deepEqual(sortedKeys(m), SUMMARY_KEYS);
    assert.equal(all[1].subject, "Beta Ann");
    assert.equal(all[1].status, "delivered");
    const ids = async (q) => (await list(emu, q)).map((m) => m.id);
    assert.deepEqual(await ids("?to=second@example.net"), [second]);
    assert.deepEqual(await ids("?to=SECOND%40EXAMPLE.NET"), [second]);
    assert.deepEqual(await ids("?to=cc@example.net"), [second]);
    assert.deepEqual(await ids("?to=second"), []);
    assert.deepEqual(await ids("?from=NOREPLY@example.com&limit=2"), [third, second]);
    assert.deepEqual(await ids("?from=other@example.com"), []);
    assert.deepEqual(await ids("?subject=eta+A"), [second]);
    assert.deepEqual(await ids("?subject=a"), [third, second, first]);
    assert.deepEqual(await ids(`?app_id=${DEFAULT_ACCOUNT.appId}&limit=1`), [third]);
    assert.deepEqual(await ids("?app_id=1"), []);
    assert.deepEqual(await ids("?task_id=12345"), []);
    assert.deepEqual(await ids("?limit=1000"), [third, second, first]);
  });
});

test("DELETE /_emulator/messages: the count, then an empty list and 404 for the old ids", async () => {
  await withEmulator({}, async (emu) => {
    const a = await send(emu);
    await send(emu, { Destination: ["x@example.net", "y@example.net"] });
    const r = await rawRequest(emu, { method: "DELETE", path: "/_emulator/messages" });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { deleted: 2 });
    assert.deepEqual(await list(emu), []);
    assertClientError(await get(`/_emulator/messages/${a}`, emu), 404);
    assert.ok(await send(emu), "sending still works after a delete");
    assert.equal((await list(emu)).length, 1);
  });
});

test("created_at and the MessageId date follow the emulator's clock", async () => {
  await withEmulator({}, async (emu) => {
    await post("/_emulator/clock", { now: "2022-06-15 12:34:56" }, emu);
    const id = await send(emu);
    const v = await view(emu, id);
    assert.match(v.created_at, /^2022-06-15 12:3[4-5]:\d\d$/);
    assert.match(id, /-date-2022061512/);
  });
});
