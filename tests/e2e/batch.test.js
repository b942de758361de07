"use strict";
// Batch tasks: BatchSendEmail (immediate, scheduled, recurring) to fixture
// recipient groups, the background fan-out seen through ListSendTasks and
// /_emulator/messages?task_id=N, time travel with POST /_emulator/clock, and
// one test per BatchSendEmail / ListSendTasks error code (docs/errors.md,
// section "Batch tasks", lists each trigger).

const { test } = require("node:test");
const assert = require("node:assert/strict");
const { sharedEmulator, withEmulator } = require("./lib/emulator");
const { b64, chinaClient, expectError, rawClient, rawRequest, sortedKeys } = require("./lib/clients");

const CRED = { secretId: "AKIDBATCHTESTACCOUNT00", secretKey: "batch-test-account-key" };
const NO_SIMPLE_CRED = { secretId: "AKIDBATCHNOSIMPLE00000", secretKey: "batch-no-simple-key" };
const APP_ID = 1300000002;
const SENDER = "noreply@example.com";
const UNKNOWN_ID = 987654321;
const MIB = 1024 * 1024;
const DATETIME_RE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const TASK_KEYS = [
  "CacheCount",
  "CreateTime",
  "CycleParam",
  "ErrMsg",
  "FromEmailAddress",
  "ReceiverId",
  "ReceiversName",
  "RequestCount",
  "SendCount",
  "Subject",
  "TaskId",
  "TaskStatus",
  "TaskType",
  "Template",
  "TimedParam",
  "UpdateTime",
];
const WAIT_MS = 15_000;

const FRIENDS = [
  { email: "ann@example.net", data: { name: "Ann" } },
  { email: "ben@example.net", data: { name: "Ben" } },
  { email: "cat@example.net", data: { name: "Cat" } },
];

const FIXTURE = {
  accounts: [
    {
      app_id: APP_ID,
      uin: "100000000002",
      allow_simple: true,
      credentials: [{ secret_id: CRED.secretId, secret_key: CRED.secretKey }],
      identities: [
        { domain: "example.com", verified: true },
        { domain: "unverified.example", verified: false },
      ],
      senders: [
        { address: SENDER, name: "Example" },
        { address: "waiting@example.com", status: "pending" },
        { address: "sender@unverified.example" },
      ],
      templates: [
        { name: "welcome", html: "<p>Hi {{name}}</p>", text: "Hi {{name}}" },
        { name: "city", html: "<p>Hi {{name}} in {{city}}</p>", text: "Hi {{name}} in {{city}}" },
        { name: "plain", html: "<p>Hello everyone</p>", text: "Hello everyone" },
        { name: "waiting", text: "wait {{name}}", status: "pending" },
        { name: "refused", text: "no {{name}}", status: "rejected" },
      ],
      receivers: [
        { name: "friends", description: "three members with data", members: FRIENDS },
        { name: "no-data", members: [{ email: "x@example.net" }, { email: "y@example.net" }] },
        {
          name: "with-bounce",
          members: [
            { email: "bounce@ses-simulator.test", data: { name: "Bo" } },
            { email: "fine@example.net", data: { name: "Fine" } },
          ],
        },
        {
          name: "typed-values",
          members: [
            { email: "num@example.net", data: { name: 42 } },
            { email: "bool@example.net", data: { name: true } },
            { email: "null@example.net", data: { name: null } },
          ],
        },
        { name: "empty-fixture", members: [] },
        { name: "invalid-only", members: [{ email: "not-an-address" }] },
      ],
    },
    {
      app_id: 1300000003,
      uin: "100000000003",
      credentials: [{ secret_id: NO_SIMPLE_CRED.secretId, secret_key: NO_SIMPLE_CRED.secretKey }],
      identities: [{ domain: "example.org", verified: true }],
      senders: [{ address: "sender@example.org" }],
      templates: [{ name: "welcome", text: "Hi {{name}}" }],
      receivers: [{ name: "org-friends", members: [{ email: "o@example.net", data: { name: "O" } }] }],
    },
  ],
};

const h = sharedEmulator({ fixtures: FIXTURE });
const api = (emu = h.emu) => rawClient(emu, CRED);
const sdk = (emu = h.emu) => chinaClient(emu, CRED);

// ---- helpers -------------------------------------------------------------------------------

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Seconds since the epoch → "YYYY-MM-DD HH:MM:SS" in China Standard Time.
function cst(seconds) {
  return new Date((seconds + 8 * 3600) * 1000).toISOString().replace("T", " ").slice(0, 19);
}

async function clockNow(emu) {
  const r = await rawRequest(emu, { path: "/_emulator/clock" });
  assert.equal(r.status, 200, r.text);
  return r.json.timestamp;
}

