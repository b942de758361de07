"use strict";
// Focus: the control plane's state routes (README "Emulator routes"):
// POST /_emulator/reset, GET and POST /_emulator/fixtures, POST /_emulator/review.
// - reset and load replace everything in one transaction: ids start at 1 again,
//   fault rules are cleared, the clock goes back to real time; a fixture that
//   does not load changes nothing (not even the clock);
// - an export, loaded into an empty emulator (by POST or by --fixtures), gives
//   the same export again, the same ids through the API, and matches
//   fixtures/schema.json;
// - review decides templates, domains and senders for --review manual, and the
//   API (the official SDK) sees the decision;
// - every bad input gets its 4xx {"error": ...};
// - the README's curl examples of these routes run as written.

const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const { DEFAULT_ACCOUNT, REPO_ROOT, fixtureAccount, makeTempDir, sharedEmulator, withEmulator } = require("./lib/emulator");
const { b64, chinaClient, expectError, rawClient, rawRequest } = require("./lib/clients");
const { validate } = require("./lib/jsonschema");

const SCHEMA = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "fixtures", "schema.json"), "utf8"));
const h = sharedEmulator();

// What GET /_emulator/fixtures answers for the built-in default fixture.
const DEFAULT_EXPORT = {
  accounts: [
    {
      app_id: 1300000001,
      uin: "100000000001",
      suspended: false,
      enterprise_verified: true,
      daily_quota: 500,
      allow_simple: true,
      allow_attachments: true,
      credentials: [{ secret_id: DEFAULT_ACCOUNT.secretId, secret_key: DEFAULT_ACCOUNT.secretKey }],
      identities: [{ domain: "example.com", status: "verified" }],
      senders: [{ address: "noreply@example.com", name: "Example", status: "approved" }],
      templates: [
        { id: 1, name: "welcome", html: "<p>Hi {{name}}</p>", text: "Hi {{name}}", status: "approved" },
        {
          id: 2,
          name: "verify-code",
          html: "<p>Your verification code is <b>{{code}}</b>. It expires in 10 minutes.</p>",
          text: "Your verification code is {{code}}. It expires in 10 minutes.",
          status: "approved",
        },
      ],
    },
  ],
};

// A second account for the fixtures with several accounts.
const OTHER = fixtureAccount({
  app_id: 1300000002,
  uin: "100000000002",
  suspended: true,
  enterprise_verified: false,
  daily_quota: 10,
  credentials: [{ secret_id: "AKIDOTHERACCOUNT000000", secret_key: "other-secret", allow: ["List*", "GetEmailTemplate"] }],
  identities: [{ domain: "other.example.org", dkim_option: 1 }],
  senders: [{ address: "hi@other.example.org", status: "pending" }],
  templates: [{ name: "other", text: "Hello {{x}}", status: "rejected", review_reason: "too short" }],
});

// ---- helpers ----------------------------------------------------------------------------------

function request(method, route, body, emu = h.emu) {
  const opts = { method, path: route };
  if (body !== undefined) {
    opts.headers = { "Content-Type": "application/json" };
    opts.body = typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  }
  return rawRequest(emu, opts);
}

const get = (route, emu) => request("GET", route, undefined, emu);
const post = (route, body, emu) => request("POST", route, body, emu);

// A 4xx answer with a JSON {"error": "..."} body.
function assertClientError(res, status, pattern) {
  assert.equal(res.status, status, `HTTP ${status} expected: ${res.status} ${res.text}`);
  assert.match(res.headers["content-type"], /^application\/json/);
  assert.deepEqual(Object.keys(res.json || {}), ["error"], res.text);
  assert.equal(typeof res.json.error, "string");
  if (pattern) assert.match(res.json.error, pattern);
}

function assertOk(res, status = 200) {
  assert.equal(res.status, status, `HTTP ${status} expected: ${res.status} ${res.text}`);
  assert.match(res.headers["content-type"], /^application\/json/);
  return res.json;
}

async function exported(emu, query = "") {
  const doc = assertOk(await get(`/_emulator/fixtures${query}`, emu));
  assert.deepEqual(validate(SCHEMA, doc), [], "the export matches fixtures/schema.json");
  return doc;
}

