"use strict";
// Status and statistics: GetSendEmailStatus and GetStatisticsReport through
// the official SDKs and raw TC3 calls. Validation, the date window on the
// emulator's clock and empty days first; then mail sent through SendEmail,
// whose outcomes the mailbox simulator decides (success, bounce@, reject@,
// delay@, open@, click@ at ses-simulator.test).
// One test per documented error code the emulator produces for these two
// actions (docs/errors.md, "Status and statistics").

const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { DEFAULT_ACCOUNT, REPO_ROOT, sharedEmulator, withEmulator, fixtureAccount } = require("./lib/emulator");
const { chinaClient, expectError, intlClient, rawClient, rawRequest, sortedKeys } = require("./lib/clients");

const h = sharedEmulator();
const api = (emu = h.emu) => rawClient(emu);

const STATUS_KEYS = [
  "DeliverMessage",
  "DeliverStatus",
  "DeliverTime",
  "FromEmailAddress",
  "MessageId",
  "RequestTime",
  "SendStatus",
  "ToEmailAddress",
  "UserClicked",
  "UserComplained",
  "UserComplainted",
  "UserOpened",
  "UserUnsubscribed",
];
const VOLUME_KEYS = [
  "AcceptedCount",
  "BounceCount",
  "ClickedCount",
  "DeliveredCount",
  "OpenedCount",
  "RequestCount",
  "SendDate",
  "UnsubscribeCount",
];
const ZERO = { RequestCount: 0, AcceptedCount: 0, DeliveredCount: 0, OpenedCount: 0, ClickedCount: 0, BounceCount: 0, UnsubscribeCount: 0 };

// ---- helpers ----------------------------------------------------------------------------------