async function advanceClock(emu, seconds) {
  const r = await rawRequest(emu, {
    method: "POST",
    path: "/_emulator/clock",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ advance_seconds: seconds }),
  });
  assert.equal(r.status, 200, `POST /_emulator/clock: ${r.text}`);
  return r.json;
}

async function groupId(name, client = api()) {
  const r = await client.call("ListReceivers", { Offset: 0, Limit: 100 });
  const g = r.Data.find((x) => x.ReceiversName === name);
  assert.ok(g, `group ${name} listed`);
  return g.ReceiverId;
}

async function templateId(name, client = api()) {
  const r = await client.call("ListEmailTemplates", { Offset: 0, Limit: 100 });
  const t = r.TemplatesMetadata.find((x) => x.TemplateName === name);
  assert.ok(t, `template ${name} listed`);
  return t.TemplateID;
}

// A valid BatchSendEmail request to `group` with template `template`; overrides applied
// (a key set to undefined is removed).
async function request(over = {}, { group = "friends", template = "welcome", client = api() } = {}) {
  const params = {
    FromEmailAddress: SENDER,
    ReceiverId: await groupId(group, client),
    Subject: "Hello {{name}}",
    TaskType: 1,
    Template: { TemplateID: await templateId(template, client), TemplateData: "{}" },
    ...over,
  };
  for (const k of Object.keys(params)) if (params[k] === undefined) delete params[k];
  return params;
}

async function task(id, emu = h.emu, client = api(emu)) {
  const r = await client.call("ListSendTasks", { Offset: 0, Limit: 100 });
  const t = r.Data.find((x) => x.TaskId === id);
  assert.ok(t, `task ${id} listed`);
  return t;
}

// Polls ListSendTasks until pred(task) holds; returns the task.
async function waitTask(id, pred, what, emu = h.emu, client = api(emu)) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const t = await task(id, emu, client);
    if (pred(t)) return t;
    assert.ok(Date.now() < deadline, `task ${id} never became ${what}: ${JSON.stringify(t)}`);
    await sleep(50);
  }
}

const done = (id, emu, client) => waitTask(id, (t) => t.TaskStatus === 10, "done (10)", emu, client);

async function messagesOf(taskId, emu = h.emu) {
  const r = await rawRequest(emu, { path: `/_emulator/messages?task_id=${taskId}&limit=1000` });
  assert.equal(r.status, 200, r.text);
  return r.json.messages;
}

async function message(id, emu = h.emu) {
  const r = await rawRequest(emu, { path: `/_emulator/messages/${encodeURIComponent(id)}` });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

// Polls the messages of a task until there are `count`; returns them.
async function waitMessages(taskId, count, emu = h.emu) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const list = await messagesOf(taskId, emu);
    if (list.length >= count) return list;
    assert.ok(Date.now() < deadline, `task ${taskId} has ${list.length} messages, expected ${count}`);
    await sleep(50);
  }
}

async function send(params, client = api()) {
  return (await client.call("BatchSendEmail", params)).TaskId;
}

// ---- immediate tasks ---------------------------------------------------------------------------

test("BatchSendEmail (China SDK) to a fixture group: TaskId; done (10) with counts; one rendered message per member", async () => {
  const r = await sdk().BatchSendEmail(await request({ FromEmailAddress: `Example Team <${SENDER}>` }));
  assert.deepEqual(sortedKeys(r), ["RequestId", "TaskId"]);
  assert.ok(Number.isInteger(r.TaskId) && r.TaskId > 0);
  const t = await done(r.TaskId);
  assert.equal(t.TaskType, 1);
  assert.equal(t.RequestCount, 3);
  assert.equal(t.SendCount, 3);
  assert.equal(t.CacheCount, 0);
  assert.equal(t.ReceiversName, "friends");
  assert.equal(t.ReceiverId, await groupId("friends"));
  assert.equal(t.Subject, "Hello {{name}}");
  assert.equal(t.ErrMsg, "");
  const list = await messagesOf(r.TaskId);
  assert.equal(list.length, 3);
  const byTo = Object.fromEntries(list.map((m) => [m.to[0], m]));
  for (const { email, data } of FRIENDS) {
    const m = byTo[email];
    assert.ok(m, `a message to ${email}`);
    assert.deepEqual(m.to, [email]);
    assert.equal(m.task_id, r.TaskId);
    assert.equal(m.app_id, APP_ID);
    assert.equal(m.subject, `Hello ${data.name}`);
    assert.equal(m.from, SENDER);
    assert.match(m.id, new RegExp(`^qcloudses-30-${APP_ID}-date-\\d{14}-[A-Za-z0-9]{12}$`));
    const full = await message(m.id);
    assert.equal(full.text, `Hi ${data.name}`);
    assert.equal(full.html, `<p>Hi ${data.name}</p>`);
    assert.equal(full.headers.From, `"Example Team" <${SENDER}>`);
  }
});