async function templates(emu, client = rawClient(emu)) {
  const r = await client.call("ListEmailTemplates", { Limit: 100, Offset: 0 });
  return r.TemplatesMetadata.map(({ TemplateID, TemplateName, TemplateStatus, ReviewReason }) => ({
    TemplateID,
    TemplateName,
    TemplateStatus,
    ReviewReason,
  })).sort((a, b) => a.TemplateID - b.TemplateID);
}

async function review(emu, body) {
  return assertOk(await post("/_emulator/review", body, emu));
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitUploaded(emu, id) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = await rawClient(emu).call("ListReceivers", { Offset: 0, Limit: 100 });
    const g = r.Data.find((x) => x.ReceiverId === id);
    assert.ok(g, `group ${id} listed`);
    if (g.ReceiversStatus === 3) return;
    assert.ok(Date.now() < deadline, `group ${id} still in status ${g.ReceiversStatus}`);
    await sleep(50);
  }
}

function send(emu, over = {}) {
  return chinaClient(emu).SendEmail({
    FromEmailAddress: DEFAULT_ACCOUNT.sender,
    Destination: ["user@example.net"],
    Subject: "Code",
    Template: { TemplateID: 2, TemplateData: JSON.stringify({ code: "123456" }) },
    ...over,
  });
}

// ---- POST /_emulator/reset ----------------------------------------------------------------

test("reset: back to the start fixture; ids restart at 1; messages, faults, clock and groups gone", async () => {
  await withEmulator({}, async (emu) => {
    const api = rawClient(emu);
    const before = await exported(emu);
    assert.deepEqual(before, DEFAULT_EXPORT);
    assert.equal((await api.call("CreateEmailTemplate", { TemplateName: "extra", TemplateContent: { Text: b64("x") } })).TemplateID, 3);
    await api.call("DeleteEmailTemplate", { TemplateID: 1 });
    await api.call("CreateReceiver", { ReceiversName: "group" });
    await api.call("CreateEmailIdentity", { EmailIdentity: "more.example.net" });
    await send(emu);
    assertOk(await post("/_emulator/clock", { advance_seconds: 86400 }, emu));
    assertOk(await post("/_emulator/faults", { action: "DeleteEmailTemplate", code: "FailedOperation.FrequencyLimit" }, emu), 201);

    const res = assertOk(await post("/_emulator/reset", undefined, emu));
    assert.deepEqual(res, { reset: true, accounts: 1 });

    assert.deepEqual(await exported(emu), before);
    assert.deepEqual(
      (await templates(emu)).map((t) => [t.TemplateID, t.TemplateName, t.TemplateStatus]),
      [[1, "welcome", 0], [2, "verify-code", 0]],
    );
    // ids start at 1 again, as in a new store
    assert.equal((await api.call("CreateEmailTemplate", { TemplateName: "again", TemplateContent: { Text: b64("x") } })).TemplateID, 3);
    assert.equal((await api.call("CreateReceiver", { ReceiversName: "group" })).ReceiverId, 1);
    assert.deepEqual(assertOk(await get("/_emulator/messages", emu)).messages, []);
    assert.deepEqual(assertOk(await get("/_emulator/faults", emu)).rules, []);
    assert.ok(Math.abs(assertOk(await get("/_emulator/clock", emu)).offset_seconds) <= 1, "the clock is real time again");
    await api.call("DeleteEmailTemplate", { TemplateID: 3 }); // no fault rule any more
    // the account works as before: sending with the fixture template
    assert.ok((await send(emu)).MessageId);
  });
});

test("reset with --fixtures none empties the store; with a fixture file, back to its accounts", async () => {
  await withEmulator({ fixtures: "none" }, async (emu) => {
    assert.deepEqual(assertOk(await post("/_emulator/reset", undefined, emu)), { reset: true, accounts: 0 });
    assert.deepEqual(await exported(emu), { accounts: [] });
  });
  const fixture = { accounts: [DEFAULT_EXPORT.accounts[0], OTHER] };
  await withEmulator({ fixtures: fixture }, async (emu) => {
    await rawClient(emu).call("CreateEmailTemplate", { TemplateName: "gone", TemplateContent: { Text: b64("x") } });
    const start = await exported(emu);
    assert.deepEqual(assertOk(await post("/_emulator/reset", "{}", emu)), { reset: true, accounts: 2 });
    const after = await exported(emu);
    assert.equal(after.accounts.length, 2);
    assert.ok(!after.accounts[0].templates.some((t) => t.name === "gone"));
    assert.notDeepEqual(after, start);
    assert.deepEqual(after.accounts[1].templates, [{ id: 3, name: "other", text: "Hello {{x}}", status: "rejected", review_reason: "too short" }]);
  });
});