async function clock(emu = h.emu) {
  const r = await rawRequest(emu, { path: "/_emulator/clock" });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

async function moveClock(emu, body) {
  const r = await rawRequest(emu, {
    method: "POST",
    path: "/_emulator/clock",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

// The emulator's CST date, shifted by `days`.
async function day(days = 0, emu = h.emu) {
  return addDays((await clock(emu)).now.slice(0, 10), days);
}

function addDays(date, days) {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function status(params, emu = h.emu) {
  return api(emu).tc3("GetSendEmailStatus", { Offset: 0, Limit: 100, ...params });
}

function report(params, emu = h.emu) {
  return api(emu).tc3("GetStatisticsReport", params);
}

const templateIds = new Map();
async function welcomeId(emu) {
  if (templateIds.has(emu)) return templateIds.get(emu);
  const r = await api(emu).call("ListEmailTemplates", { Limit: 100, Offset: 0 });
  const t = r.TemplatesMetadata.find((m) => m.TemplateName === "welcome");
  assert.ok(t, "the default fixture has the template welcome");
  templateIds.set(emu, t.TemplateID);
  return t.TemplateID;
}

// SendEmail through the China SDK with the default fixture; returns the MessageId.
async function send(emu, to, over = {}) {
  const r = await chinaClient(emu).SendEmail({
    FromEmailAddress: `${DEFAULT_ACCOUNT.senderName} <${DEFAULT_ACCOUNT.sender}>`,
    Destination: Array.isArray(to) ? to : [to],
    Template: { TemplateID: await welcomeId(emu), TemplateData: JSON.stringify({ name: "Ann" }) },
    Subject: "Hi {{name}}",
    ...over,
  });
  assert.equal(typeof r.MessageId, "string");
  return r.MessageId;
}

// The status rows of one message today, waiting (up to 3 s) until `ready` holds for all.
async function rowsOf(emu, messageId, ready = () => true) {
  const date = await day(0, emu);
  let rows = [];
  for (let i = 0; i < 30; i++) {
    const r = await api(emu).call("GetSendEmailStatus", { RequestDate: date, Offset: 0, Limit: 100, MessageId: messageId });
    rows = r.EmailStatusList;
    if (rows.length && rows.every(ready)) return rows;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return rows;
}

// ---- GetSendEmailStatus: no mail needed ----------------------------------------------------------

test("GetSendEmailStatus on a day without mail: exact shape, empty list (China SDK)", async () => {
  const r = await chinaClient(h.emu).GetSendEmailStatus({ RequestDate: await day(), Offset: 0, Limit: 10 });
  assert.deepEqual(sortedKeys(r), ["EmailStatusList", "RequestId"]);
  assert.deepEqual(r.EmailStatusList, []);
});

test("GetSendEmailStatus through the international SDK (v1 HmacSHA256) and a TC3 GET", async () => {
  const r = await intlClient(h.emu).GetSendEmailStatus({ RequestDate: await day(), Offset: 0, Limit: 10 });
  assert.deepEqual(r.EmailStatusList, []);
  const g = await chinaClient(h.emu, { reqMethod: "GET" }).GetSendEmailStatus({
    RequestDate: await day(-1),
    Offset: 0,
    Limit: 1,
  });
  assert.deepEqual(g.EmailStatusList, []);
});

test("GetSendEmailStatus accepts today and each of the 30 days before it; Limit 1 and 100", async () => {
  for (const d of [0, -1, -29, -30]) {
    const r = await api().call("GetSendEmailStatus", { RequestDate: await day(d), Offset: 0, Limit: 100 });
    assert.deepEqual(r.EmailStatusList, []);
  }
  await api().call("GetSendEmailStatus", { RequestDate: await day(), Offset: 0, Limit: 1 });
  await api().call("GetSendEmailStatus", { RequestDate: await day(), Offset: 5, Limit: 1, MessageId: "x", ToEmailAddress: "a@b.c" });
});

test("InvalidParameterValue.WrongDate: GetSendEmailStatus RequestDate not a real YYYY-MM-DD date", async () => {
  for (const bad of ["2021-02-29", "2020-13-01", "2020-04-31", "20200101", "2020-1-1", "2020/01/01", "", "today", "2020-01-01 00:00:00"]) {
    const e = await expectError(status({ RequestDate: bad }), "InvalidParameterValue.WrongDate");
    assert.match(e.message, /RequestDate/);
  }
});

test("FailedOperation.NotSupportDate: RequestDate 31 days back, or after today", async () => {
  await expectError(status({ RequestDate: await day(-31) }), "FailedOperation.NotSupportDate");
  await expectError(status({ RequestDate: await day(1) }), "FailedOperation.NotSupportDate");
  await expectError(status({ RequestDate: "2020-09-22" }), "FailedOperation.NotSupportDate");
  const e = await expectError(status({ RequestDate: await day(400) }, h.emu), "FailedOperation.NotSupportDate");
  assert.match(e.message, /30/, "the message names the 30-day window");
});

test("FailedOperation.NotSupportDate follows the emulator's clock, not real time", async () => {
  await withEmulator({}, async (emu) => {
    await moveClock(emu, { now: "2021-01-01 09:00:00" });
    await api(emu).call("GetSendEmailStatus", { RequestDate: "2020-12-02", Offset: 0, Limit: 10 });
    await api(emu).call("GetSendEmailStatus", { RequestDate: "2021-01-01", Offset: 0, Limit: 10 });
    await expectError(status({ RequestDate: "2020-12-01" }, emu), "FailedOperation.NotSupportDate");
    await expectError(status({ RequestDate: "2021-01-02" }, emu), "FailedOperation.NotSupportDate");
    // 23:59:59 CST is still the same day; one second later it is the next
    await moveClock(emu, { now: "2021-01-01 23:59:59" });
    await expectError(status({ RequestDate: "2021-01-02" }, emu), "FailedOperation.NotSupportDate");
    await moveClock(emu, { advance_seconds: 1 });
    await api(emu).call("GetSendEmailStatus", { RequestDate: "2021-01-02", Offset: 0, Limit: 10 });
  });
});

test("FailedOperation.InvalidLimit: GetSendEmailStatus Limit 101", async () => {
  const e = await expectError(status({ RequestDate: await day(), Limit: 101 }), "FailedOperation.InvalidLimit");
  assert.match(e.message, /Limit/);
  await expectError(status({ RequestDate: await day(), Limit: 2 ** 53 }), "FailedOperation.InvalidLimit");
});

test("InvalidParameterValue: GetSendEmailStatus Limit 0", async () => {
  const e = await expectError(status({ RequestDate: await day(), Limit: 0 }), "InvalidParameterValue");
  assert.match(e.message, /Limit/);
});

test("MissingParameter: GetSendEmailStatus without RequestDate, Offset or Limit", async () => {
  for (const name of ["RequestDate", "Offset", "Limit"]) {
    const params = { RequestDate: await day(), Offset: 0, Limit: 10 };
    delete params[name];
    const e = await expectError(api().tc3("GetSendEmailStatus", params), "MissingParameter");
    assert.match(e.message, new RegExp(name));
  }
});

test("UnknownParameter: GetSendEmailStatus with a parameter it does not define", async () => {
  await expectError(status({ RequestDate: await day(), EndDate: await day() }), "UnknownParameter");
});

test("InvalidParameter: GetSendEmailStatus with Limit a string, Offset negative, RequestDate a number", async () => {
  await expectError(status({ RequestDate: await day(), Limit: "10" }), "InvalidParameter");
  await expectError(status({ RequestDate: await day(), Offset: -1 }), "InvalidParameter");
  await expectError(status({ RequestDate: 20200101 }), "InvalidParameter");
});

test("check order: a bad RequestDate is reported before a bad Limit; Limit before the date window", async () => {
  await expectError(status({ RequestDate: "bad", Limit: 101 }), "InvalidParameterValue.WrongDate");
  await expectError(status({ RequestDate: "2000-01-01", Limit: 101 }), "FailedOperation.InvalidLimit");
  await expectError(status({ RequestDate: "2000-01-01", Limit: 0 }), "InvalidParameterValue");
});

// ---- GetStatisticsReport: no mail needed ---------------------------------------------------------

test("GetStatisticsReport on days without mail: one all-zero Volume per day, OverallVolume zero (China SDK)", async () => {
  const start = await day(-2);
  const end = await day(0);
  const r = await chinaClient(h.emu).GetStatisticsReport({ StartDate: start, EndDate: end });
  assert.deepEqual(sortedKeys(r), ["DailyVolumes", "OverallVolume", "RequestId"]);
  assert.deepEqual(
    r.DailyVolumes,
    [start, addDays(start, 1), end].map((d) => ({ SendDate: d, ...ZERO })),
  );
  for (const v of r.DailyVolumes) assert.deepEqual(sortedKeys(v), VOLUME_KEYS);
  assert.deepEqual(r.OverallVolume, { SendDate: start, ...ZERO });
});

test("GetStatisticsReport: a single day; filters that match nothing; the international SDK", async () => {
  const d = await day();
  const r = await api().call("GetStatisticsReport", { StartDate: d, EndDate: d, Domain: "qcloud.com", ReceivingMailboxType: "gmail.com" });
  assert.deepEqual(r.DailyVolumes, [{ SendDate: d, ...ZERO }]);
  const i = await intlClient(h.emu).GetStatisticsReport({ StartDate: "2020-10-01", EndDate: "2020-10-03" });
  assert.deepEqual(i.DailyVolumes.map((v) => v.SendDate), ["2020-10-01", "2020-10-02", "2020-10-03"]);
});

test("GetStatisticsReport accepts a span of 30 days (31 entries), across a leap day and a year end", async () => {
  const r = await api().call("GetStatisticsReport", { StartDate: "2024-02-01", EndDate: "2024-03-02" });
  assert.equal(r.DailyVolumes.length, 31);
  assert.equal(r.DailyVolumes[28].SendDate, "2024-02-29");
  assert.equal(r.DailyVolumes[30].SendDate, "2024-03-02");
  const y = await api().call("GetStatisticsReport", { StartDate: "2020-12-30", EndDate: "2021-01-02" });
  assert.deepEqual(y.DailyVolumes.map((v) => v.SendDate), ["2020-12-30", "2020-12-31", "2021-01-01", "2021-01-02"]);
});

test("InvalidParameterValue.WrongDate: GetStatisticsReport bad StartDate or EndDate, End before Start, a span over 30 days", async () => {
  let e = await expectError(report({ StartDate: "2020-02-30", EndDate: "2020-03-01" }), "InvalidParameterValue.WrongDate");
  assert.match(e.message, /StartDate/);
  e = await expectError(report({ StartDate: "2020-03-01", EndDate: "03/02/2020" }), "InvalidParameterValue.WrongDate");
  assert.match(e.message, /EndDate/);
  await expectError(report({ StartDate: "", EndDate: "2020-03-01" }), "InvalidParameterValue.WrongDate");
  await expectError(report({ StartDate: "2020-03-02", EndDate: "2020-03-01" }), "InvalidParameterValue.WrongDate");
  await expectError(report({ StartDate: "2024-02-01", EndDate: "2024-03-03" }), "InvalidParameterValue.WrongDate");
  await expectError(report({ StartDate: "2020-01-01", EndDate: "2021-01-01" }), "InvalidParameterValue.WrongDate");
});

test("MissingParameter: GetStatisticsReport without StartDate or EndDate", async () => {
  await expectError(report({ EndDate: "2020-10-03" }), "MissingParameter");
  await expectError(report({ StartDate: "2020-10-01" }), "MissingParameter");
});

test("UnknownParameter: GetStatisticsReport with a parameter it does not define", async () => {
  await expectError(report({ StartDate: "2020-10-01", EndDate: "2020-10-03", Limit: 10 }), "UnknownParameter");
});

test("InvalidParameter: GetStatisticsReport with StartDate a number, Domain an array", async () => {
  await expectError(report({ StartDate: 20201001, EndDate: "2020-10-03" }), "InvalidParameter");
  await expectError(report({ StartDate: "2020-10-01", EndDate: "2020-10-03", Domain: ["qcloud.com"] }), "InvalidParameter");
});

test("OperationDenied: a suspended account, GetSendEmailStatus and GetStatisticsReport", async () => {
  const cred = { secret_id: "AKIDSTATSSUSPENDED0000", secret_key: "stats-suspended-key" };
  const fixture = { accounts: [fixtureAccount({ suspended: true, credentials: [cred] })] };
  await withEmulator({ fixtures: fixture }, async (emu) => {
    const c = rawClient(emu, { secretId: cred.secret_id, secretKey: cred.secret_key });
    const d = await day(0, emu);
    await expectError(c.tc3("GetSendEmailStatus", { RequestDate: d, Offset: 0, Limit: 10 }), "OperationDenied");
    await expectError(c.tc3("GetStatisticsReport", { StartDate: d, EndDate: d }), "OperationDenied");
  });
});

// ---- with mail (SendEmail) ---------------------------------------------------------------------

test("GetSendEmailStatus after SendEmail: every SendEmailStatus field (delivered)", async () => {
  await withEmulator({}, async (emu) => {
    const before = (await clock(emu)).timestamp;
    const id = await send(emu, "user@example.net");
    const rows = await rowsOf(emu, id, (r) => r.DeliverStatus === 1);
    assert.equal(rows.length, 1);
    const s = rows[0];
    assert.deepEqual(sortedKeys(s), STATUS_KEYS);
    assert.equal(s.MessageId, id);
    assert.equal(s.ToEmailAddress, "user@example.net");
    assert.equal(s.FromEmailAddress, DEFAULT_ACCOUNT.sender);
    assert.equal(s.SendStatus, 0);
    assert.equal(s.DeliverStatus, 1);
    assert.equal(typeof s.DeliverMessage, "string");
    assert.ok(s.RequestTime >= before && s.RequestTime <= before + 60, `RequestTime ${s.RequestTime}`);
    assert.ok(s.DeliverTime >= s.RequestTime, `DeliverTime ${s.DeliverTime}`);
    assert.equal(s.UserOpened, false);
    assert.equal(s.UserClicked, false);
    assert.equal(s.UserUnsubscribed, false);
    assert.equal(s.UserComplained, false);
    assert.equal(s.UserComplainted, s.UserComplained);
  });
});

test("GetSendEmailStatus: the mailbox simulator's outcomes", async () => {
  await withEmulator({}, async (emu) => {
    const cases = [
      ["bounce@ses-simulator.test", { DeliverStatus: 3 }],
      ["reject@ses-simulator.test", { DeliverStatus: 3 }],
      ["delay@ses-simulator.test", { DeliverStatus: 8 }],
      ["open@ses-simulator.test", { DeliverStatus: 1, UserOpened: true, UserClicked: false }],
      ["click@ses-simulator.test", { DeliverStatus: 1, UserOpened: true, UserClicked: true }],
      ["anyone@ses-simulator.test", { DeliverStatus: 1, UserOpened: false }],
    ];
    for (const [to, want] of cases) {
      const id = await send(emu, to);
      const [row] = await rowsOf(emu, id, (r) => r.DeliverStatus === want.DeliverStatus);
      assert.ok(row, `a status row for ${to}`);
      for (const [k, v] of Object.entries(want)) assert.equal(row[k], v, `${to}: ${k}`);
      assert.equal(row.SendStatus, 0, `${to}: accepted`);
    }
  });
});

test("GetSendEmailStatus filters: MessageId, ToEmailAddress (any case), both; Offset and Limit page", async () => {
  await withEmulator({}, async (emu) => {
    const a = await send(emu, "a@example.net");
    const b = await send(emu, ["b@example.net", "c@example.net"]);
    const d = await day(0, emu);
    const all = await api(emu).call("GetSendEmailStatus", { RequestDate: d, Offset: 0, Limit: 100 });
    assert.equal(all.EmailStatusList.length, 3);
    const byId = await api(emu).call("GetSendEmailStatus", { RequestDate: d, Offset: 0, Limit: 100, MessageId: b });
    assert.deepEqual(byId.EmailStatusList.map((s) => s.ToEmailAddress).sort(), ["b@example.net", "c@example.net"]);
    const byTo = await api(emu).call("GetSendEmailStatus", { RequestDate: d, Offset: 0, Limit: 100, ToEmailAddress: "A@Example.NET" });
    assert.deepEqual(byTo.EmailStatusList.map((s) => s.MessageId), [a]);
    const both = await api(emu).call("GetSendEmailStatus", { RequestDate: d, Offset: 0, Limit: 100, MessageId: a, ToEmailAddress: "b@example.net" });
    assert.deepEqual(both.EmailStatusList, []);
    const pages = [];
    for (let off = 0; off < 4; off++) {
      const p = await api(emu).call("GetSendEmailStatus", { RequestDate: d, Offset: off, Limit: 1 });
      pages.push(...p.EmailStatusList.map((s) => s.ToEmailAddress));
    }
    assert.deepEqual(pages, all.EmailStatusList.map((s) => s.ToEmailAddress));
    const other = await api(emu).call("GetSendEmailStatus", { RequestDate: await day(-1, emu), Offset: 0, Limit: 100 });
    assert.deepEqual(other.EmailStatusList, []);
  });
});

test("GetStatisticsReport counts the simulator's outcomes; Domain and ReceivingMailboxType filter", async () => {
  await withEmulator({}, async (emu) => {
    for (const to of ["user@example.net", "bounce@ses-simulator.test", "open@ses-simulator.test", "click@ses-simulator.test", "delay@ses-simulator.test", "reject@ses-simulator.test"]) {
      await send(emu, to);
    }
    const today = await day(0, emu);
    const want = { RequestCount: 6, AcceptedCount: 6, DeliveredCount: 3, OpenedCount: 2, ClickedCount: 1, BounceCount: 1, UnsubscribeCount: 0 };
    const r = await api(emu).call("GetStatisticsReport", { StartDate: await day(-1, emu), EndDate: today });
    assert.deepEqual(r.DailyVolumes, [{ SendDate: await day(-1, emu), ...ZERO }, { SendDate: today, ...want }]);
    assert.deepEqual(r.OverallVolume, { SendDate: await day(-1, emu), ...want });
    const q = (extra) => api(emu).call("GetStatisticsReport", { StartDate: today, EndDate: today, ...extra });
    assert.deepEqual((await q({ Domain: "example.com" })).OverallVolume, { SendDate: today, ...want });
    assert.deepEqual((await q({ Domain: "EXAMPLE.COM" })).OverallVolume.RequestCount, 6);
    assert.deepEqual((await q({ Domain: "qcloud.com" })).OverallVolume, { SendDate: today, ...ZERO });
    assert.equal((await q({ ReceivingMailboxType: "ses-simulator.test" })).OverallVolume.RequestCount, 5);
    assert.equal((await q({ ReceivingMailboxType: "example.net" })).OverallVolume.DeliveredCount, 1);
    assert.equal((await q({ ReceivingMailboxType: "gmail.com" })).OverallVolume.RequestCount, 0);
    assert.equal((await q({ Domain: "example.com", ReceivingMailboxType: "ses-simulator.test" })).OverallVolume.BounceCount, 1);
  });
});

test("statistics and status follow the emulator's clock: mail on two days, then out of the window", async () => {
  await withEmulator({}, async (emu) => {
    await moveClock(emu, { now: "2021-03-01 10:00:00" });
    const first = await send(emu, "day1@example.net");
    await moveClock(emu, { advance_seconds: 86400 });
    await send(emu, "day2@example.net");
    await send(emu, "day2b@example.net");
    const r = await api(emu).call("GetStatisticsReport", { StartDate: "2021-03-01", EndDate: "2021-03-03" });
    assert.deepEqual(r.DailyVolumes.map((v) => v.RequestCount), [1, 2, 0]);
    assert.equal(r.OverallVolume.RequestCount, 3);
    const s = await api(emu).call("GetSendEmailStatus", { RequestDate: "2021-03-01", Offset: 0, Limit: 10 });
    assert.deepEqual(s.EmailStatusList.map((x) => x.MessageId), [first]);
    await moveClock(emu, { now: "2021-04-01 00:00:00" });
    await expectError(status({ RequestDate: "2021-03-01" }, emu), "FailedOperation.NotSupportDate");
    await api(emu).call("GetSendEmailStatus", { RequestDate: "2021-03-02", Offset: 0, Limit: 10 });
  });
});

test("DELETE /_emulator/messages clears status rows and statistics too", async () => {
  await withEmulator({}, async (emu) => {
    await send(emu, "user@example.net");
    const d = await day(0, emu);
    const del = await rawRequest(emu, { method: "DELETE", path: "/_emulator/messages" });
    assert.deepEqual(del.json, { deleted: 1 });
    const s = await api(emu).call("GetSendEmailStatus", { RequestDate: d, Offset: 0, Limit: 10 });
    assert.deepEqual(s.EmailStatusList, []);
    const r = await api(emu).call("GetStatisticsReport", { StartDate: d, EndDate: d });
    assert.deepEqual(r.OverallVolume, { SendDate: d, ...ZERO });
  });
});

test("each account sees only its own status rows and statistics", async () => {
  const other = { secret_id: "AKIDSTATSOTHER00000000", secret_key: "stats-other-key" };
  const fixture = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "fixtures", "default.json"), "utf8"));
  fixture.accounts.push(fixtureAccount({ credentials: [other] }));
  await withEmulator({ fixtures: fixture }, async (emu) => {
    await send(emu, "user@example.net");
    const c = rawClient(emu, { secretId: other.secret_id, secretKey: other.secret_key });
    const d = await day(0, emu);
    assert.deepEqual((await c.call("GetSendEmailStatus", { RequestDate: d, Offset: 0, Limit: 10 })).EmailStatusList, []);
    assert.equal((await c.call("GetStatisticsReport", { StartDate: d, EndDate: d })).OverallVolume.RequestCount, 0);
    assert.equal((await api(emu).call("GetStatisticsReport", { StartDate: d, EndDate: d })).OverallVolume.RequestCount, 1);
  });
});