test("ListSendTasks: the exact SendTaskData shape of an immediate task (CycleParam and TimedParam null)", async () => {
  const params = await request({ Template: { TemplateID: await templateId("welcome"), TemplateData: '{"name":"ignored"}' } });
  const id = await send(params);
  const t = await done(id);
  assert.deepEqual(sortedKeys(t), TASK_KEYS);
  assert.equal(t.TaskId, id);
  assert.equal(t.FromEmailAddress, SENDER);
  assert.deepEqual(t.Template, { TemplateID: params.Template.TemplateID, TemplateData: '{"name":"ignored"}' });
  assert.equal(t.CycleParam, null);
  assert.equal(t.TimedParam, null);
  assert.match(t.CreateTime, DATETIME_RE);
  assert.match(t.UpdateTime, DATETIME_RE);
  assert.ok(t.UpdateTime >= t.CreateTime);
  const r = await api().call("ListSendTasks", { Offset: 0, Limit: 10 });
  assert.deepEqual(sortedKeys(r), ["Data", "RequestId", "TotalCount"]);
});

test("BatchSendEmail: a member's own data wins over Template.TemplateData", async () => {
  // friends' members all have {"name": ...}: TemplateData is only the fallback.
  const id = await send(await request({ Template: { TemplateID: await templateId("welcome"), TemplateData: '{"name":"Z"}' } }));
  await done(id);
  const subjects = (await messagesOf(id)).map((m) => m.subject).sort();
  assert.deepEqual(subjects, ["Hello Ann", "Hello Ben", "Hello Cat"]);
});

test("BatchSendEmail to a group without data: every member renders Template.TemplateData", async () => {
  const id = await send(
    await request(
      { Subject: "News for {{name}}", Template: { TemplateID: await templateId("welcome"), TemplateData: '{"name":"all"}' } },
      { group: "no-data" },
    ),
  );
  const t = await done(id);
  assert.equal(t.RequestCount, 2);
  assert.equal(t.SendCount, 2);
  const list = await messagesOf(id);
  assert.deepEqual(list.map((m) => m.to[0]).sort(), ["x@example.net", "y@example.net"]);
  for (const m of list) {
    assert.equal(m.subject, "News for all");
    assert.equal((await message(m.id)).text, "Hi all");
  }
});

test("BatchSendEmail with a template without variables and empty TemplateData", async () => {
  const id = await send(await request({ Subject: "Plain news", Template: { TemplateID: await templateId("plain"), TemplateData: "" } }, { group: "no-data" }));
  await done(id);
  const list = await messagesOf(id);
  assert.equal(list.length, 2);
  assert.equal((await message(list[0].id)).text, "Hello everyone");
});

test("BatchSendEmail ADLocation 1 and 2: <AD> before or after the rendered subject", async () => {
  const before = await send(await request({ ADLocation: 1 }));
  const after = await send(await request({ ADLocation: 2 }));
  const none = await send(await request({ ADLocation: 0 }));
  await done(before);
  await done(after);
  await done(none);
  assert.deepEqual((await messagesOf(before)).map((m) => m.subject).sort(), ["<AD>Hello Ann", "<AD>Hello Ben", "<AD>Hello Cat"]);
  assert.deepEqual((await messagesOf(after)).map((m) => m.subject).sort(), ["Hello Ann<AD>", "Hello Ben<AD>", "Hello Cat<AD>"]);
  assert.deepEqual((await messagesOf(none)).map((m) => m.subject).sort(), ["Hello Ann", "Hello Ben", "Hello Cat"]);
  // The task keeps the subject as given.
  assert.equal((await task(before)).Subject, "Hello {{name}}");
});

