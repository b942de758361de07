"use strict";
// Focus: fault injection (/_emulator/faults) and --rate-limit documented, as
// an application sees them through the official Node SDK: injected error
// codes with their messages, counts, probability 0 and 1, per-account rules,
// delays, dropped connections and HTTP 5xx; rules act only after
// authentication; the documented per-second limits answer RequestLimitExceeded.

const test = require("node:test");
const assert = require("node:assert/strict");

const { sharedEmulator, withEmulator, fixtureAccount } = require("./lib/emulator");
const { chinaClient, RawClient, expectError } = require("./lib/clients");

const h = sharedEmulator();

async function faults(emu, method, body) {
  const res = await fetch(`${emu.url}/_emulator/faults`, {
    method,
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

test.beforeEach(async () => {
  await faults(h.emu, "DELETE");
});

test("an injected code reaches the SDK with its message, `count` times, then stops", async () => {
  const added = await faults(h.emu, "POST", {
    action: "GetEmailTemplate",
    code: "FailedOperation.FrequencyLimit",
    message: "injected by the test",
    count: 2,
  });
  assert.equal(added.status, 201);
  assert.equal(added.json.rules[0].id > 0, true);
  const api = chinaClient(h.emu);
  await expectError(api.GetEmailTemplate({ TemplateID: 1 }), "FailedOperation.FrequencyLimit", {
    message: /injected by the test/,
  });
  await expectError(api.GetEmailTemplate({ TemplateID: 1 }), "FailedOperation.FrequencyLimit");
  const ok = await api.GetEmailTemplate({ TemplateID: 1 });
  assert.equal(ok.TemplateName, "welcome");
  const listed = await faults(h.emu, "GET");
  assert.equal(listed.json.rules[0].fired, 2);
  assert.equal(listed.json.rules[0].count, 0);
});

test("a rule without a message uses the catalogue's, in the request's language", async () => {
  await faults(h.emu, "POST", { action: "ListEmailTemplates", code: "InternalError", count: 1 });
  await expectError(chinaClient(h.emu, { language: "en-US" }).ListEmailTemplates({ Limit: 1, Offset: 0 }), "InternalError", {
    message: /^[\x20-\x7e]+$/,
  });
});

test("probability 0 never fires; probability 1 always does", async () => {
  await faults(h.emu, "POST", { action: "ListEmailAddress", code: "RequestLimitExceeded", probability: 0 });
  const api = chinaClient(h.emu);
  for (let i = 0; i < 5; i++) await api.ListEmailAddress({});
  await faults(h.emu, "DELETE");
  await faults(h.emu, "POST", { action: "ListEmailAddress", code: "RequestLimitExceeded", probability: 1 });
  for (let i = 0; i < 3; i++) await expectError(api.ListEmailAddress({}), "RequestLimitExceeded");
});

test("action \"*\" matches every action; DELETE clears the rules", async () => {
  await faults(h.emu, "POST", { action: "*", code: "ResourceUnavailable" });
  const api = chinaClient(h.emu);
  await expectError(api.ListEmailAddress({}), "ResourceUnavailable");
  await expectError(api.GetEmailTemplate({ TemplateID: 1 }), "ResourceUnavailable");
  const cleared = await faults(h.emu, "DELETE");
  assert.equal(cleared.json.deleted, 1);
  await api.ListEmailAddress({});
});

test("faults act after authentication: a badly signed request gets the signature error", async () => {
  await faults(h.emu, "POST", { action: "*", code: "ResourceUnavailable" });
  const raw = new RawClient(h.emu, { secretKey: "wrong-key" });
  await expectError(raw.tc3("ListEmailAddress", {}), "AuthFailure.SignatureFailure");
});

test("delay_ms delays the answer", async () => {
  await faults(h.emu, "POST", { action: "ListEmailAddress", delay_ms: 400, count: 1 });
  const t0 = Date.now();
  await chinaClient(h.emu).ListEmailAddress({});
  assert.ok(Date.now() - t0 >= 380, `answered after ${Date.now() - t0} ms`);
});

test("http_status answers HTTP 5xx: the SDK throws its HTTP exception", async () => {
  await faults(h.emu, "POST", { action: "ListEmailAddress", http_status: 503, count: 1 });
  let err;
  try {
    await chinaClient(h.emu).ListEmailAddress({});
  } catch (e) {
    err = e;
  }
  assert.ok(err, "the SDK threw");
  assert.equal(err.httpCode, 503);
});

test("drop closes the connection without an answer", async () => {
  await faults(h.emu, "POST", { action: "ListEmailAddress", drop: true, count: 1 });
  await assert.rejects(chinaClient(h.emu).ListEmailAddress({}), (e) => e.code === undefined || /socket|ECONNRESET|hang up|closed/i.test(String(e.message)));
  await chinaClient(h.emu).ListEmailAddress({}); // the next one is served
});

test("a rule with app_id applies to that account only", async () => {
  const other = fixtureAccount();
  await withEmulator(
    { fixtures: { accounts: [JSON.parse(require("node:fs").readFileSync(require("node:path").join(__dirname, "../../fixtures/default.json"), "utf8")).accounts[0], other] } },
    async (emu) => {
      await faults(emu, "POST", { action: "*", code: "OperationDenied", app_id: other.app_id });
      await chinaClient(emu).ListEmailAddress({});
      const theirs = chinaClient(emu, { secretId: other.credentials[0].secret_id, secretKey: other.credentials[0].secret_key });
      await expectError(theirs.ListEmailAddress({}), "OperationDenied");
    },
  );
});

test("bad rules are refused with a clear 400", async () => {
  const cases = [
    [{ action: "SendEmail", code: "NoSuchCode" }, /code/],
    [{ code: "InternalError" }, /action/],
    [{ action: "SendEmail", code: "InternalError", probability: 2 }, /probability/],
    [{ action: "SendEmail", code: "InternalError", count: 0 }, /count/],
    [{ action: "SendEmail", http_status: 404 }, /http_status/],
    [{ action: "SendEmail" }, /needs/],
    [{ action: "SendEmail", code: "InternalError", drop: true }, /exclude/],
    [{ action: "SendEmail", code: "InternalError", colour: "red" }, /unknown key/],
  ];
  for (const [body, message] of cases) {
    const r = await faults(h.emu, "POST", body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.match(r.json.error, message);
  }
  const notJson = await fetch(`${h.emu.url}/_emulator/faults`, { method: "POST", body: "{" });
  assert.equal(notJson.status, 400);
  const put = await fetch(`${h.emu.url}/_emulator/faults`, { method: "PUT" });
  assert.equal(put.status, 405);
  assert.equal((await faults(h.emu, "GET")).json.rules.length, 0, "nothing was added");
});

test("RequestLimitExceeded: --rate-limit documented allows 20 GetEmailTemplate a second per account", async () => {
  await withEmulator({ args: ["--rate-limit", "documented"] }, async (emu) => {
    const api = chinaClient(emu);
    // Start right after a second boundary so the burst falls in one window.
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 20));
    const results = await Promise.allSettled(Array.from({ length: 30 }, () => api.GetEmailTemplate({ TemplateID: 1 })));
    const limited = results.filter((r) => r.status === "rejected" && r.reason.code === "RequestLimitExceeded").length;
    const ok = results.filter((r) => r.status === "fulfilled").length;
    assert.ok(ok <= 20 && ok >= 10, `${ok} served`);
    assert.equal(ok + limited, 30);
    await new Promise((r) => setTimeout(r, 1100));
    await api.GetEmailTemplate({ TemplateID: 1 });
  });
});

// Codes with no realistic trigger in a local emulator (billing, reputation,
// service trouble, network policy): reachable only through fault injection.
// tests/unit/check_error_tests.py reads this list.
const FAULT_ONLY = [
  "AuthFailure.MFAFailure",
  "DryRunOperation",
  "FailedOperation",
  "FailedOperation.HighRejectionRate",
  "FailedOperation.InsufficientBalance",
  "FailedOperation.ProtocolCheckErr",
  "FailedOperation.RejectedByRecipients",
  "FailedOperation.SendEmailErr",
  "FailedOperation.ServiceNotAvailable",
  "FailedOperation.TemporaryBlocked",
  "InternalError",
  "IpInBlacklist",
  "IpNotInWhitelist",
  "NoSuchProduct",
  "RequestLimitExceeded.GlobalRegionUinLimitExceeded",
  "RequestLimitExceeded.IPLimitExceeded",
  "RequestLimitExceeded.UinLimitExceeded",
  "ResourceInUse",
  "ResourceInsufficient",
  "ResourceUnavailable",
  "ResponseSizeLimitExceeded",
  "ServiceUnavailable",
  "UnauthorizedOperation",
];

test("every fault-only code reaches the SDK through an injected rule", async () => {
  const api = chinaClient(h.emu, { language: "en-US" });
  for (const code of FAULT_ONLY) {
    await faults(h.emu, "DELETE");
    const r = await faults(h.emu, "POST", { action: "SendEmail", code, count: 1 });
    assert.equal(r.status, 201, `${code}: ${JSON.stringify(r.json)}`);
    await expectError(
      api.SendEmail({
        FromEmailAddress: "Example <noreply@example.com>",
        Destination: ["user@example.net"],
        Template: { TemplateID: 1, TemplateData: '{"name":"A"}' },
        Subject: "Hi",
      }),
      code,
    );
  }
});
