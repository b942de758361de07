"use strict";
// Suppression and complaints: the bounce blacklist (ListBlackEmailAddress,
// DeleteBlackList), the custom blacklist (Create/List/Update/DeleteCustom...),
// address-level unsubscribe settings (Create/List/Update/Delete
// AddressUnsubscribeConfig), the unsubscribe link served under
// /_emulator/unsubscribe/{MessageId}, complaints (GetAbuseReport,
// POST /_emulator/complaints), and what each list does to SendEmail and to
// batch members. Scenarios first, then one test per documented error code of
// the eleven actions (docs/errors.md, "Suppression and complaints"), named
// after the code. Codes that the published lists copy from other actions
// (SPEC.md §6) and that have no meaning here are answered only through fault
// injection (POST /_emulator/faults); their tests say so.

const { test } = require("node:test");
const assert = require("node:assert/strict");
const { sharedEmulator, withEmulator } = require("./lib/emulator");
const { chinaClient, expectError, intlClient, rawClient, rawRequest, sortedKeys } = require("./lib/clients");

const A = { secretId: "AKIDSUPPRESSIONACCTA00", secretKey: "suppression-account-a-key" };
const B = { secretId: "AKIDSUPPRESSIONACCTB00", secretKey: "suppression-account-b-key" };
const SUSPENDED = { secretId: "AKIDSUPPRESSIONSUSP000", secretKey: "suppression-suspended-key" };
const APP_A = 1300000101;
const APP_B = 1300000102;
const SENDER = "noreply@example.com";
const NEWS = "news@example.com"; // address-level unsubscribe setting on, English ("2")
const QUIET = "quiet@example.com"; // setting present but off
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME_RE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const WAIT_MS = 15_000;

function accounts() {
  return {
    accounts: [
      {
        app_id: APP_A,
        uin: "100000000101",
        allow_simple: true,
        credentials: [{ secret_id: A.secretId, secret_key: A.secretKey }],
        identities: [{ domain: "example.com", verified: true }],
        senders: [
          { address: SENDER, name: "Example" },
          { address: NEWS, name: "News" },
          { address: QUIET },
          { address: "spare@example.com" },
        ],
        templates: [{ name: "welcome", html: "<p>Hi {{name}}</p>", text: "Hi {{name}}" }],
        receivers: [
          {
            name: "mixed",
            members: [
              { email: "blocked-member@example.net", data: { name: "Blo" } },
              { email: "gone-member@example.net", data: { name: "Gon" } },
              { email: "fine-member@example.net", data: { name: "Fin" } },
            ],
          },
        ],
        blacklist: [
          { email: "fixture-blocked@example.net" },
          { email: "fixture-expired@example.net", expire_date: "2000-01-01" },
          { email: "blocked-member@example.net" },
        ],
        bounces: [{ email: "fixture-bounced@example.net", bounce_time: "2024-03-01 10:00:00", reason: "550 no such user" }],
        unsubscribe_configs: [
          { address: NEWS, unsubscribe_config: "2", status: 1 },
          { address: QUIET, unsubscribe_config: "1", status: 0 },
        ],
      },
      {
        app_id: APP_B,
        uin: "100000000102",
        credentials: [{ secret_id: B.secretId, secret_key: B.secretKey }],
        identities: [{ domain: "example.org", verified: true }],
        senders: [{ address: "sender@example.org" }],
        templates: [{ name: "welcome", html: "<p>Hi {{name}}</p>", text: "Hi {{name}}" }],
      },
      {
        app_id: 1300000103,
        uin: "100000000103",
        suspended: true,
        credentials: [{ secret_id: SUSPENDED.secretId, secret_key: SUSPENDED.secretKey }],
      },
    ],
  };
}

const h = sharedEmulator({ fixtures: accounts() });
const api = (emu = h.emu, cred = A) => rawClient(emu, cred);
const sdk = (emu = h.emu, cred = A) => chinaClient(emu, cred);
const intl = (emu = h.emu, cred = A) => intlClient(emu, cred);

// ---- helpers -------------------------------------------------------------------------------

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function clock(emu = h.emu) {
  const r = await rawRequest(emu, { path: "/_emulator/clock" });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

async function advanceClock(emu, seconds) {
  const r = await rawRequest(emu, {
    method: "POST",
    path: "/_emulator/clock",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ advance_seconds: seconds }),
  });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