test("BatchSendEmail Unsubscribe \"2\" and ReplyToAddresses reach every message", async () => {
  const id = await send(await request({ Unsubscribe: "2", ReplyToAddresses: "replies@example.com" }));
  await done(id);
  for (const m of await messagesOf(id)) {
    assert.equal(m.reply_to, "replies@example.com");
    const full = await message(m.id);
    assert.match(full.text, /To stop receiving these emails, unsubscribe here: http:\/\/\S+\/_emulator\/unsubscribe\//);
    assert.match(full.html, /<a href="[^"]+\/_emulator\/unsubscribe\/[^"]+"[^>]*>To stop receiving these emails/);
    assert.ok(full.headers["List-Unsubscribe"], "List-Unsubscribe header");
    assert.equal(full.headers["Reply-To"], "replies@example.com");
  }
});

test("BatchSendEmail with Simple (allow_simple account): every member gets the bodies as given", async () => {
  const id = await send(
    await request({ Template: undefined, Subject: "Simple news", Simple: { Html: b64("<b>news</b>"), Text: b64("news") } }),
  );
  const t = await done(id);
  assert.equal(t.SendCount, 3);
  assert.equal(t.Template.TemplateID, 0);
  const list = await messagesOf(id);
  assert.equal(list.length, 3);
  for (const m of list) {
    assert.equal(m.subject, "Simple news");
    assert.equal(m.template_id, null);
    const full = await message(m.id);
    assert.equal(full.text, "news");
    assert.equal(full.html, "<b>news</b>");
  }
});

test("BatchSendEmail: a blacklisted member is dropped with SendStatus 1007; the others are sent", async () => {
  // Put bounce@ses-simulator.test on the bounce blacklist first.
  await api().call("SendEmail", {
    FromEmailAddress: SENDER,
    Destination: ["bounce@ses-simulator.test"],
    Subject: "first",
    Template: { TemplateID: await templateId("welcome"), TemplateData: '{"name":"x"}' },
  });
  const id = await send(await request({}, { group: "with-bounce" }));
  const t = await done(id);
  assert.equal(t.RequestCount, 2);
  assert.equal(t.SendCount, 1, "the blacklisted member is not counted as sent");
  const list = await messagesOf(id);
  const fine = list.find((m) => m.to[0] === "fine@example.net");
  assert.ok(fine, "the other member is sent");
  assert.equal(fine.status, "delivered");
  const bounced = list.find((m) => m.to[0] === "bounce@ses-simulator.test");
  assert.ok(bounced, "the blacklisted member's outcome is recorded");
  const full = await message(bounced.id);
  assert.equal(full.recipients.length, 1);
  assert.equal(full.recipients[0].send_status, 1007);
  assert.notEqual(full.recipients[0].deliver_status, 1, "not delivered");
});

test("BatchSendEmail: member data with a number or a boolean renders; a null value is recorded with SendStatus 3010", async () => {
  // Fixture members (like CreateReceiverDetailWithData) may hold numbers, booleans and null.
  const id = await send(await request({}, { group: "typed-values" }));
  const t = await done(id);
  assert.equal(t.RequestCount, 3);
  assert.equal(t.SendCount, 2, "the member whose data cannot render is not counted as sent");
  const list = await messagesOf(id);
  assert.equal(list.length, t.RequestCount, "one message (sent or failed) per member counted in RequestCount");
  const by = Object.fromEntries(list.map((m) => [m.to[0], m]));
  assert.equal(by["num@example.net"].subject, "Hello 42");
  assert.equal(by["bool@example.net"].subject, "Hello true");
  assert.equal((await message(by["bool@example.net"].id)).text, "Hi true");
  const failed = await message(by["null@example.net"].id);
  assert.equal(failed.recipients.length, 1);
  assert.equal(failed.recipients[0].send_status, 3010);
  assert.notEqual(failed.recipients[0].deliver_status, 1, "not delivered");
});

// ---- scheduled and recurring tasks (own emulators: they move the clock) --------------------------------

test("BatchSendEmail TaskType 2: stays to-start (1) until the clock passes BeginTime, then done (10)", async () => {
  await withEmulator({ fixtures: FIXTURE }, async (emu) => {
    const now = await clockNow(emu);
    const begin = cst(now + 3600);
    const id = await send(await request({ TaskType: 2, TimedParam: { BeginTime: begin } }, { client: api(emu) }), api(emu));
    await sleep(600); // the scheduler looks every 200 ms
    let t = await task(id, emu);
    assert.equal(t.TaskStatus, 1);
    assert.equal(t.TaskType, 2);
    assert.deepEqual(t.TimedParam, { BeginTime: begin });
    assert.equal(t.CycleParam, null);
    assert.equal((await messagesOf(id, emu)).length, 0);
    await advanceClock(emu, 3601);
    t = await done(id, emu);
    assert.equal(t.SendCount, 3);
    assert.equal((await messagesOf(id, emu)).length, 3);
  });
});

test("BatchSendEmail TaskType 3 (IntervalTime 1): runs at BeginTime, again an hour later", async () => {
  await withEmulator({ fixtures: FIXTURE }, async (emu) => {
    const now = await clockNow(emu);
    const begin = cst(now + 60);
    const id = await send(
      await request({ TaskType: 3, CycleParam: { BeginTime: begin, IntervalTime: 1 } }, { client: api(emu) }),
      api(emu),
    );
    let t = await task(id, emu);
    assert.equal(t.TaskType, 3);
    assert.deepEqual(t.CycleParam, { BeginTime: begin, IntervalTime: 1, TermCycle: 0 });
    assert.equal(t.TimedParam, null);
    await sleep(400);
    assert.equal((await task(id, emu)).TaskStatus, 1, "not started before BeginTime");
    assert.equal((await messagesOf(id, emu)).length, 0);
    await advanceClock(emu, 60);
    await waitMessages(id, 3, emu);
    await sleep(400);
    assert.equal((await messagesOf(id, emu)).length, 3, "one run only until the next slot");
    t = await task(id, emu);
    assert.notEqual(t.TaskStatus, 10, "a recurring task is not done after a run");
    assert.equal(t.SendCount, 3);
    await advanceClock(emu, 3600);
    const list = await waitMessages(id, 6, emu);
    assert.equal(list.length, 6);
    const perMember = {};
    for (const m of list) perMember[m.to[0]] = (perMember[m.to[0]] || 0) + 1;
    assert.deepEqual(perMember, { "ann@example.net": 2, "ben@example.net": 2, "cat@example.net": 2 });
  });
});

test("BatchSendEmail TaskType 3 with TermCycle 1: runs once only", async () => {
  await withEmulator({ fixtures: FIXTURE }, async (emu) => {
    const now = await clockNow(emu);
    const begin = cst(now + 60);
    const id = await send(
      await request({ TaskType: 3, CycleParam: { BeginTime: begin, IntervalTime: 1, TermCycle: 1 } }, { client: api(emu) }),
      api(emu),
    );
    await advanceClock(emu, 60);
    const t = await done(id, emu);
    assert.deepEqual(t.CycleParam, { BeginTime: begin, IntervalTime: 1, TermCycle: 1 });
    assert.equal((await messagesOf(id, emu)).length, 3);
    await advanceClock(emu, 3600 * 3);
    await sleep(600);
    assert.equal((await messagesOf(id, emu)).length, 3, "no second run");
    assert.equal((await task(id, emu)).TaskStatus, 10);
  });
});

test("BatchSendEmail with --send-limits on: paused today (6) when the daily quota runs out; resumes after CST midnight", async () => {
  const fixture = structuredClone(FIXTURE);
  fixture.accounts[0].daily_quota = 2;
  await withEmulator({ fixtures: fixture, args: ["--send-limits", "on"] }, async (emu) => {
    const id = await send(await request({}, { client: api(emu) }), api(emu));
    let t = await waitTask(id, (x) => x.TaskStatus === 6, "paused today (6)", emu);
    assert.equal(t.RequestCount, 3);
    assert.equal(t.SendCount, 2);
    assert.equal((await messagesOf(id, emu)).length, 2);
    const now = await clockNow(emu);
    const local = now + 8 * 3600;
    const toMidnight = 86400 - (local % 86400);
    await advanceClock(emu, toMidnight + 5);
    t = await done(id, emu);
    assert.equal(t.SendCount, 3);
    assert.equal((await messagesOf(id, emu)).length, 3);
  });
});

test("BatchSendEmail: a scheduled task whose template was deleted ends in error (7) with ErrMsg", async () => {
  await withEmulator({ fixtures: FIXTURE }, async (emu) => {
    const c = api(emu);
    const { TemplateID } = await c.call("CreateEmailTemplate", {
      TemplateName: "short-lived",
      TemplateContent: { Text: b64("Hi {{name}}") },
    });
    const begin = cst((await clockNow(emu)) + 600);
    const id = await send(
      await request({ TaskType: 2, TimedParam: { BeginTime: begin }, Template: { TemplateID, TemplateData: "{}" } }, { client: c }),
      c,
    );
    await c.call("DeleteEmailTemplate", { TemplateID });
    await advanceClock(emu, 601);
    const t = await waitTask(id, (x) => x.TaskStatus === 7, "error (7)", emu);
    assert.ok(t.ErrMsg.length > 0, "ErrMsg says why");
    assert.equal(t.SendCount, 0);
    assert.equal((await messagesOf(id, emu)).length, 0);
  });
});

test("BatchSendEmail: a scheduled task whose group was deleted ends in error (7) with ErrMsg", async () => {
  await withEmulator({ fixtures: FIXTURE }, async (emu) => {
    const c = api(emu);
    const begin = cst((await clockNow(emu)) + 600);
    const id = await send(await request({ TaskType: 2, TimedParam: { BeginTime: begin } }, { client: c }), c);
    await c.call("DeleteReceiver", { ReceiverId: await groupId("friends", c) });
    await advanceClock(emu, 601);
    const t = await waitTask(id, (x) => x.TaskStatus === 7, "error (7)", emu);
    assert.ok(t.ErrMsg.length > 0, "ErrMsg says why");
    assert.equal((await messagesOf(id, emu)).length, 0);
  });
});

// ---- ListSendTasks ------------------------------------------------------------------------------------

test("ListSendTasks filters by Status, ReceiverId and TaskType", async () => {
  await withEmulator({ fixtures: FIXTURE }, async (emu) => {
    const c = api(emu);
    const friends = await groupId("friends", c);
    const noData = await groupId("no-data", c);
    const now = await clockNow(emu);
    const a = await send(await request({}, { client: c }), c);
    const b = await send(await request({ Template: { TemplateID: await templateId("welcome", c), TemplateData: '{"name":"n"}' } }, { group: "no-data", client: c }), c);
    const s = await send(await request({ TaskType: 2, TimedParam: { BeginTime: cst(now + 7200) } }, { client: c }), c);
    await done(a, emu);
    await done(b, emu);
    const ids = async (filter) => {
      const r = await c.call("ListSendTasks", { Offset: 0, Limit: 100, ...filter });
      assert.equal(r.TotalCount, r.Data.length);
      return r.Data.map((t) => t.TaskId).sort((x, y) => x - y);
    };
    assert.deepEqual(await ids({}), [a, b, s]);
    assert.deepEqual(await ids({ Status: 10 }), [a, b]);
    assert.deepEqual(await ids({ Status: 1 }), [s]);
    assert.deepEqual(await ids({ Status: 5 }), []);
    assert.deepEqual(await ids({ ReceiverId: friends }), [a, s]);
    assert.deepEqual(await ids({ ReceiverId: noData }), [b]);
    assert.deepEqual(await ids({ TaskType: 2 }), [s]);
    assert.deepEqual(await ids({ TaskType: 1, ReceiverId: friends }), [a]);
    assert.deepEqual(await ids({ TaskType: 3 }), []);
    // Tasks of another account are never listed.
    const other = rawClient(emu, NO_SIMPLE_CRED);
    assert.equal((await other.call("ListSendTasks", { Offset: 0, Limit: 100 })).TotalCount, 0);
  });
});

test("ListSendTasks pages with Offset and Limit", async () => {
  await withEmulator({ fixtures: FIXTURE }, async (emu) => {
    const c = api(emu);
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await send(await request({}, { client: c }), c));
    const seen = [];
    for (let off = 0; off < 5; off += 2) {
      const page = await c.call("ListSendTasks", { Offset: off, Limit: 2 });
      assert.equal(page.TotalCount, 5);
      assert.equal(page.Data.length, off === 4 ? 1 : 2);
      seen.push(...page.Data.map((t) => t.TaskId));
    }
    assert.deepEqual([...seen].sort((x, y) => x - y), made);
    assert.equal(new Set(seen).size, 5);
    const past = await c.call("ListSendTasks", { Offset: 5, Limit: 100 });
    assert.equal(past.TotalCount, 5);
    assert.deepEqual(past.Data, []);
  });
});