test("reset: bad input", async () => {
  for (const method of ["GET", "PUT", "DELETE"]) {
    assertClientError(await request(method, "/_emulator/reset"), 405, /POST/);
  }
  assertClientError(await post("/_emulator/reset", "{"), 400, /no body/);
  assertClientError(await post("/_emulator/reset", DEFAULT_EXPORT), 400, /\/_emulator\/fixtures/);
  assertClientError(await post("/_emulator/reset", "[]"), 400);
  assertOk(await post("/_emulator/reset", " \n"));
});

// ---- GET /_emulator/fixtures --------------------------------------------------------------

test("GET fixtures: the default state, whole and by app_id", async () => {
  await post("/_emulator/reset");
  assert.deepEqual(await exported(h.emu), DEFAULT_EXPORT);
  assert.deepEqual(await exported(h.emu, "?app_id=1300000001"), DEFAULT_EXPORT);
});

test("GET fixtures: bad input", async () => {
  assertClientError(await get("/_emulator/fixtures?app_id=1300000002"), 404, /no account has app_id 1300000002/);
  for (const bad of ["abc", "0", "-1", "1.5", "", "9007199254740992", "1e3"]) {
    assertClientError(await get(`/_emulator/fixtures?app_id=${bad}`), 400, /app_id/);
  }
  assertClientError(await get("/_emulator/fixtures?limit=1"), 400, /unknown query parameter "limit"/);
  for (const method of ["PUT", "DELETE", "PATCH"]) {
    assertClientError(await request(method, "/_emulator/fixtures"), 405, /GET or POST/);
  }
});

// Builds a state with every kind of resource, through the API and review.
async function buildRichState(emu) {
  const api = rawClient(emu);
  await api.call("CreateEmailIdentity", { EmailIdentity: "pending.example.net", TagList: [{ TagKey: "team", TagValue: "mail" }] });
  for (const domain of ["failed.example.net", "verified.example.net"]) {
    await api.call("CreateEmailIdentity", { EmailIdentity: domain, DKIMOption: 2 });
  }
  await review(emu, { kind: "identity", name: "failed.example.net", decision: "reject" });
  await review(emu, { kind: "identity", name: "verified.example.net", decision: "approve" });
  await api.call("CreateEmailAddress", { EmailAddress: "news@verified.example.net", EmailSenderName: "News" });
  await api.call("CreateEmailAddress", { EmailAddress: "ops@verified.example.net" });
  await review(emu, { kind: "sender", name: "ops@verified.example.net", decision: "approve" });
  const ids = [];
  for (const name of ["pending", "approved", "rejected", "deleted"]) {
    const content = { Html: b64(`<p>${name} {{x}}</p>`), Text: b64(`${name} {{x}}`) };
    ids.push((await api.call("CreateEmailTemplate", { TemplateName: name, TemplateContent: content })).TemplateID);
  }
  await review(emu, { kind: "template", id: ids[1], decision: "approve" });
  await review(emu, { kind: "template", id: ids[2], decision: "reject", reason: "Contains a link shortener" });
  await api.call("DeleteEmailTemplate", { TemplateID: ids[3] });
  await api.call("DeleteEmailTemplate", { TemplateID: 1 }); // a gap at the start too
  const gone = (await api.call("CreateReceiver", { ReceiversName: "gone" })).ReceiverId;
  const vip = (await api.call("CreateReceiver", { ReceiversName: "vip", Desc: "best customers" })).ReceiverId;
  await api.call("DeleteReceiver", { ReceiverId: gone });
  await api.call("CreateReceiverDetailWithData", {
    ReceiverId: vip,
    Datas: [
      { Email: "ann@example.net", TemplateData: JSON.stringify({ name: "Ann", n: 1 }) },
      { Email: "bob@example.net", TemplateData: JSON.stringify({ name: "Bob", n: 2 }) },
    ],
  });
  const plain = (await api.call("CreateReceiver", { ReceiversName: "plain" })).ReceiverId;
  await api.call("CreateReceiverDetail", { ReceiverId: plain, Emails: ["carol@example.net", "not-an-address"] });
  await waitUploaded(emu, vip);
  await waitUploaded(emu, plain);
  await api.call("CreateCustomBlacklist", { Emails: ["blocked@example.net"] });
  await api.call("CreateCustomBlacklist", { Emails: ["later@example.net"], ExpireDate: "2099-12-31" });
  await send(emu, { Destination: ["bounce@ses-simulator.test"] });
  await api.call("CreateAddressUnsubscribeConfig", { Address: DEFAULT_ACCOUNT.sender, UnsubscribeConfig: "1", Status: 1 });
  return { vip, plain };
}

