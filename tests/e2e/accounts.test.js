"use strict";
// Several fixture accounts: isolation, CAM-like allow lists, suspended
// accounts, accounts that are not enterprise-verified.

const { test } = require("node:test");
const assert = require("node:assert/strict");
const { sharedEmulator, withEmulator, fixtureAccount } = require("./lib/emulator");
const { b64, chinaClient, expectError, intlClient, rawClient } = require("./lib/clients");

const A = { secretId: "AKIDACCOUNTA0000000000", secretKey: "account-a-secret-key" };
const A_RO = { secretId: "AKIDACCOUNTAREADONLY00", secretKey: "account-a-readonly-key" };
const B = { secretId: "AKIDACCOUNTB0000000000", secretKey: "account-b-secret-key" };
const SUSP = { secretId: "AKIDSUSPENDED000000000", secretKey: "suspended-secret-key" };
const NOENT = { secretId: "AKIDNOTENTERPRISE00000", secretKey: "not-enterprise-key" };

const FIXTURE = {
  accounts: [
    fixtureAccount({
      app_id: 1300000101,
      uin: "100000000101",
      credentials: [
        { secret_id: A.secretId, secret_key: A.secretKey },
        { secret_id: A_RO.secretId, secret_key: A_RO.secretKey, allow: ["List*", "GetEmailTemplate"] },
      ],
      identities: [{ domain: "a.example.com", verified: true }],
      senders: [{ address: "hello@a.example.com", name: "Account A" }],
      templates: [{ name: "a-only", html: "<p>A {{n}}</p>", text: "A {{n}}", status: "approved" }],
    }),
    fixtureAccount({
      app_id: 1300000102,
      uin: "100000000102",
      credentials: [{ secret_id: B.secretId, secret_key: B.secretKey }],
      identities: [
        { domain: "b.example.com", verified: true },
        { domain: "b-spare.example.com", verified: true },
      ],
      senders: [{ address: "hello@b.example.com", name: "Account B" }],
      templates: [
        { name: "b-only", html: "<p>B {{n}}</p>", text: "B {{n}}", status: "approved" },
        { name: "b-second", html: "<p>B2</p>", text: "B2", status: "approved" },
      ],
    }),
    fixtureAccount({
      app_id: 1300000103,
      uin: "100000000103",
      suspended: true,
      credentials: [{ secret_id: SUSP.secretId, secret_key: SUSP.secretKey }],
      identities: [{ domain: "suspended.example.com", verified: true }],
      templates: [{ name: "s-only", html: "<p>S</p>", text: "S", status: "approved" }],
    }),
    fixtureAccount({
      app_id: 1300000104,
      uin: "100000000104",
      enterprise_verified: false,
      credentials: [{ secret_id: NOENT.secretId, secret_key: NOENT.secretKey }],
      identities: [{ domain: "personal.example.com", verified: true }],
    }),
  ],
};

const h = sharedEmulator({ fixtures: FIXTURE });
const as = (c) => rawClient(h.emu, c);

async function templateNames(c) {
  const r = await as(c).call("ListEmailTemplates", { Limit: 100, Offset: 0 });
  assert.equal(r.TotalCount, r.TemplatesMetadata.length);
  return r.TemplatesMetadata.map((t) => t.TemplateName).sort();
}

async function domainNames(c) {
  const r = await as(c).call("ListEmailIdentities", {});
  return r.EmailIdentities.map((i) => i.IdentityName).sort();
}

async function senderAddresses(c) {
  const r = await as(c).call("ListEmailAddress", {});
  return r.EmailSenders.map((s) => s.EmailAddress).sort();
}

// ---- isolation -----------------------------------------------------------------------------

test("each account lists only its own templates", async () => {
  assert.deepEqual(await templateNames(A), ["a-only"]);
  assert.deepEqual(await templateNames(B), ["b-only", "b-second"]);
});

test("each account lists only its own domains", async () => {
  assert.deepEqual(await domainNames(A), ["a.example.com"]);
  assert.deepEqual(await domainNames(B), ["b-spare.example.com", "b.example.com"]);
});

test("each account lists only its own senders", async () => {
  assert.deepEqual(await senderAddresses(A), ["hello@a.example.com"]);
  assert.deepEqual(await senderAddresses(B), ["hello@b.example.com"]);
});