test("FailedOperation.InvalidLimit: ListSendTasks with Limit 101 (100 accepted)", async () => {
  await api().call("ListSendTasks", { Offset: 0, Limit: 100 });
  await expectError(api().tc3("ListSendTasks", { Offset: 0, Limit: 101 }), "FailedOperation.InvalidLimit");
});

test("InvalidParameterValue: ListSendTasks with Limit 0", async () => {
  await expectError(api().tc3("ListSendTasks", { Offset: 0, Limit: 0 }), "InvalidParameterValue");
});

test("BatchSendEmail ignores Attachments (documented as unsupported for batch tasks)", async () => {
  const id = await send(await request({ Attachments: [{ FileName: "a.pdf", Content: b64("%PDF") }] }));
  await done(id);
  for (const m of await messagesOf(id)) assert.deepEqual(m.attachments, []);
});

test("MissingParameter: ListSendTasks without Limit", async () => {
  await expectError(api().tc3("ListSendTasks", { Offset: 0 }), "MissingParameter");
});

// ---- BatchSendEmail errors ---------------------------------------------------------------------------

test("MissingParameter: BatchSendEmail without TaskType", async () => {
  await expectError(api().tc3("BatchSendEmail", await request({ TaskType: undefined })), "MissingParameter", {
    message: /TaskType/,
  });
});