test("GET fixtures → load into an empty emulator (POST and --fixtures) → the same state and ids", async () => {
  const fixture = { accounts: [DEFAULT_EXPORT.accounts[0], OTHER] };
  await withEmulator({ fixtures: fixture, review: "manual" }, async (emu) => {
    const { vip, plain } = await buildRichState(emu);
    const state = await exported(emu);
    const a = state.accounts[0];
    assert.deepEqual(a.identities.map((i) => [i.domain, i.status]), [
      ["example.com", "verified"],
      ["pending.example.net", "pending"],
      ["failed.example.net", "failed"],
      ["verified.example.net", "verified"],
    ]);
    assert.deepEqual(a.identities[1].tags, [{ key: "team", value: "mail" }]);
    assert.equal(a.identities[2].dkim_option, 2);
    assert.deepEqual(a.senders.map((s) => [s.address, s.status]), [
      ["noreply@example.com", "approved"],
      ["news@verified.example.net", "pending"],
      ["ops@verified.example.net", "approved"],
    ]);
    assert.deepEqual(a.templates.map((t) => [t.id, t.name, t.status, t.review_reason]), [
      [2, "verify-code", "approved", undefined],
      [4, "pending", "pending", undefined],
      [5, "approved", "approved", undefined],
      [6, "rejected", "rejected", "Contains a link shortener"],
    ]);
    assert.deepEqual(a.templates[1].html, "<p>pending {{x}}</p>", "bodies are plain text, not base64");
    assert.deepEqual(a.receivers, [
      { id: vip, name: "vip", description: "best customers", members: [
        { email: "ann@example.net", data: { name: "Ann", n: 1 } },
        { email: "bob@example.net", data: { name: "Bob", n: 2 } },
      ] },
      { id: plain, name: "plain", members: [{ email: "carol@example.net" }, { email: "not-an-address" }] },
    ]);
    assert.deepEqual(a.blacklist, [{ email: "blocked@example.net" }, { email: "later@example.net", expire_date: "2099-12-31" }]);
    assert.equal(a.bounces.length, 1);
    assert.equal(a.bounces[0].email, "bounce@ses-simulator.test");
    assert.match(a.bounces[0].bounce_time, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    assert.deepEqual(a.unsubscribe_configs, [{ address: "noreply@example.com", unsubscribe_config: "1", status: 1 }]);
    assert.deepEqual(state.accounts[1].credentials, OTHER.credentials);
    assert.deepEqual(await exported(emu, "?app_id=1300000002"), { accounts: [state.accounts[1]] });

    const listed = await templates(emu);
    const groups = (await rawClient(emu).call("ListReceivers", { Offset: 0, Limit: 100 })).Data.map((g) => [g.ReceiverId, g.ReceiversName, g.Count, g.InvalidCount]);

    // into an empty emulator through the route
    await withEmulator({ fixtures: "none", review: "manual" }, async (other) => {
      assert.deepEqual(assertOk(await post("/_emulator/fixtures", state, other)), { loaded: true, accounts: 2 });
      assert.deepEqual(await exported(other), state);
      assert.deepEqual(await templates(other), listed, "same ids, statuses and ReviewReason through the API");
      const again = (await rawClient(other).call("ListReceivers", { Offset: 0, Limit: 100 })).Data.map((g) => [g.ReceiverId, g.ReceiversName, g.Count, g.InvalidCount]);
      assert.deepEqual(again, groups);
      // the next new template gets the next id after the highest loaded one
      const next = await rawClient(other).call("CreateEmailTemplate", { TemplateName: "next", TemplateContent: { Text: b64("x") } });
      assert.equal(next.TemplateID, 7, "a new template gets the id after the highest loaded one");
    });
    // into an empty emulator as its start fixture
    await withEmulator({ fixtures: state }, async (other) => {
      assert.deepEqual(await exported(other), state);
    });
  });
});

// ---- POST /_emulator/fixtures -------------------------------------------------------------

test("POST fixtures replaces the whole state; later resets return to it", async () => {
  await withEmulator({}, async (emu) => {
    await send(emu);
    const account = fixtureAccount({
      app_id: 1300000777,
      uin: "100000000777",
      credentials: [{ secret_id: "AKIDLOADEDACCOUNT00000", secret_key: "loaded-secret" }],
      templates: [{ id: 42, name: "loaded", text: "Hi {{x}}" }],
    });
    assertOk(await post("/_emulator/clock", { advance_seconds: 3600 }, emu));
    assert.deepEqual(assertOk(await post("/_emulator/fixtures", { accounts: [account] }, emu)), { loaded: true, accounts: 1 });
    assert.ok(Math.abs(assertOk(await get("/_emulator/clock", emu)).offset_seconds) <= 1, "the clock is real time again");
    assert.deepEqual(assertOk(await get("/_emulator/messages", emu)).messages, []);
    const loaded = rawClient(emu, { secretId: "AKIDLOADEDACCOUNT00000", secretKey: "loaded-secret" });
    assert.deepEqual(await templates(emu, loaded), [{ TemplateID: 42, TemplateName: "loaded", TemplateStatus: 0, ReviewReason: "" }]);
    await expectError(rawClient(emu).tc3("ListEmailTemplates", { Limit: 10, Offset: 0 }), "AuthFailure.SecretIdNotFound");
    await loaded.call("CreateEmailTemplate", { TemplateName: "temporary", TemplateContent: { Text: b64("x") } });
    assert.deepEqual(assertOk(await post("/_emulator/reset", undefined, emu)), { reset: true, accounts: 1 });
    assert.deepEqual((await templates(emu, loaded)).map((t) => t.TemplateName), ["loaded"], "reset returns to the loaded fixture");
  });
});

test("POST fixtures: a fixture that does not load answers 400 with the field's path and changes nothing", async () => {
  await withEmulator({}, async (emu) => {
    await rawClient(emu).call("CreateEmailTemplate", { TemplateName: "kept", TemplateContent: { Text: b64("x") } });
    assertOk(await post("/_emulator/clock", { advance_seconds: 7200 }, emu));
    const before = await exported(emu);
    const account = (over) => ({ accounts: [{ ...DEFAULT_EXPORT.accounts[0], ...over }] });
    const cases = [
      ["", /the body must be a fixture/],
      ["{", /^fixture body: not valid JSON/],
      ["[]", /^fixture body: \$: must be an object$/],
      [{}, /^fixture body: \$\.accounts: is required$/],
      [{ accounts: {} }, /^fixture body: \$\.accounts: must be an array$/],
      [account({ templates: [{ name: "t", text: "x", bogus: 1 }] }), /^fixture body: \$\.accounts\[0\]\.templates\[0\]: unknown key 'bogus'$/],
      [account({ templates: [{ name: "t", text: "x", status: "approve" }] }), /^fixture body: \$\.accounts\[0\]\.templates\[0\]\.status: must be approved, pending or rejected$/],
      [account({ templates: [{ id: 5, name: "a", text: "x" }, { id: 5, name: "b", text: "x" }] }), /templates\[1\]: template id 5 is used twice/],
      [account({ senders: [{ address: "a@elsewhere.example" }] }), /senders\[0\]: its domain 'elsewhere.example' is not among/],
      [account({ identities: [{ domain: "x.example", verified: true, status: "failed" }] }), /identities\[0\]\.status: give either verified or status, not both/],
      [account({ receivers: [{ name: "g", members: [{ email: "a@b.example", data: { v: "<b>x</b>" } }] }] }), /receivers\[0\]\.members\[0\]: data must be an object of plain values/],
      [account({ credentials: [] }), /\$\.accounts\[0\]\.credentials: an account needs at least one credential/],
    ];
    for (const [body, pattern] of cases) {
      assertClientError(await post("/_emulator/fixtures", body, emu), 400, pattern);
    }
    assert.deepEqual(await exported(emu), before, "the state is unchanged");
    const clock = assertOk(await get("/_emulator/clock", emu));
    assert.ok(Math.abs(clock.offset_seconds - 7200) <= 1, `the clock is unchanged: ${JSON.stringify(clock)}`);
    // and reset still returns to the start fixture, not to a refused one
    assertOk(await post("/_emulator/reset", undefined, emu));
    assert.deepEqual(await exported(emu), DEFAULT_EXPORT);
  });
});

test("POST fixtures: a body over 8 MiB answers 413", async () => {
  const res = await post("/_emulator/fixtures", Buffer.alloc(8 * 1024 * 1024 + 10, 0x20));
  assertClientError(res, 413, /8 MiB/);
});

// ---- POST /_emulator/review ---------------------------------------------------------------

test("review (--review manual): approve a template and send with it; reject another, ReviewReason shown", async () => {
  await withEmulator({ review: "manual" }, async (emu) => {
    const sdk = chinaClient(emu);
    const { TemplateID } = await sdk.CreateEmailTemplate({ TemplateName: "to-approve", TemplateContent: { Text: b64("Hi {{name}}") } });
    const pending = (await templates(emu)).find((t) => t.TemplateID === TemplateID);
    assert.equal(pending.TemplateStatus, 1);
    const request = { Template: { TemplateID, TemplateData: JSON.stringify({ name: "Ann" }) }, Subject: "Hello" };
    await expectError(send(emu, request), "FailedOperation.InvalidTemplateID");

    const approved = await review(emu, { kind: "template", id: TemplateID, decision: "approve" });
    assert.deepEqual(approved, {
      kind: "template",
      app_id: DEFAULT_ACCOUNT.appId,
      status: "approved",
      id: TemplateID,
      name: "to-approve",
      template_status: 0,
      review_reason: "",
    });
    assert.equal((await templates(emu)).find((t) => t.TemplateID === TemplateID).TemplateStatus, 0);
    const { MessageId } = await send(emu, request);
    const message = assertOk(await get(`/_emulator/messages/${MessageId}`, emu));
    assert.equal(message.template_id, TemplateID);
    assert.equal(message.text, "Hi Ann");

    const other = await sdk.CreateEmailTemplate({ TemplateName: "to-reject", TemplateContent: { Text: b64("Buy {{x}}") } });
    const rejected = await review(emu, { kind: "template", id: other.TemplateID, decision: "reject", reason: "Contains a link shortener" });
    assert.equal(rejected.status, "rejected");
    assert.equal(rejected.template_status, 2);
    const listed = (await sdk.ListEmailTemplates({ Limit: 100, Offset: 0 })).TemplatesMetadata.find((t) => t.TemplateID === other.TemplateID);
    assert.equal(listed.TemplateStatus, 2);
    assert.equal(listed.ReviewReason, "Contains a link shortener");
    assert.equal((await sdk.GetEmailTemplate({ TemplateID: other.TemplateID })).TemplateStatus, 2);
    await expectError(send(emu, { Template: { TemplateID: other.TemplateID, TemplateData: "{\"x\":1}" } }), "FailedOperation.InvalidTemplateID");
    // approving later clears the reason; an update goes back to review
    await review(emu, { kind: "template", id: other.TemplateID, decision: "approve" });
    assert.deepEqual((await templates(emu)).find((t) => t.TemplateID === other.TemplateID).ReviewReason, "");
    await sdk.UpdateEmailTemplate({ TemplateID: other.TemplateID, TemplateName: "to-reject", TemplateContent: { Text: b64("Buy {{x}} now") } });
    assert.equal((await templates(emu)).find((t) => t.TemplateID === other.TemplateID).TemplateStatus, 1);
  });
});

test("review (--review manual): a domain approved is verified, then a sender on it can be created and approved", async () => {
  await withEmulator({ review: "manual" }, async (emu) => {
    const sdk = chinaClient(emu);
    const domain = "manual.example.net";
    const sender = `hello@${domain}`;
    assert.equal((await sdk.CreateEmailIdentity({ EmailIdentity: domain })).VerifiedForSendingStatus, false);
    await expectError(sdk.CreateEmailAddress({ EmailAddress: sender }), "OperationDenied.DomainNotVerified");
    // the re-check does not verify it under --review manual
    assert.equal((await sdk.UpdateEmailIdentity({ EmailIdentity: domain })).VerifiedForSendingStatus, false);

    const decided = await review(emu, { kind: "identity", name: "MANUAL.example.net", decision: "approve" });
    assert.deepEqual(decided, { kind: "identity", app_id: DEFAULT_ACCOUNT.appId, status: "verified", name: domain });
    assert.equal((await sdk.UpdateEmailIdentity({ EmailIdentity: domain })).VerifiedForSendingStatus, true);
    assert.equal((await sdk.GetEmailIdentity({ EmailIdentity: domain })).VerifiedForSendingStatus, true);
    await sdk.CreateEmailAddress({ EmailAddress: sender, EmailSenderName: "Hello" });
    await expectError(send(emu, { FromEmailAddress: sender }), "FailedOperation.NotAuthenticatedSender");
    assert.deepEqual(await review(emu, { kind: "sender", name: sender, decision: "approve" }), {
      kind: "sender",
      app_id: DEFAULT_ACCOUNT.appId,
      status: "approved",
      name: sender,
    });
    assert.ok((await send(emu, { FromEmailAddress: sender })).MessageId);

    await review(emu, { kind: "sender", name: sender, decision: "reject" });
    await expectError(send(emu, { FromEmailAddress: sender }), "FailedOperation.NotAuthenticatedSender");
    const refused = "refused.example.net";
    await sdk.CreateEmailIdentity({ EmailIdentity: refused });
    assert.equal((await review(emu, { kind: "identity", name: refused, decision: "reject" })).status, "failed");
    assert.equal((await sdk.GetEmailIdentity({ EmailIdentity: refused })).VerifiedForSendingStatus, false);
    await expectError(sdk.CreateEmailAddress({ EmailAddress: `a@${refused}` }), "OperationDenied.DomainNotVerified");
  });
});

test("review: app_id picks the account; without it the first account is meant", async () => {
  await withEmulator({ fixtures: { accounts: [DEFAULT_EXPORT.accounts[0], OTHER] } }, async (emu) => {
    assertClientError(await post("/_emulator/review", { kind: "template", id: 3, decision: "approve" }, emu), 404, /account 1300000001 has no template with id 3/);
    const r = await review(emu, { kind: "template", id: 3, decision: "approve", app_id: 1300000002 });
    assert.equal(r.app_id, 1300000002);
    assert.equal(r.name, "other");
    assert.equal((await review(emu, { kind: "sender", name: "hi@other.example.org", decision: "approve", app_id: 1300000002 })).status, "approved");
    assert.equal((await review(emu, { kind: "identity", name: "example.com", decision: "reject" })).app_id, 1300000001);
    assertClientError(await post("/_emulator/review", { kind: "identity", name: "other.example.org", decision: "approve" }, emu), 404, /no sending domain "other\.example\.org"/);
  });
  await withEmulator({ fixtures: "none" }, async (emu) => {
    assertClientError(await post("/_emulator/review", { kind: "template", id: 1, decision: "approve" }, emu), 404, /no account/);
  });
});

test("review: bad input", async () => {
  await post("/_emulator/reset");
  for (const method of ["GET", "PUT", "DELETE"]) {
    assertClientError(await request(method, "/_emulator/review"), 405, /POST/);
  }
  const t = { kind: "template", id: 1, decision: "approve" };
  const bad = [
    ["", /the body must be a JSON object/],
    ["{", /the body must be a JSON object/],
    ["[]", /the body must be a JSON object/],
    ['"template"', /the body must be a JSON object/],
    [{ ...t, kind: "domain" }, /"kind" must be/],
    [{ ...t, kind: undefined }, /"kind" must be/],
    [{ ...t, decision: "maybe" }, /"decision" must be "approve" or "reject"/],
    [{ ...t, decision: undefined }, /"decision" must be/],
    [{ ...t, decision: true }, /"decision" must be/],
    [{ ...t, id: undefined }, /"id" must be the template's id/],
    [{ ...t, id: "1" }, /"id" must be the template's id/],
    [{ ...t, id: 0 }, /"id" must be/],
    [{ ...t, id: 1.5 }, /"id" must be/],
    [{ ...t, id: undefined, name: "welcome" }, /a template is named by "id"/],
    [{ kind: "identity", id: 1, decision: "approve" }, /named by "name", not "id"/],
    [{ kind: "identity", decision: "approve" }, /"name" must be the sending domain/],
    [{ kind: "sender", name: "", decision: "approve" }, /"name" must be the sender address/],
    [{ kind: "sender", name: 5, decision: "approve" }, /"name" must be the sender address/],
    [{ ...t, reason: 5 }, /"reason" must be a string/],
    [{ ...t, decision: "reject", reason: "x".repeat(1001) }, /at most 1000 bytes/],
    [{ ...t, reason: "fine" }, /"reason" goes with "decision":"reject"/],
    [{ ...t, app_id: "1300000001" }, /"app_id" must be a whole number/],
    [{ ...t, app_id: 0 }, /"app_id" must be/],
    [{ ...t, extra: 1 }, /unknown member "extra"/],
  ];
  for (const [body, pattern] of bad) {
    assertClientError(await post("/_emulator/review", body), 400, pattern);
  }
  // at the limit
  assert.equal((await review(h.emu, { ...t, decision: "reject", reason: "x".repeat(1000) })).review_reason.length, 1000);
  const notFound = [
    [{ ...t, id: 987654321 }, /no template with id 987654321/],
    [{ ...t, app_id: 1300000999 }, /no account has app_id 1300000999/],
    [{ kind: "identity", name: "nowhere.example.net", decision: "approve" }, /no sending domain "nowhere\.example\.net"/],
    [{ kind: "sender", name: "nobody@example.com", decision: "reject" }, /no sender address "nobody@example\.com"/],
  ];
  for (const [body, pattern] of notFound) {
    assertClientError(await post("/_emulator/review", body), 404, pattern);
  }
  // a deleted template is not found
  await rawClient(h.emu).call("DeleteEmailTemplate", { TemplateID: 2 });
  assertClientError(await post("/_emulator/review", { ...t, id: 2 }), 404, /no template with id 2/);
  await post("/_emulator/reset");
});

// ---- README -------------------------------------------------------------------------------

test("README: the curl examples of reset, fixtures and review run as written", async () => {
  const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
  const section = readme.split("### State: reset, fixtures, review")[1];
  assert.ok(section, "README.md has the section");
  const block = section.match(/```sh\n([\s\S]*?)```/)[1];
  const commands = block.replace(/\\\n\s*/g, "").split("\n").filter((l) => l.startsWith("curl "));
  assert.ok(commands.length >= 8, "one example per route and decision");
  for (const route of ["/_emulator/reset", "/_emulator/fixtures", "/_emulator/review"]) {
    assert.ok(commands.some((c) => c.includes(route)), `an example for ${route}`);
  }
  await withEmulator({ review: "manual" }, async (emu) => {
    const dir = makeTempDir();
    for (const command of commands) {
      const line = command.replaceAll("127.0.0.1:4590", emu.endpoint);
      const out = execFileSync("bash", ["-c", line], { cwd: dir, encoding: "utf8", timeout: 15_000, env: { ...process.env, http_proxy: "", HTTP_PROXY: "" } });
      const text = out || fs.readFileSync(path.join(dir, "state.json"), "utf8");
      const json = JSON.parse(text);
      assert.equal(json.error, undefined, `${command}: ${text}`);
    }
    // after the last examples: template 1 approved again, the domain and sender approved
    assert.deepEqual(await exported(emu), DEFAULT_EXPORT);
  });
});