function addDays(date, days) {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

// The emulator's CST date, shifted by `days`.
async function day(days = 0, emu = h.emu) {
  return addDays((await clock(emu)).now.slice(0, 10), days);
}

const templateIds = new Map();
async function welcomeId(emu = h.emu, cred = A) {
  const key = `${emu.port}/${cred.secretId}`;
  if (!templateIds.has(key)) {
    const r = await api(emu, cred).call("ListEmailTemplates", { Limit: 100, Offset: 0 });
    templateIds.set(key, r.TemplatesMetadata.find((t) => t.TemplateName === "welcome").TemplateID);
  }
  return templateIds.get(key);
}

// A valid SendEmail request (account A unless `cred`), overrides applied.
async function mail(to, over = {}, { emu = h.emu, cred = A } = {}) {
  return {
    FromEmailAddress: cred === B ? "sender@example.org" : SENDER,
    Destination: Array.isArray(to) ? to : [to],
    Subject: "Hello",
    Template: { TemplateID: await welcomeId(emu, cred), TemplateData: '{"name":"Ann"}' },
    ...over,
  };
}

async function send(to, over, opts = {}) {
  const r = await api(opts.emu, opts.cred).call("SendEmail", await mail(to, over, opts));
  return r.MessageId;
}

function sendRaw(to, over, opts = {}) {
  return mail(to, over, opts).then((params) => api(opts.emu, opts.cred).tc3("SendEmail", params));
}

async function message(id, emu = h.emu) {
  const r = await rawRequest(emu, { path: `/_emulator/messages/${encodeURIComponent(id)}` });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

function blackList(params = {}, opts = {}) {
  return day(0, opts.emu).then((today) =>
    api(opts.emu, opts.cred).call("ListBlackEmailAddress", { StartDate: today, EndDate: today, Limit: 100, Offset: 0, ...params }),
  );
}

function customList(params = {}, opts = {}) {
  return api(opts.emu, opts.cred).call("ListCustomBlacklist", { Offset: 0, Limit: 100, Status: 2, ...params });
}

// A form POST or GET to a control route; resolves with {status, headers, text, json}.
function control(emu, method, path, body, contentType = "application/json") {
  const headers = body === undefined ? {} : { "Content-Type": contentType };
  return rawRequest(emu, { method, path, headers, body });
}

function complain(body, emu = h.emu) {
  return control(emu, "POST", "/_emulator/complaints", typeof body === "string" ? body : JSON.stringify(body));
}

async function fault(rule, emu = h.emu) {
  const r = await control(emu, "POST", "/_emulator/faults", JSON.stringify({ count: 1, ...rule }));
  assert.equal(r.status, 201, r.text);
}

// ---- the bounce blacklist --------------------------------------------------------------------

test("scenario: a bounce → blacklisted → next send refused → DeleteBlackList → send accepted", async () => {
  const address = "bounce+scenario@ses-simulator.test";
  const first = await send(address);
  const bounced = (await message(first)).recipients[0];
  assert.equal(bounced.outcome, "bounced");

  const listed = await blackList({ EmailAddress: address });
  assert.deepEqual(sortedKeys(listed), ["BlackList", "RequestId", "TotalCount"]);
  assert.equal(listed.TotalCount, 1);
  assert.equal(listed.BlackList.length, 1);
  const entry = listed.BlackList[0];
  assert.deepEqual(sortedKeys(entry), ["BounceTime", "EmailAddress", "IspDesc"]);
  assert.equal(entry.EmailAddress, address);
  assert.match(entry.BounceTime, DATETIME_RE);
  assert.equal(entry.BounceTime.slice(0, 10), await day());
  assert.match(entry.IspDesc, /^550 /);

  await expectError(sendRaw(address), "FailedOperation.EmailAddrInBlacklist");
  await expectError(sendRaw("ok@example.net", { Cc: [address.toUpperCase()] }), "FailedOperation.EmailAddrInBlacklist");

  // GetSendEmailStatus shows the bounce; GetStatisticsReport counts it.
  const status = await api().call("GetSendEmailStatus", { RequestDate: await day(), Offset: 0, Limit: 100, MessageId: first });
  assert.equal(status.EmailStatusList[0].DeliverStatus, 3);
  const stats = await api().call("GetStatisticsReport", {
    StartDate: await day(),
    EndDate: await day(),
    ReceivingMailboxType: "ses-simulator.test",
  });
  assert.ok(stats.OverallVolume.BounceCount >= 1);

  const del = await sdk().DeleteBlackList({ EmailAddressList: [address] });
  assert.deepEqual(sortedKeys(del), ["RequestId"]);
  assert.equal((await blackList({ EmailAddress: address })).TotalCount, 0);
  const again = await send(address);
  assert.ok(again, "accepted after DeleteBlackList");
  // It bounces again, so it is listed again.
  assert.equal((await blackList({ EmailAddress: address })).TotalCount, 1);
});

test("ListBlackEmailAddress: the date range on the emulator's clock, the address filter, paging", async () => {
  const fixture = await api().call("ListBlackEmailAddress", {
    StartDate: "2024-03-01",
    EndDate: "2024-03-01",
    Limit: 10,
    Offset: 0,
  });
  assert.equal(fixture.TotalCount, 1);
  assert.deepEqual(fixture.BlackList, [
    { BounceTime: "2024-03-01 10:00:00", EmailAddress: "fixture-bounced@example.net", IspDesc: "550 no such user" },
  ]);
  const before = await api().call("ListBlackEmailAddress", { StartDate: "2024-02-01", EndDate: "2024-02-29", Limit: 10, Offset: 0 });
  assert.equal(before.TotalCount, 0);
  assert.deepEqual(before.BlackList, []);

  for (const n of [1, 2, 3]) await send(`bounce+page${n}@ses-simulator.test`);
  const all = await blackList();
  const page = await blackList({ Limit: 2, Offset: 1 });
  assert.equal(page.TotalCount, all.TotalCount);
  assert.deepEqual(page.BlackList, all.BlackList.slice(1, 3));
  assert.equal((await blackList({ EmailAddress: "BOUNCE+PAGE2@ses-simulator.test" })).TotalCount, 1);
  // TaskID is deprecated and ignored.
  assert.equal((await blackList({ TaskID: "1" })).TotalCount, all.TotalCount);
  // A range that ends yesterday does not see today's bounces.
  const yesterday = await api().call("ListBlackEmailAddress", {
    StartDate: "2024-01-01",
    EndDate: await day(-1),
    Limit: 100,
    Offset: 0,
  });
  assert.equal(yesterday.TotalCount, 1, "only the fixture's 2024 bounce");
});

test("DeleteBlackList: an address that is not listed is accepted and changes nothing", async () => {
  await api().call("DeleteBlackList", { EmailAddressList: ["never-bounced@example.net"] });
  assert.equal((await blackList({ EmailAddress: "never-bounced@example.net" })).TotalCount, 0);
});

// ---- the custom blacklist ---------------------------------------------------------------------

test("CreateCustomBlacklist: the counters (the official example), then the entries in ListCustomBlacklist", async () => {
  const r = await sdk().CreateCustomBlacklist({
    Emails: ["resrse@sdasd.com", "resrse@sdasd.com", "asdasdasdasd", `${"a".repeat(120)}@example.net`, " spaced@example.net "],
  });
  assert.deepEqual(sortedKeys(r), ["InvalidCount", "RepeatCount", "RequestId", "TooLongCount", "TotalCount", "ValidCount"]);
  assert.deepEqual(
    { T: r.TotalCount, V: r.ValidCount, L: r.TooLongCount, R: r.RepeatCount, I: r.InvalidCount },
    { T: 5, V: 2, L: 1, R: 1, I: 1 },
  );
  const list = await customList({ Email: "resrse@sdasd" });
  assert.equal(list.TotalCount, 1);
  const e = list.Data[0];
  assert.deepEqual(sortedKeys(e), ["CreateTime", "Email", "ExpireDate", "Id", "Status"]);
  assert.equal(e.Email, "resrse@sdasd.com");
  assert.equal(e.ExpireDate, "", "permanent");
  assert.equal(e.Status, 1);
  assert.match(e.CreateTime, DATETIME_RE);
  assert.ok(Number.isInteger(e.Id) && e.Id > 0);
  assert.equal((await customList({ Email: "spaced@example.net" })).Data[0].Email, "spaced@example.net", "trimmed");
  // An address already listed counts as a repeat and stays as it is.
  const again = await api().call("CreateCustomBlacklist", { Emails: ["RESRSE@sdasd.com"], ExpireDate: await day(3) });
  assert.equal(again.RepeatCount, 1);
  assert.equal(again.ValidCount, 0);
  assert.equal((await customList({ Email: "resrse@sdasd" })).Data[0].ExpireDate, "");
});

test("CreateCustomBlacklist: an address of 128 bytes is stored, 129 bytes counts in TooLongCount; the Email filter takes 128 bytes", async () => {
  const at128 = `${"a".repeat(64)}@${"b".repeat(59)}.net`;
  const at129 = `${"a".repeat(64)}@${"b".repeat(60)}.net`;
  assert.equal(at128.length, 128);
  const r = await api().call("CreateCustomBlacklist", { Emails: [at128, at129] });
  assert.deepEqual([r.TotalCount, r.ValidCount, r.TooLongCount, r.InvalidCount, r.RepeatCount], [2, 1, 1, 0, 0]);
  assert.equal((await customList({ Email: at128 })).TotalCount, 1);
  await expectError(api().tc3("ListCustomBlacklist", { Offset: 0, Limit: 10, Status: 2, Email: at129 }), "InvalidParameterValue");
  await api().call("DeleteCustomBlackList", { Emails: [at128] });
});

test("custom blacklist: an active entry refuses SendEmail with EmailAddrInBlacklist; fixture entries (active and expired)", async () => {
  await api().call("CreateCustomBlacklist", { Emails: ["custom-blocked@example.net"] });
  await expectError(sendRaw("custom-blocked@example.net"), "FailedOperation.EmailAddrInBlacklist");
  await expectError(sendRaw("ok@example.net", { Bcc: ["custom-blocked@example.net"] }), "FailedOperation.EmailAddrInBlacklist");
  await expectError(sendRaw("fixture-blocked@example.net"), "FailedOperation.EmailAddrInBlacklist");
  assert.ok(await send("fixture-expired@example.net"), "an expired fixture entry no longer suppresses");
  const expired = await customList({ Status: 0, Email: "fixture-expired" });
  assert.equal(expired.TotalCount, 1);
  assert.equal(expired.Data[0].ExpireDate, "2000-01-01");
  assert.equal(expired.Data[0].Status, 0);
  await api().call("DeleteCustomBlackList", { Emails: ["custom-blocked@example.net", "not-listed@example.net"] });
  assert.ok(await send("custom-blocked@example.net"), "accepted once deleted");
});

test("scenario: a custom entry with an expiry stops suppressing when the emulator's clock passes it", async () => {
  await withEmulator({ fixtures: accounts() }, async (emu) => {
    const tomorrow = await day(1, emu);
    const c = api(emu);
    await c.call("CreateCustomBlacklist", { Emails: ["until-tomorrow@example.net"], ExpireDate: tomorrow });
    await expectError(sendRaw("until-tomorrow@example.net", {}, { emu }), "FailedOperation.EmailAddrInBlacklist");
    const active = await c.call("ListCustomBlacklist", { Offset: 0, Limit: 10, Status: 1, Email: "until-tomorrow" });
    assert.equal(active.TotalCount, 1);
    assert.equal(active.Data[0].ExpireDate, tomorrow);
    assert.equal(active.Data[0].Status, 1);

    // To the last second of today it still applies; from 00:00:00 of the expire date it does not.
    const now = await clock(emu);
    const secondsToMidnight = 86400 - ((now.timestamp + 8 * 3600) % 86400);
    await advanceClock(emu, secondsToMidnight - 5);
    await expectError(sendRaw("until-tomorrow@example.net", {}, { emu }), "FailedOperation.EmailAddrInBlacklist");
    await advanceClock(emu, 5);
    assert.equal((await clock(emu)).now.slice(0, 10), tomorrow);
    const expired = await c.call("ListCustomBlacklist", { Offset: 0, Limit: 10, Status: 0, Email: "until-tomorrow" });
    assert.equal(expired.TotalCount, 1);
    assert.equal(expired.Data[0].Status, 0);
    assert.equal((await c.call("ListCustomBlacklist", { Offset: 0, Limit: 10, Status: 1, Email: "until-tomorrow" })).TotalCount, 0);
    assert.ok(await send("until-tomorrow@example.net", {}, { emu }), "accepted once expired");
  });
});

test("UpdateCustomBlackList: changes the address and the expiry; an empty ExpireDate makes it permanent", async () => {
  await api().call("CreateCustomBlacklist", { Emails: ["old-address@example.net"], ExpireDate: await day(5) });
  const id = (await customList({ Email: "old-address@example.net" })).Data[0].Id;
  const r = await sdk().UpdateCustomBlackList({ Id: id, Email: "new-address@example.net", ExpireDate: await day(9) });
  assert.deepEqual(sortedKeys(r), ["RequestId"]);
  let e = (await customList({ Email: "new-address@example.net" })).Data[0];
  assert.equal(e.Id, id);
  assert.equal(e.ExpireDate, await day(9));
  assert.equal((await customList({ Email: "old-address@example.net" })).TotalCount, 0);
  assert.ok(await send("old-address@example.net"), "the old address is free");
  await expectError(sendRaw("new-address@example.net"), "FailedOperation.EmailAddrInBlacklist");
  await api().call("UpdateCustomBlackList", { Id: id, Email: "new-address@example.net", ExpireDate: "" });
  e = (await customList({ Email: "new-address@example.net" })).Data[0];
  assert.equal(e.ExpireDate, "");
  await api().call("UpdateCustomBlackList", { Id: id, Email: "new-address@example.net" });
  // Unknown id; an address another entry holds.
  await expectError(api().tc3("UpdateCustomBlackList", { Id: 987654321, Email: "x@example.net" }), "ResourceNotFound");
  await expectError(
    api().tc3("UpdateCustomBlackList", { Id: id, Email: "fixture-blocked@example.net" }),
    "InvalidParameterValue",
  );
});

test("ListCustomBlacklist: newest first, Status 0/1/2, Email substring (letter case ignored), paging", async () => {
  await withEmulator({ fixtures: accounts() }, async (emu) => {
    const c = api(emu);
    await c.call("CreateCustomBlacklist", { Emails: ["p1@example.net", "p2@example.net", "p3@Example.NET"] });
    const all = await c.call("ListCustomBlacklist", { Offset: 0, Limit: 100, Status: 2 });
    assert.equal(all.TotalCount, 6, "three from the fixture, three new");
    const ids = all.Data.map((e) => e.Id);
    assert.deepEqual(ids, [...ids].sort((x, y) => y - x), "newest first");
    assert.equal(all.Data[0].Email, "p3@Example.NET");
    const active = await c.call("ListCustomBlacklist", { Offset: 0, Limit: 100, Status: 1 });
    assert.equal(active.TotalCount, 5);
    const expired = await c.call("ListCustomBlacklist", { Offset: 0, Limit: 100, Status: 0 });
    assert.deepEqual(expired.Data.map((e) => e.Email), ["fixture-expired@example.net"]);
    const page = await c.call("ListCustomBlacklist", { Offset: 1, Limit: 2, Status: 2 });
    assert.equal(page.TotalCount, 6);
    assert.deepEqual(page.Data.map((e) => e.Email), ["p2@example.net", "p1@example.net"]);
    const one = await c.call("ListCustomBlacklist", { Offset: 0, Limit: 10, Status: 2, Email: "P3@EXAMPLE" });
    assert.deepEqual(one.Data.map((e) => e.Email), ["p3@Example.NET"]);
    const part = await c.call("ListCustomBlacklist", { Offset: 0, Limit: 10, Status: 1, Email: "fixture-" });
    assert.deepEqual(part.Data.map((e) => e.Email), ["fixture-blocked@example.net"]);
    await expectError(c.tc3("ListCustomBlacklist", { Offset: 0, Limit: 10, Status: 3 }), "InvalidParameterValue");
  });
});

// ---- unsubscribes -------------------------------------------------------------------------------

test("scenario: an unsubscribe link followed over HTTP → next send refused → statistics show it", async () => {
  const to = "reader@example.net";
  const id = await send(to, { FromEmailAddress: `News <${NEWS}>` });
  const view = await message(id);
  // The sender's address-level setting ("2", on) puts the English footer and List-Unsubscribe in.
  assert.match(view.text, /To stop receiving these emails, unsubscribe here: (\S+)/);
  const link = /unsubscribe here: (\S+)/.exec(view.text)[1];
  assert.equal(link, `${h.emu.url}/_emulator/unsubscribe/${id}`);
  assert.equal(view.headers["List-Unsubscribe"], `<${link}>`);
  assert.equal(view.headers["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click");
  const path = new URL(link).pathname;

  // The page a browser shows: a form that posts back to the same URL.
  const page = await control(h.emu, "GET", path);
  assert.equal(page.status, 200, page.text);
  assert.match(page.headers["content-type"], /^text\/html/);
  assert.match(page.text, new RegExp(`<form method="post" action="${path}">`));
  assert.ok(page.text.includes(NEWS) && page.text.includes(to));

  // Before: accepted; GetSendEmailStatus not unsubscribed.
  const stats = async () =>
    (await api().call("GetStatisticsReport", { StartDate: await day(), EndDate: await day(), Domain: "example.com" })).OverallVolume
      .UnsubscribeCount;
  const before = await stats();

  // The button: the form's POST.
  const posted = await control(h.emu, "POST", path, "List-Unsubscribe=One-Click", "application/x-www-form-urlencoded");
  assert.equal(posted.status, 200, posted.text);
  assert.match(posted.text, /Unsubscribed/);

  await expectError(sendRaw(to, { FromEmailAddress: NEWS }), "FailedOperation.ReceiverHasUnsubscribed");
  await expectError(sendRaw(to.toUpperCase(), { FromEmailAddress: NEWS }), "FailedOperation.ReceiverHasUnsubscribed");
  assert.ok(await send(to), "another sender of the account may still write");

  assert.equal(await stats(), before + 1);
  const status = await api().call("GetSendEmailStatus", { RequestDate: await day(), Offset: 0, Limit: 10, MessageId: id });
  assert.equal(status.EmailStatusList[0].UserUnsubscribed, true);

  // Idempotent: a second POST (a mail client's one-click) changes nothing.
  const twice = await control(h.emu, "POST", path, "List-Unsubscribe=One-Click", "application/x-www-form-urlencoded");
  assert.equal(twice.status, 200);
  assert.equal(await stats(), before + 1);
});

test("unsubscribe route: 404 for an unknown message, 405 for other methods", async () => {
  const missing = await control(h.emu, "GET", "/_emulator/unsubscribe/qcloudses-30-1-date-20240101000000-AAAAAAAAAAAA");
  assert.equal(missing.status, 404);
  assert.match(missing.headers["content-type"], /^text\/html/);
  assert.equal((await control(h.emu, "POST", "/_emulator/unsubscribe/nope", "")).status, 404);
  assert.equal((await control(h.emu, "GET", "/_emulator/unsubscribe/")).status, 404);
  const id = await send("someone@example.net", { Unsubscribe: "2" });
  assert.equal((await control(h.emu, "DELETE", `/_emulator/unsubscribe/${id}`)).status, 405);
});

test("the link of SendEmail's own Unsubscribe parameter unsubscribes too (from that sender only)", async () => {
  const to = "param-link@example.net";
  const id = await send(to, { Unsubscribe: "1" });
  assert.match((await message(id)).text, /如不想再收到此类邮件，请点击退订/);
  assert.equal((await control(h.emu, "POST", `/_emulator/unsubscribe/${id}`, "")).status, 200);
  await expectError(sendRaw(to), "FailedOperation.ReceiverHasUnsubscribed");
  assert.ok(await send(to, { FromEmailAddress: "spare@example.com" }));
});

test("address-level settings: Create, List, Update, Delete; the footer follows the setting", async () => {
  const c = api();
  const list = async () => (await sdk().ListAddressUnsubscribeConfig({ Offset: 0, Limit: "100" })).AddressUnsubscribeConfigList;
  const initial = await sdk().ListAddressUnsubscribeConfig({});
  assert.deepEqual(sortedKeys(initial), ["AddressUnsubscribeConfigList", "RequestId", "Total"]);
  assert.deepEqual(initial.AddressUnsubscribeConfigList.slice(0, 2), [
    { Address: NEWS, UnsubscribeConfig: "2", Status: 1 },
    { Address: QUIET, UnsubscribeConfig: "1", Status: 0 },
  ]);
  assert.equal((await message(await send("q@example.net", { FromEmailAddress: QUIET }))).text.includes("退订"), false, "off: no link");

  const created = await sdk().CreateAddressUnsubscribeConfig({ Address: "spare@example.com", UnsubscribeConfig: "7", Status: 1 });
  assert.deepEqual(sortedKeys(created), ["RequestId"]);
  assert.deepEqual((await list()).find((x) => x.Address === "spare@example.com"), {
    Address: "spare@example.com",
    UnsubscribeConfig: "7",
    Status: 1,
  });
  const ja = await message(await send("ja@example.net", { FromEmailAddress: "spare@example.com" }));
  assert.match(ja.text, /こちらから配信停止できます/);
  assert.ok(ja.headers["List-Unsubscribe"]);

  // A second Create replaces the setting.
  await c.call("CreateAddressUnsubscribeConfig", { Address: "spare@example.com", UnsubscribeConfig: "5", Status: 1 });
  assert.equal((await list()).filter((x) => x.Address === "spare@example.com").length, 1);
  const r = await sdk().UpdateAddressUnsubscribeConfig({ Address: "spare@example.com", UnsubscribeConfig: "12", Status: 1 });
  assert.deepEqual(sortedKeys(r), ["RequestId"]);
  assert.match((await message(await send("vi@example.net", { FromEmailAddress: "spare@example.com" }))).text, /hủy đăng ký/);
  // The call's own Unsubscribe code wins over the setting.
  assert.match(
    (await message(await send("de@example.net", { FromEmailAddress: "spare@example.com", Unsubscribe: "6" }))).text,
    /melden Sie sich hier ab/,
  );
  // "0" with the setting on: no link.
  await c.call("UpdateAddressUnsubscribeConfig", { Address: "spare@example.com", UnsubscribeConfig: "0", Status: 1 });
  assert.equal((await message(await send("none@example.net", { FromEmailAddress: "spare@example.com" }))).headers["List-Unsubscribe"], undefined);

  const del = await sdk().DeleteAddressUnsubscribeConfig({ Address: "spare@example.com" });
  assert.deepEqual(sortedKeys(del), ["RequestId"]);
  assert.equal((await list()).some((x) => x.Address === "spare@example.com"), false);
  await expectError(c.tc3("DeleteAddressUnsubscribeConfig", { Address: "spare@example.com" }), "ResourceNotFound");
  await expectError(
    c.tc3("UpdateAddressUnsubscribeConfig", { Address: "spare@example.com", UnsubscribeConfig: "2", Status: 1 }),
    "ResourceNotFound",
  );
});

test("ListAddressUnsubscribeConfig: Limit is a string; Offset pages; Limit \"100\" and one past it", async () => {
  const all = await api().call("ListAddressUnsubscribeConfig", { Offset: 0, Limit: "100" });
  assert.equal(all.Total, all.AddressUnsubscribeConfigList.length);
  const page = await api().call("ListAddressUnsubscribeConfig", { Offset: 1, Limit: "1" });
  assert.deepEqual(page.AddressUnsubscribeConfigList, all.AddressUnsubscribeConfigList.slice(1, 2));
  assert.equal(page.Total, all.Total);
  await expectError(api().tc3("ListAddressUnsubscribeConfig", { Limit: "101" }), "InvalidParameterValue");
});

// ---- batches -----------------------------------------------------------------------------------

test("BatchSendEmail: a custom-blacklisted member gets SendStatus 1007, an unsubscribed one 1013; the rest are sent", async () => {
  // Unsubscribe gone-member@ from the sender through a link.
  const id = await send("gone-member@example.net", { Unsubscribe: "2" });
  assert.equal((await control(h.emu, "POST", `/_emulator/unsubscribe/${id}`, "")).status, 200);
  const groups = await api().call("ListReceivers", { Offset: 0, Limit: 100 });
  const group = groups.Data.find((g) => g.ReceiversName === "mixed").ReceiverId;
  const { TaskId } = await api().call("BatchSendEmail", {
    FromEmailAddress: SENDER,
    ReceiverId: group,
    Subject: "Batch {{name}}",
    TaskType: 1,
    Template: { TemplateID: await welcomeId(), TemplateData: "{}" },
  });
  const deadline = Date.now() + WAIT_MS;
  let task;
  for (;;) {
    task = (await api().call("ListSendTasks", { Offset: 0, Limit: 100 })).Data.find((t) => t.TaskId === TaskId);
    if (task.TaskStatus === 10) break;
    assert.ok(Date.now() < deadline, `task never done: ${JSON.stringify(task)}`);
    await sleep(50);
  }
  assert.equal(task.RequestCount, 3);
  assert.equal(task.SendCount, 1);
  const r = await rawRequest(h.emu, { path: `/_emulator/messages?task_id=${TaskId}` });
  const by = {};
  for (const m of r.json.messages) by[m.to[0]] = (await message(m.id)).recipients[0];
  assert.equal(by["blocked-member@example.net"].send_status, 1007);
  assert.equal(by["gone-member@example.net"].send_status, 1013);
  assert.equal(by["fine-member@example.net"].send_status, 0);
  assert.equal(by["fine-member@example.net"].outcome, "delivered");
  const status = await api().call("GetSendEmailStatus", {
    RequestDate: await day(),
    Offset: 0,
    Limit: 100,
    ToEmailAddress: "gone-member@example.net",
  });
  assert.ok(status.EmailStatusList.some((s) => s.SendStatus === 1013));
});

// ---- isolation -----------------------------------------------------------------------------------

test("isolation: one account's blacklists and unsubscribes never affect another account's sends", async () => {
  // Account A: custom entry, bounce, unsubscribe for the same addresses B then mails.
  await api().call("CreateCustomBlacklist", { Emails: ["shared-blocked@example.net"] });
  const id = await send("shared-gone@example.net", { Unsubscribe: "2" });
  await control(h.emu, "POST", `/_emulator/unsubscribe/${id}`, "");
  await send("bounce+shared@ses-simulator.test");
  for (const to of ["shared-blocked@example.net", "shared-gone@example.net", "bounce+shared@ses-simulator.test", "fixture-blocked@example.net"]) {
    assert.ok(await send(to, {}, { cred: B }), `B may mail ${to}`);
  }
  // B sees none of A's entries.
  const today = await day();
  const b = api(h.emu, B);
  assert.equal((await b.call("ListCustomBlacklist", { Offset: 0, Limit: 100, Status: 2 })).TotalCount, 0);
  const bounces = await b.call("ListBlackEmailAddress", { StartDate: today, EndDate: today, Limit: 100, Offset: 0 });
  assert.deepEqual(
    bounces.BlackList.map((e) => e.EmailAddress),
    ["bounce+shared@ses-simulator.test"],
    "only B's own bounce (its send to the address bounced too)",
  );
  assert.equal((await b.call("ListAddressUnsubscribeConfig", {})).Total, 0);
  // B cannot change A's lists.
  const entry = (await customList({ Email: "shared-blocked" })).Data[0];
  await expectError(b.tc3("UpdateCustomBlackList", { Id: entry.Id, Email: "x@example.net" }), "ResourceNotFound");
  await b.call("DeleteCustomBlackList", { Emails: ["shared-blocked@example.net"] });
  await expectError(sendRaw("shared-blocked@example.net"), "FailedOperation.EmailAddrInBlacklist");
  const abuse = await intl(h.emu, B).GetAbuseReport({ StartTime: today, EndTime: today });
  assert.equal(abuse.TotalCount, 0);
});

// ---- complaints ----------------------------------------------------------------------------------

test("scenario: a complaint (the simulator's complaint@) → GetAbuseReport lists it", async () => {
  await withEmulator({ fixtures: accounts() }, async (emu) => {
    const today = await day(0, emu);
    const id = await send("complaint@ses-simulator.test", { Subject: "Spammy" }, { emu });
    const r = await intl(emu).GetAbuseReport({ StartTime: today, EndTime: today });
    assert.deepEqual(sortedKeys(r), ["Data", "RequestId", "TotalCount"]);
    assert.equal(r.TotalCount, 1);
    const report = r.Data[0];
    assert.deepEqual(sortedKeys(report), [
      "AbuseTime",
      "BulkId",
      "ComplainTime",
      "DeliverTime",
      "FromDomain",
      "InsertTime",
      "MessageId",
      "Mta",
      "OriginalMailFrom",
      "OriginalRcptTo",
      "SourceIp",
      "Subject",
      "TemplateId",
    ]);
    assert.equal(report.OriginalMailFrom, SENDER);
    assert.equal(report.OriginalRcptTo, "complaint@ses-simulator.test");
    assert.equal(report.FromDomain, "example.com");
    assert.equal(report.Mta, "ses-simulator.test");
    assert.equal(report.Subject, "Spammy");
    assert.equal(report.TemplateId, String(await welcomeId(emu)));
    assert.equal(report.BulkId, "");
    assert.equal(report.MessageId, `${id}@ses-emulator.local`);
    for (const k of ["DeliverTime", "ComplainTime", "AbuseTime", "InsertTime"]) assert.match(report[k], DATETIME_RE);
    const status = await api(emu).call("GetSendEmailStatus", { RequestDate: today, Offset: 0, Limit: 10, MessageId: id });
    assert.equal(status.EmailStatusList[0].UserComplained, true);

    // Filters.
    const count = async (params) => (await intl(emu).GetAbuseReport({ StartTime: today, EndTime: today, ...params })).TotalCount;
    assert.equal(await count({ FromDomain: "EXAMPLE.com" }), 1);
    assert.equal(await count({ FromDomain: "example.org" }), 0);
    assert.equal(await count({ FromAddress: SENDER }), 1);
    assert.equal(await count({ FromAddress: "other@example.com" }), 0);
    assert.equal(await count({ Mta: "ses-simulator.test" }), 1);
    assert.equal(await count({ Mta: "gmail.com" }), 0);
    assert.equal(await count({ ToAddress: "complaint@ses-simulator.test" }), 1);
    assert.equal(await count({ ToAddress: "x@ses-simulator.test" }), 0);
    assert.equal(await count({ TemplateId: String(await welcomeId(emu)) }), 1);
    assert.equal(await count({ TemplateId: "999" }), 0);
    // The time range is the complaint's CST date.
    assert.equal((await intl(emu).GetAbuseReport({ StartTime: addDays(today, -3), EndTime: addDays(today, -1) })).TotalCount, 0);
    assert.equal((await intl(emu).GetAbuseReport({ StartTime: today, EndTime: addDays(today, -1) })).TotalCount, 0);
    await advanceClock(emu, 86400);
    assert.equal((await intl(emu).GetAbuseReport({ StartTime: today, EndTime: today })).TotalCount, 1);
  });
});

test("POST /_emulator/complaints: a recipient reports a message; idempotent; 404 and 400", async () => {
  await withEmulator({ fixtures: accounts() }, async (emu) => {
    const today = await day(0, emu);
    const id = await send(["one@gmail.com", "two@example.net"], { Cc: ["three@example.net"] }, { emu });
    const r = await complain({ message_id: id, address: "ONE@gmail.com" }, emu);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { complaints: [{ address: "one@gmail.com", recorded: true }], message_id: id });
    const again = await complain({ message_id: id, address: "one@gmail.com" }, emu);
    assert.deepEqual(again.json.complaints, [{ address: "one@gmail.com", recorded: false }]);
    const reports = await intl(emu).GetAbuseReport({ StartTime: today, EndTime: today, Mta: "gmail.com" });
    assert.equal(reports.TotalCount, 1);
    assert.equal(reports.Data[0].OriginalRcptTo, "one@gmail.com");
    // Without an address: every recipient (To, Cc, Bcc).
    const all = await complain({ message_id: id }, emu);
    assert.deepEqual(
      all.json.complaints.map((c) => [c.address, c.recorded]),
      [
        ["one@gmail.com", false],
        ["two@example.net", true],
        ["three@example.net", true],
      ],
    );
    assert.equal((await intl(emu).GetAbuseReport({ StartTime: today, EndTime: today })).TotalCount, 3);
    const status = await api(emu).call("GetSendEmailStatus", { RequestDate: today, Offset: 0, Limit: 10, MessageId: id });
    assert.ok(status.EmailStatusList.every((s) => s.UserComplained === true));

    assert.equal((await complain({ message_id: "nope" }, emu)).status, 404);
    assert.equal((await complain({ message_id: id, address: "stranger@example.net" }, emu)).status, 400);
    assert.equal((await complain({ message: id }, emu)).status, 400);
    assert.equal((await complain("not json", emu)).status, 400);
    assert.equal((await complain({ address: "one@gmail.com" }, emu)).status, 400);
    assert.equal((await control(emu, "GET", "/_emulator/complaints")).status, 405);
  });
});

test("GetAbuseReport: Limit defaults to 1000 and pages with Offset; a batch's report carries its task id in BulkId", async () => {
  await withEmulator({ fixtures: accounts() }, async (emu) => {
    const today = await day(0, emu);
    for (const n of [1, 2, 3]) await send(`complaint+${n}@ses-simulator.test`, {}, { emu });
    const all = await intl(emu).GetAbuseReport({ StartTime: today, EndTime: today });
    assert.equal(all.TotalCount, 3);
    assert.equal(all.Data.length, 3);
    const page = await intl(emu).GetAbuseReport({ StartTime: today, EndTime: today, Offset: 1, Limit: 1 });
    assert.equal(page.TotalCount, 3);
    assert.deepEqual(page.Data, all.Data.slice(1, 2));
    const max = await intl(emu).GetAbuseReport({ StartTime: today, EndTime: today, Limit: 1000 });
    assert.equal(max.Data.length, 3);
  });
});

// ---- error codes: DeleteBlackList -------------------------------------------------------------------

test("DeleteBlackList InvalidParameterValue: an empty EmailAddressList; an entry that is not an address", async () => {
  await expectError(api().tc3("DeleteBlackList", { EmailAddressList: [] }), "InvalidParameterValue");
  await expectError(api().tc3("DeleteBlackList", { EmailAddressList: ["ok@example.net", "not-an-address"] }), "InvalidParameterValue", {
    message: /EmailAddressList\.1/,
  });
});

test("DeleteBlackList InvalidParameter: EmailAddressList not a list of strings", async () => {
  await expectError(api().tc3("DeleteBlackList", { EmailAddressList: "a@example.net" }), "InvalidParameter");
  await expectError(api().tc3("DeleteBlackList", { EmailAddressList: [1] }), "InvalidParameter");
});

test("OperationDenied: a suspended account (DeleteBlackList, ListBlackEmailAddress, ListAddressUnsubscribeConfig, UpdateAddressUnsubscribeConfig)", async () => {
  const s = api(h.emu, SUSPENDED);
  const today = await day();
  await expectError(s.tc3("DeleteBlackList", { EmailAddressList: ["a@example.net"] }), "OperationDenied");
  await expectError(
    s.tc3("ListBlackEmailAddress", { StartDate: today, EndDate: today, Limit: 10, Offset: 0 }),
    "OperationDenied",
  );
  await expectError(s.tc3("ListAddressUnsubscribeConfig", {}), "OperationDenied");
  await expectError(
    s.tc3("UpdateAddressUnsubscribeConfig", { Address: "a@example.net", UnsubscribeConfig: "1", Status: 1 }),
    "OperationDenied",
  );
});

test("RequestLimitExceeded: --rate-limit documented, more than 20 calls a second (DeleteBlackList, ListBlackEmailAddress, ListAddressUnsubscribeConfig, UpdateAddressUnsubscribeConfig)", async () => {
  await withEmulator({ fixtures: accounts(), args: ["--rate-limit", "documented"] }, async (emu) => {
    const today = await day(0, emu);
    const calls = {
      DeleteBlackList: { EmailAddressList: ["a@example.net"] },
      ListBlackEmailAddress: { StartDate: today, EndDate: today, Limit: 10, Offset: 0 },
      ListAddressUnsubscribeConfig: {},
      UpdateAddressUnsubscribeConfig: { Address: NEWS, UnsubscribeConfig: "2", Status: 1 },
    };
    for (const [action, params] of Object.entries(calls)) {
      // Bursts of 60 at once: at least 21 land in one one-second window unless the machine is
      // so loaded that a burst spreads over three seconds; then try again (at most five bursts).
      const seen = new Set();
      for (let burst = 0; burst < 5 && !seen.has("RequestLimitExceeded"); burst++) {
        const answers = await Promise.all(Array.from({ length: 60 }, () => api(emu).tc3(action, params)));
        for (const r of answers) seen.add(r.json.Response.Error ? r.json.Response.Error.Code : "ok");
      }
      assert.deepEqual([...seen].sort(), ["RequestLimitExceeded", "ok"], action);
    }
  });
});

// ---- error codes: ListBlackEmailAddress ---------------------------------------------------------

test("ListBlackEmailAddress FailedOperation.InvalidLimit: Limit 101 (100 is accepted)", async () => {
  const today = await day();
  const p = { StartDate: today, EndDate: today, Offset: 0 };
  await api().call("ListBlackEmailAddress", { ...p, Limit: 100 });
  await expectError(api().tc3("ListBlackEmailAddress", { ...p, Limit: 101 }), "FailedOperation.InvalidLimit");
});

test("ListBlackEmailAddress InvalidParameterValue: Limit 0", async () => {
  const today = await day();
  await expectError(
    api().tc3("ListBlackEmailAddress", { StartDate: today, EndDate: today, Limit: 0, Offset: 0 }),
    "InvalidParameterValue",
  );
});

test("ListBlackEmailAddress InvalidParameter: Limit as a string", async () => {
  const today = await day();
  await expectError(
    api().tc3("ListBlackEmailAddress", { StartDate: today, EndDate: today, Limit: "10", Offset: 0 }),
    "InvalidParameter",
  );
});

test("ListBlackEmailAddress InvalidParameterValue.WrongDate: a bad StartDate or EndDate; EndDate before StartDate", async () => {
  const p = { Limit: 10, Offset: 0 };
  for (const [start, end, param] of [
    ["2021-02-29", "2021-03-01", "StartDate"],
    ["2021-03-01", "2021-3-2", "EndDate"],
    ["", "2021-03-01", "StartDate"],
    ["2021-03-02", "2021-03-01", "EndDate"],
  ]) {
    await expectError(api().tc3("ListBlackEmailAddress", { ...p, StartDate: start, EndDate: end }), "InvalidParameterValue.WrongDate", {
      message: new RegExp(param),
    });
  }
});

// ---- error codes: the custom blacklist -------------------------------------------------------------

test("CreateCustomBlacklist MissingParameter.EmailsNecessary: an empty Emails", async () => {
  await expectError(api().tc3("CreateCustomBlacklist", { Emails: [] }), "MissingParameter.EmailsNecessary");
});

test("CreateCustomBlacklist LimitExceeded.ReceiverDetailRequestLimit: 20,001 addresses (20,000 are accepted)", async () => {
  await withEmulator({ fixtures: accounts() }, async (emu) => {
    const emails = Array.from({ length: 20000 }, (_, i) => `limit${i}@example.net`);
    const ok = await api(emu).call("CreateCustomBlacklist", { Emails: emails });
    assert.equal(ok.TotalCount, 20000);
    assert.equal(ok.ValidCount, 20000);
    await expectError(
      api(emu).tc3("CreateCustomBlacklist", { Emails: [...emails, "one-more@example.net"] }),
      "LimitExceeded.ReceiverDetailRequestLimit",
    );
  });
});

test("CreateCustomBlacklist InvalidParameterValue.WrongDate: not a date, or not after today (tomorrow is accepted)", async () => {
  for (const date of ["2024-13-01", "2024/06/19", await day(0), await day(-1)]) {
    await expectError(
      api().tc3("CreateCustomBlacklist", { Emails: ["dated@example.net"], ExpireDate: date }),
      "InvalidParameterValue.WrongDate",
    );
  }
  const r = await api().call("CreateCustomBlacklist", { Emails: ["dated@example.net"], ExpireDate: await day(1) });
  assert.equal(r.ValidCount, 1);
});

test("ListCustomBlacklist FailedOperation.InvalidLimit: Limit 101 (100 is accepted)", async () => {
  await customList({ Limit: 100 });
  await expectError(api().tc3("ListCustomBlacklist", { Offset: 0, Limit: 101, Status: 2 }), "FailedOperation.InvalidLimit");
  await expectError(api().tc3("ListCustomBlacklist", { Offset: 0, Limit: 0, Status: 2 }), "InvalidParameterValue");
});

test("UpdateCustomBlackList InvalidParameterValue.IllegalEmailAddress: Email not an address", async () => {
  await expectError(api().tc3("UpdateCustomBlackList", { Id: 1, Email: "nope" }), "InvalidParameterValue.IllegalEmailAddress");
  await expectError(api().tc3("UpdateCustomBlackList", { Id: 1, Email: "" }), "InvalidParameterValue.IllegalEmailAddress");
});

test("UpdateCustomBlackList InvalidParameterValue.WrongDate: ExpireDate not a date, or not after today", async () => {
  const id = (await customList({ Email: "fixture-blocked" })).Data[0].Id;
  for (const date of ["tomorrow", "2024-02-30", await day(0)]) {
    await expectError(
      api().tc3("UpdateCustomBlackList", { Id: id, Email: "fixture-blocked@example.net", ExpireDate: date }),
      "InvalidParameterValue.WrongDate",
    );
  }
});

test("DeleteCustomBlackList InvalidParameterValue: an empty Emails", async () => {
  await expectError(api().tc3("DeleteCustomBlackList", { Emails: [] }), "InvalidParameterValue");
});

for (const [action, params] of [
  ["ListCustomBlacklist", { Offset: 0, Limit: 10, Status: 2 }],
  ["UpdateCustomBlackList", { Id: 1, Email: "a@example.net" }],
  ["DeleteCustomBlackList", { Emails: ["a@example.net"] }],
  ["CreateAddressUnsubscribeConfig", { Address: NEWS, UnsubscribeConfig: "2", Status: 1 }],
  ["ListAddressUnsubscribeConfig", {}],
  ["UpdateAddressUnsubscribeConfig", { Address: NEWS, UnsubscribeConfig: "2", Status: 1 }],
  ["DeleteAddressUnsubscribeConfig", { Address: NEWS }],
]) {
  test(`${action} InternalError: the store failing (fault injection)`, async () => {
    await fault({ action, code: "InternalError", app_id: APP_A });
    await expectError(api().tc3(action, params), "InternalError");
  });
}

// ---- error codes: address-level unsubscribe settings ----------------------------------------------

test("CreateAddressUnsubscribeConfig MissingParameter.SendParamNecessary: an empty Address", async () => {
  await expectError(
    api().tc3("CreateAddressUnsubscribeConfig", { Address: "", UnsubscribeConfig: "1", Status: 1 }),
    "MissingParameter.SendParamNecessary",
  );
});

test("CreateAddressUnsubscribeConfig OperationDenied.SendAddressStatusError: not a sender address of the account", async () => {
  for (const address of ["stranger@example.com", "not-an-address", "sender@example.org"]) {
    await expectError(
      api().tc3("CreateAddressUnsubscribeConfig", { Address: address, UnsubscribeConfig: "1", Status: 1 }),
      "OperationDenied.SendAddressStatusError",
    );
  }
});

test("CreateAddressUnsubscribeConfig InvalidParameterValue: UnsubscribeConfig not \"0\"-\"12\", Status not 0/1", async () => {
  for (const [config, status] of [["13", 1], ["", 1], ["x", 1], ["-1", 1], ["1", 2]]) {
    await expectError(
      api().tc3("CreateAddressUnsubscribeConfig", { Address: "spare@example.com", UnsubscribeConfig: config, Status: status }),
      "InvalidParameterValue",
    );
  }
  await api().call("CreateAddressUnsubscribeConfig", { Address: "spare@example.com", UnsubscribeConfig: "12", Status: 0 });
  await api().call("DeleteAddressUnsubscribeConfig", { Address: "spare@example.com" });
});

test("UpdateAddressUnsubscribeConfig InvalidParameterValue.EmailAddressIsNULL: an empty Address", async () => {
  await expectError(
    api().tc3("UpdateAddressUnsubscribeConfig", { Address: "", UnsubscribeConfig: "1", Status: 1 }),
    "InvalidParameterValue.EmailAddressIsNULL",
  );
});

test("UpdateAddressUnsubscribeConfig FailedOperation.IncorrectSender: Address not an address", async () => {
  await expectError(
    api().tc3("UpdateAddressUnsubscribeConfig", { Address: "News <news@example.com>", UnsubscribeConfig: "1", Status: 1 }),
    "FailedOperation.IncorrectSender",
  );
});

test("UpdateAddressUnsubscribeConfig FailedOperation.NotAuthenticatedSender: not a sender address of the account", async () => {
  await expectError(
    api().tc3("UpdateAddressUnsubscribeConfig", { Address: "stranger@example.com", UnsubscribeConfig: "1", Status: 1 }),
    "FailedOperation.NotAuthenticatedSender",
  );
});

test("UpdateAddressUnsubscribeConfig InvalidParameterValue: UnsubscribeConfig \"13\"; Status 5", async () => {
  await expectError(
    api().tc3("UpdateAddressUnsubscribeConfig", { Address: NEWS, UnsubscribeConfig: "13", Status: 1 }),
    "InvalidParameterValue",
  );
  await expectError(
    api().tc3("UpdateAddressUnsubscribeConfig", { Address: NEWS, UnsubscribeConfig: "2", Status: 5 }),
    "InvalidParameterValue",
  );
});

test("UpdateAddressUnsubscribeConfig MissingParameter, UnknownParameter, InvalidParameter: schema checks", async () => {
  await expectError(api().tc3("UpdateAddressUnsubscribeConfig", { Address: NEWS, Status: 1 }), "MissingParameter");
  await expectError(
    api().tc3("UpdateAddressUnsubscribeConfig", { Address: NEWS, UnsubscribeConfig: "2", Status: 1, Language: "en" }),
    "UnknownParameter",
  );
  await expectError(
    api().tc3("UpdateAddressUnsubscribeConfig", { Address: NEWS, UnsubscribeConfig: 2, Status: 1 }),
    "InvalidParameter",
  );
});

test("DeleteAddressUnsubscribeConfig MissingParameter.EmailsNecessary: Address absent or empty", async () => {
  await expectError(api().tc3("DeleteAddressUnsubscribeConfig", {}), "MissingParameter.EmailsNecessary");
  await expectError(api().tc3("DeleteAddressUnsubscribeConfig", { Address: "" }), "MissingParameter.EmailsNecessary");
});

test("DeleteAddressUnsubscribeConfig InvalidParameterValue.ReceiverEmailInvalid: Address not an address", async () => {
  await expectError(api().tc3("DeleteAddressUnsubscribeConfig", { Address: "nope" }), "InvalidParameterValue.ReceiverEmailInvalid");
});

test("ListAddressUnsubscribeConfig InvalidParameterValue: Limit \"0\", \"101\", \"ten\"", async () => {
  for (const limit of ["0", "101", "ten", "1.5", "99999999999"]) {
    await expectError(api().tc3("ListAddressUnsubscribeConfig", { Limit: limit }), "InvalidParameterValue");
  }
});

test("ListAddressUnsubscribeConfig InvalidParameter: Limit as a number (it is typed string)", async () => {
  await expectError(api().tc3("ListAddressUnsubscribeConfig", { Limit: 10 }), "InvalidParameter");
});

// The published lists of the four actions are copies of BatchSendEmail's, SendEmail's,
// CreateReceiverDetailWithData's and GetStatisticsReport's (SPEC.md §6). These codes name
// failures those actions have (templates, attachments, recipient groups, dates) that a
// setting call never meets; the emulator answers them only when a fault rule asks.
const COPIED = {
  CreateAddressUnsubscribeConfig: [
    { Address: NEWS, UnsubscribeConfig: "2", Status: 1 },
    [
      "FailedOperation.EmailContentToolarge",
      "InvalidParameterValue.BeginTimeBeforeNow",
      "InvalidParameterValue.EmailContentIsWrong",
      "InvalidParameterValue.SubjectLengthError",
      "InvalidParameterValue.TemplateDataError",
      "InvalidParameterValue.TemplateNotMatchData",
      "MissingParameter.CycleParamNecessary",
      "MissingParameter.TimedParamNecessary",
      "OperationDenied.ReceiverNotExist",
      "OperationDenied.ReceiverStatusError",
      "OperationDenied.TemplateStatusError",
    ],
  ],
  UpdateAddressUnsubscribeConfig: [
    { Address: NEWS, UnsubscribeConfig: "2", Status: 1 },
    [
      "FailedOperation.AttachContentToolarge",
      "FailedOperation.EmailAddrInBlacklist",
      "FailedOperation.EmailContentToolarge",
      "FailedOperation.ExceedSendLimit",
      "FailedOperation.FileURLNotExist",
      "FailedOperation.FrequencyLimit",
      "FailedOperation.HighRejectionRate",
      "FailedOperation.IllegalURL",
      "FailedOperation.IncorrectEmail",
      "FailedOperation.InsufficientBalance",
      "FailedOperation.InsufficientQuota",
      "FailedOperation.InvalidAttachName",
      "FailedOperation.InvalidTemplateID",
      "FailedOperation.MissingEmailContent",
      "FailedOperation.NoAttachPermission",
      "FailedOperation.ProtocolCheckErr",
      "FailedOperation.ReceiverHasUnsubscribed",
      "FailedOperation.RejectedByRecipients",
      "FailedOperation.SendEmailErr",
      "FailedOperation.TemporaryBlocked",
      "FailedOperation.TooManyAttachments",
      "FailedOperation.TooManyRecipients",
      "FailedOperation.URLForbidden",
      "FailedOperation.UnsupportMailType",
      "FailedOperation.WithOutPermission",
      "FailedOperation.WrongContentJson",
      "InvalidParameterValue.AttachContentIsWrong",
      "InvalidParameterValue.EmailContentIsWrong",
      "InvalidParameterValue.InvalidEmailIdentity",
      "InvalidParameterValue.ReceiverEmailInvalid",
      "LimitExceeded",
      "ResourceInsufficient",
      "ResourceUnavailable",
      "UnsupportedOperation",
    ],
  ],
  DeleteAddressUnsubscribeConfig: [
    { Address: NEWS },
    [
      "FailedOperation.ServiceNotAvailable",
      "InvalidParameterValue.InValidTemplateData",
      "InvalidParameterValue.TemplateDataError",
      "InvalidParameterValue.TemplateDataInconsistent",
      "InvalidParameterValue.TemplateDataLenLimit",
      "LimitExceeded.ReceiverDetailCountLimit",
      "LimitExceeded.ReceiverDetailRequestLimit",
      "OperationDenied.ReceiverIsOperating",
      "OperationDenied.ReceiverNotExist",
    ],
  ],
  ListAddressUnsubscribeConfig: [{}, ["InvalidParameterValue.WrongDate"]],
};
for (const [action, [params, codes]] of Object.entries(COPIED)) {
  for (const code of codes) {
    test(`${action} ${code}: copied from another action's list; fault injection only`, async () => {
      await fault({ action, code, app_id: APP_A });
      await expectError(api().tc3(action, params), code);
    });
  }
}

// ---- error codes: GetAbuseReport -----------------------------------------------------------------

test("GetAbuseReport InvalidParameter.InvalidStartTimeFormat: StartTime not a YYYY-MM-DD date", async () => {
  for (const start of ["2025-10-14 00:00:00", "2025/10/14", "2025-02-29", ""]) {
    await expectError(
      api().tc3("GetAbuseReport", { StartTime: start, EndTime: "2025-10-15" }),
      "InvalidParameter.InvalidStartTimeFormat",
    );
  }
});

test("GetAbuseReport InvalidParameter.InvalidEndTimeFormat: EndTime not a YYYY-MM-DD date", async () => {
  for (const end of ["20251015", "2025-10-32", "yesterday"]) {
    await expectError(api().tc3("GetAbuseReport", { StartTime: "2025-10-14", EndTime: end }), "InvalidParameter.InvalidEndTimeFormat");
  }
});

test("GetAbuseReport FailedOperation.InvalidLimit: Limit 1001 (1000 is accepted)", async () => {
  const p = { StartTime: "2025-10-14", EndTime: "2025-10-15" };
  await api().call("GetAbuseReport", { ...p, Limit: 1000 });
  await expectError(api().tc3("GetAbuseReport", { ...p, Limit: 1001 }), "FailedOperation.InvalidLimit");
  await expectError(api().tc3("GetAbuseReport", { ...p, Limit: 0 }), "InvalidParameterValue");
  await expectError(api().tc3("GetAbuseReport", { ...p, Offset: -1 }), "InvalidParameterValue");
});

test("GetAbuseReport InvalidParameter.AppIdIsRequired: fault injection only (a signed call always has an AppId)", async () => {
  await fault({ action: "GetAbuseReport", code: "InvalidParameter.AppIdIsRequired", app_id: APP_A });
  await expectError(intl().GetAbuseReport({ StartTime: "2025-10-14", EndTime: "2025-10-15" }), "InvalidParameter.AppIdIsRequired");
});

test("GetAbuseReport InternalError.QueryDataBaseFailed: the store failing (fault injection)", async () => {
  await fault({ action: "GetAbuseReport", code: "InternalError.QueryDataBaseFailed", app_id: APP_A });
  await expectError(
    api().tc3("GetAbuseReport", { StartTime: "2025-10-14", EndTime: "2025-10-15" }),
    "InternalError.QueryDataBaseFailed",
  );
});

// ---- SendEmail's unsubscribe code ---------------------------------------------------------------

test("SendEmail FailedOperation.ReceiverHasUnsubscribed: a recipient (To, Cc or Bcc) unsubscribed from this sender", async () => {
  const to = "unsub-code@example.net";
  const id = await send(to, { Unsubscribe: "2" });
  assert.equal((await control(h.emu, "POST", `/_emulator/unsubscribe/${id}`, "")).status, 200);
  await expectError(sendRaw(to), "FailedOperation.ReceiverHasUnsubscribed");
  await expectError(sendRaw("other@example.net", { Cc: [to] }), "FailedOperation.ReceiverHasUnsubscribed");
  await expectError(sendRaw("other@example.net", { Bcc: [to] }), "FailedOperation.ReceiverHasUnsubscribed");
  // The blacklists win when both apply.
  await api().call("CreateCustomBlacklist", { Emails: [to] });
  await expectError(sendRaw(to), "FailedOperation.EmailAddrInBlacklist");
});