test("UnknownParameter: BatchSendEmail with a parameter it does not define", async () => {
  await expectError(api().tc3("BatchSendEmail", await request({ Destination: ["a@example.net"] })), "UnknownParameter");
});

test("MissingParameter.SendParamNecessary: empty FromEmailAddress; ReceiverId 0; no Template and no Simple", async () => {
  await expectError(
    api().tc3("BatchSendEmail", await request({ FromEmailAddress: "" })),
    "MissingParameter.SendParamNecessary",
  );
  await expectError(api().tc3("BatchSendEmail", await request({ ReceiverId: 0 })), "MissingParameter.SendParamNecessary");
  await expectError(
    api().tc3("BatchSendEmail", await request({ Template: undefined })),
    "MissingParameter.SendParamNecessary",
  );
});

test("MissingParameter.SendParamNecessary: Simple from an account without allow_simple", async () => {
  const c = rawClient(h.emu, NO_SIMPLE_CRED);
  await expectError(
    c.tc3("BatchSendEmail", {
      FromEmailAddress: "sender@example.org",
      ReceiverId: await groupId("org-friends", c),
      Subject: "s",
      TaskType: 1,
      Simple: { Text: b64("hello") },
    }),
    "MissingParameter.SendParamNecessary",
  );
});

test("InvalidParameterValue.SubjectLengthError: empty Subject; 101 characters", async () => {
  await expectError(api().tc3("BatchSendEmail", await request({ Subject: "" })), "InvalidParameterValue.SubjectLengthError");
  await expectError(
    api().tc3("BatchSendEmail", await request({ Subject: "主".repeat(101) })),
    "InvalidParameterValue.SubjectLengthError",
  );
  // 100 characters are accepted.
  await send(await request({ Subject: "主".repeat(100) }));
});