test("a template created by one account is invisible to the other", async () => {
  await withEmulator({ fixtures: FIXTURE }, async (emu) => {
    const a = rawClient(emu, A);
    const b = rawClient(emu, B);
    const { TemplateID } = await a.call("CreateEmailTemplate", {
      TemplateName: "a-new",
      TemplateContent: { Text: b64("new in A") },
    });
    const bList = await b.call("ListEmailTemplates", { Limit: 100, Offset: 0 });
    assert.deepEqual(bList.TemplatesMetadata.map((t) => t.TemplateName).sort(), ["b-only", "b-second"]);
    await expectError(b.tc3("GetEmailTemplate", { TemplateID }), "InvalidParameterValue.TemplateNotExist");
    await expectError(
      b.tc3("UpdateEmailTemplate", { TemplateID, TemplateName: "stolen", TemplateContent: { Text: b64("x") } }),
      "InvalidParameterValue.TemplateNotExist",
    );
    await expectError(b.tc3("DeleteEmailTemplate", { TemplateID }), "InvalidParameterValue");
    // untouched for A
    const g = await a.call("GetEmailTemplate", { TemplateID });
    assert.equal(g.TemplateName, "a-new");
    assert.equal(g.TemplateContent.Text, b64("new in A"));
  });
});

test("a domain created by one account is invisible to the other", async () => {
  await withEmulator({ fixtures: FIXTURE }, async (emu) => {
    const a = rawClient(emu, A);
    const b = rawClient(emu, B);
    await a.call("CreateEmailIdentity", { EmailIdentity: "a-new.example.com" });
    const bIds = await b.call("ListEmailIdentities", {});
    assert.deepEqual(bIds.EmailIdentities.map((i) => i.IdentityName).sort(), ["b-spare.example.com", "b.example.com"]);
    await expectError(
      b.tc3("GetEmailIdentity", { EmailIdentity: "a-new.example.com" }),
      "InvalidParameterValue.NotExistDomain",
    );
    await expectError(
      b.tc3("CreateEmailIdentity", { EmailIdentity: "a-new.example.com" }),
      "InvalidParameterValue.CreatedByOther",
    );
  });
});

test("another account's fixture template id is not found", async () => {
  const bList = await as(B).call("ListEmailTemplates", { Limit: 100, Offset: 0 });
  const bOnly = bList.TemplatesMetadata.find((t) => t.TemplateName === "b-only");
  await expectError(
    as(A).tc3("GetEmailTemplate", { TemplateID: bOnly.TemplateID }),
    "InvalidParameterValue.TemplateNotExist",
  );
});

test("another account's domain: GetEmailIdentity NotExistDomain, CreateEmailIdentity CreatedByOther", async () => {
  await expectError(
    as(A).tc3("GetEmailIdentity", { EmailIdentity: "b.example.com" }),
    "InvalidParameterValue.NotExistDomain",
  );
  await expectError(
    as(A).tc3("UpdateEmailIdentity", { EmailIdentity: "b.example.com" }),
    "InvalidParameterValue.NotExistDomain",
  );
  await expectError(
    as(A).tc3("CreateEmailIdentity", { EmailIdentity: "b.example.com" }),
    "InvalidParameterValue.CreatedByOther",
  );
});

test("another account's domain cannot be deleted and keeps existing", async () => {
  await expectError(as(A).tc3("DeleteEmailIdentity", { EmailIdentity: "b-spare.example.com" }), "InvalidParameterValue");
  assert.ok((await domainNames(B)).includes("b-spare.example.com"));
});

test("a sender on another account's domain: OperationDenied.DomainNotVerified", async () => {
  await expectError(
    as(A).tc3("CreateEmailAddress", { EmailAddress: "intruder@b.example.com" }),
    "OperationDenied.DomainNotVerified",
  );
});

test("another account's sender: DeleteEmailAddress NoSuchSender", async () => {
  await expectError(
    as(A).tc3("DeleteEmailAddress", { EmailAddress: "hello@b.example.com" }),
    "InvalidParameterValue.NoSuchSender",
  );
  assert.deepEqual(await senderAddresses(B), ["hello@b.example.com"]);
});