test("MissingParameter.TimedParamNecessary: TaskType 2 without TimedParam", async () => {
  await expectError(
    api().tc3("BatchSendEmail", await request({ TaskType: 2 })),
    "MissingParameter.TimedParamNecessary",
  );
});

test("MissingParameter.CycleParamNecessary: TaskType 3 without CycleParam; IntervalTime 0", async () => {
  await expectError(
    api().tc3("BatchSendEmail", await request({ TaskType: 3 })),
    "MissingParameter.CycleParamNecessary",
  );
  const begin = cst((await clockNow(h.emu)) + 3600);
  await expectError(
    api().tc3("BatchSendEmail", await request({ TaskType: 3, CycleParam: { BeginTime: begin, IntervalTime: 0 } })),
    "MissingParameter.CycleParamNecessary",
  );
});

test("InvalidParameterValue.BeginTimeBeforeNow: TimedParam or CycleParam BeginTime in the past", async () => {
  const past = cst((await clockNow(h.emu)) - 3600);
  await expectError(
    api().tc3("BatchSendEmail", await request({ TaskType: 2, TimedParam: { BeginTime: past } })),
    "InvalidParameterValue.BeginTimeBeforeNow",
  );
  await expectError(
    api().tc3("BatchSendEmail", await request({ TaskType: 3, CycleParam: { BeginTime: past, IntervalTime: 1 } })),
    "InvalidParameterValue.BeginTimeBeforeNow",
  );
});

test("InvalidParameterValue: TaskType 4; a bad BeginTime; TermCycle 2; ADLocation 3; Unsubscribe \"13\"; a bad ReplyToAddresses", async () => {
  await expectError(api().tc3("BatchSendEmail", await request({ TaskType: 4 })), "InvalidParameterValue", {
    message: /TaskType/,
  });
  await expectError(api().tc3("BatchSendEmail", await request({ TaskType: 0 })), "InvalidParameterValue");
  for (const bad of ["2030/01/01 10:00:00", "2030-02-30 10:00:00", "tomorrow", "2030-01-01T10:00:00", ""]) {
    await expectError(
      api().tc3("BatchSendEmail", await request({ TaskType: 2, TimedParam: { BeginTime: bad } })),
      "InvalidParameterValue",
      { message: /BeginTime/ },
    );
  }
  const begin = cst((await clockNow(h.emu)) + 3600);
  await expectError(
    api().tc3("BatchSendEmail", await request({ TaskType: 3, CycleParam: { BeginTime: begin, IntervalTime: 1, TermCycle: 2 } })),
    "InvalidParameterValue",
  );
  await expectError(api().tc3("BatchSendEmail", await request({ ADLocation: 3 })), "InvalidParameterValue");
  await expectError(api().tc3("BatchSendEmail", await request({ Unsubscribe: "13" })), "InvalidParameterValue");
  await expectError(
    api().tc3("BatchSendEmail", await request({ ReplyToAddresses: "not an address" })),
    "InvalidParameterValue",
  );
});

test("OperationDenied.SendAddressStatusError: unregistered, pending, on an unverified domain, malformed", async () => {
  for (const from of ["nobody@example.com", "waiting@example.com", "sender@unverified.example", "Alias<noreply@example.com>"]) {
    await expectError(
      api().tc3("BatchSendEmail", await request({ FromEmailAddress: from })),
      "OperationDenied.SendAddressStatusError",
    );
  }
});

test("OperationDenied.ReceiverNotExist: an unknown ReceiverId; another account's group", async () => {
  await expectError(api().tc3("BatchSendEmail", await request({ ReceiverId: UNKNOWN_ID })), "OperationDenied.ReceiverNotExist");
  const other = await groupId("org-friends", rawClient(h.emu, NO_SIMPLE_CRED));
  await expectError(api().tc3("BatchSendEmail", await request({ ReceiverId: other })), "OperationDenied.ReceiverNotExist");
});