test("a fixture credential works with both official SDKs", async () => {
  const r1 = await chinaClient(h.emu, B).ListEmailTemplates({ Limit: 100, Offset: 0 });
  assert.equal(r1.TotalCount, 2);
  const r2 = await intlClient(h.emu, B).ListEmailTemplates({ Limit: 100, Offset: 0 });
  assert.equal(r2.TotalCount, 2);
});

// ---- allow lists ------------------------------------------------------------------------------

test("allow list: List* and GetEmailTemplate are permitted", async () => {
  assert.deepEqual(await templateNames(A_RO), await templateNames(A));
  assert.deepEqual(await domainNames(A_RO), ["a.example.com"]);
  assert.deepEqual(await senderAddresses(A_RO), ["hello@a.example.com"]);
  const list = await as(A_RO).call("ListEmailTemplates", { Limit: 100, Offset: 0 });
  await as(A_RO).call("GetEmailTemplate", { TemplateID: list.TemplatesMetadata[0].TemplateID });
});

test("AuthFailure.UnauthorizedOperation: CreateEmailTemplate outside the allow list", async () => {
  await expectError(
    as(A_RO).tc3("CreateEmailTemplate", { TemplateName: "ro", TemplateContent: { Text: b64("x") } }),
    "AuthFailure.UnauthorizedOperation",
  );
});

test("AuthFailure.UnauthorizedOperation: GetEmailIdentity outside the allow list", async () => {
  await expectError(
    as(A_RO).tc3("GetEmailIdentity", { EmailIdentity: "a.example.com" }),
    "AuthFailure.UnauthorizedOperation",
  );
});

test("AuthFailure.UnauthorizedOperation: DeleteEmailAddress outside the allow list (nothing deleted)", async () => {
  await expectError(
    as(A_RO).tc3("DeleteEmailAddress", { EmailAddress: "hello@a.example.com" }),
    "AuthFailure.UnauthorizedOperation",
  );
  assert.deepEqual(await senderAddresses(A), ["hello@a.example.com"]);
});

test("AuthFailure.UnauthorizedOperation through the China SDK (v1 HmacSHA1)", async () => {
  await expectError(
    chinaClient(h.emu, { ...A_RO, signMethod: "HmacSHA1" }).CreateEmailIdentity({ EmailIdentity: "ro.example.com" }),
    "AuthFailure.UnauthorizedOperation",
  );
});

// ---- suspended account -------------------------------------------------------------------------

test("OperationDenied: suspended account, ListEmailIdentities", async () => {
  await expectError(as(SUSP).tc3("ListEmailIdentities", {}), "OperationDenied");
});

test("OperationDenied: suspended account, CreateEmailIdentity", async () => {
  await expectError(as(SUSP).tc3("CreateEmailIdentity", { EmailIdentity: "new.suspended.example.com" }), "OperationDenied");
});

test("OperationDenied: suspended account, CreateEmailAddress", async () => {
  await expectError(
    as(SUSP).tc3("CreateEmailAddress", { EmailAddress: "x@suspended.example.com" }),
    "OperationDenied",
  );
});

test("OperationDenied: suspended account, ListEmailAddress", async () => {
  await expectError(as(SUSP).tc3("ListEmailAddress", {}), "OperationDenied");
});

test("suspended account: ListEmailTemplates (OperationDenied not documented for it) still answers", async () => {
  assert.deepEqual(await templateNames(SUSP), ["s-only"]);
});

// ---- not enterprise-verified -------------------------------------------------------------------

test("OperationDenied.NotAllowDelete: DeleteEmailIdentity when not enterprise-verified", async () => {
  await expectError(
    as(NOENT).tc3("DeleteEmailIdentity", { EmailIdentity: "personal.example.com" }),
    "OperationDenied.NotAllowDelete",
  );
  assert.deepEqual(await domainNames(NOENT), ["personal.example.com"]);
});

test("an enterprise-verified account can delete an unused domain", async () => {
  await withEmulator({ fixtures: FIXTURE }, async (emu) => {
    const b = rawClient(emu, B);
    await b.call("DeleteEmailIdentity", { EmailIdentity: "b-spare.example.com" });
    const ids = await b.call("ListEmailIdentities", {});
    assert.deepEqual(ids.EmailIdentities.map((i) => i.IdentityName), ["b.example.com"]);
  });
});