test("OperationDenied.ReceiverStatusError: an empty group; a group still uploading; no valid member", async () => {
  const { ReceiverId } = await api().call("CreateReceiver", { ReceiversName: "batch-empty" });
  try {
    await expectError(api().tc3("BatchSendEmail", await request({ ReceiverId })), "OperationDenied.ReceiverStatusError");
    await api().call("CreateReceiverDetail", { ReceiverId, Emails: ["late@example.net"] });
    await expectError(
      api().tc3("BatchSendEmail", await request({ ReceiverId, Subject: "Plain news", Template: { TemplateID: await templateId("plain"), TemplateData: "" } })),
      "OperationDenied.ReceiverStatusError",
    );
    // Once uploaded, the same request is accepted.
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const g = (await api().call("ListReceivers", { Offset: 0, Limit: 100 })).Data.find((x) => x.ReceiverId === ReceiverId);
      if (g.ReceiversStatus === 3) break;
      assert.ok(Date.now() < deadline, "the group was never uploaded");
      await sleep(50);
    }
    const id = await send(await request({ ReceiverId, Subject: "Plain news", Template: { TemplateID: await templateId("plain"), TemplateData: "" } }));
    await done(id);
  } finally {
    await api().call("DeleteReceiver", { ReceiverId });
  }
  for (const group of ["empty-fixture", "invalid-only"]) {
    await expectError(
      api().tc3("BatchSendEmail", await request({ Subject: "Plain news", Template: { TemplateID: await templateId("plain"), TemplateData: "" } }, { group })),
      "OperationDenied.ReceiverStatusError",
    );
  }
});

test("OperationDenied.TemplateStatusError: unknown, pending, rejected, deleted template", async () => {
  for (const id of [UNKNOWN_ID, await templateId("waiting"), await templateId("refused")]) {
    await expectError(
      api().tc3("BatchSendEmail", await request({ Template: { TemplateID: id, TemplateData: "{}" } })),
      "OperationDenied.TemplateStatusError",
    );
  }
  const { TemplateID } = await api().call("CreateEmailTemplate", {
    TemplateName: "batch-deleted",
    TemplateContent: { Text: b64("Hi {{name}}") },
  });
  await api().call("DeleteEmailTemplate", { TemplateID });
  await expectError(
    api().tc3("BatchSendEmail", await request({ Template: { TemplateID, TemplateData: "{}" } })),
    "OperationDenied.TemplateStatusError",
  );
});

test("InvalidParameterValue.TemplateDataError: TemplateData not a JSON object", async () => {
  for (const data of ["not json", "[1]", '"x"', '{"name":']) {
    await expectError(
      api().tc3("BatchSendEmail", await request({ Template: { TemplateID: await templateId("welcome"), TemplateData: data } })),
      "InvalidParameterValue.TemplateDataError",
    );
  }
});

test("InvalidParameterValue.TemplateNotMatchData: a variable neither the group's data nor TemplateData has", async () => {
  // friends' data has only "name"; the template also needs "city".
  await expectError(
    api().tc3("BatchSendEmail", await request({}, { template: "city" })),
    "InvalidParameterValue.TemplateNotMatchData",
  );
  // A Subject variable the data lacks.
  await expectError(
    api().tc3("BatchSendEmail", await request({ Subject: "For {{who}}" })),
    "InvalidParameterValue.TemplateNotMatchData",
  );
  // A group without data: TemplateData must fit the template.
  await expectError(
    api().tc3("BatchSendEmail", await request({}, { group: "no-data" })),
    "InvalidParameterValue.TemplateNotMatchData",
  );
  await expectError(
    api().tc3(
      "BatchSendEmail",
      await request({ Template: { TemplateID: await templateId("welcome"), TemplateData: '{"name":"a","extra":"b"}' } }, { group: "no-data" }),
    ),
    "InvalidParameterValue.TemplateNotMatchData",
  );
});

test("InvalidParameterValue.EmailContentIsWrong: Simple not base64, not UTF-8, or empty", async () => {
  for (const simple of [{ Html: "<p>raw</p>" }, { Text: Buffer.from([0xff, 0xfe]).toString("base64") }, {}]) {
    await expectError(
      api().tc3("BatchSendEmail", await request({ Template: undefined, Simple: simple })),
      "InvalidParameterValue.EmailContentIsWrong",
    );
  }
});

test("FailedOperation.EmailContentToolarge: Simple bodies over 4 MiB", async () => {
  await expectError(
    api().tc3(
      "BatchSendEmail",
      await request({ Template: undefined, Simple: { Text: Buffer.alloc(4 * MIB + 1, 0x61).toString("base64") } }),
    ),
    "FailedOperation.EmailContentToolarge",
  );
  await expectError(
    api().tc3(
      "BatchSendEmail",
      await request({
        Template: undefined,
        Simple: {
          Text: Buffer.alloc(2 * MIB + 1, 0x61).toString("base64"),
          Html: Buffer.alloc(2 * MIB, 0x62).toString("base64"),
        },
      }),
    ),
    "FailedOperation.EmailContentToolarge",
  );
});
