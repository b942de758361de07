"use strict";
// Sender domains: CreateEmailIdentity, GetEmailIdentity, ListEmailIdentities,
// UpdateEmailIdentity, DeleteEmailIdentity.

const { test } = require("node:test");
const assert = require("node:assert/strict");
const { sharedEmulator, withEmulator, fixtureAccount, DEFAULT_ACCOUNT } = require("./lib/emulator");
const { chinaClient, expectError, rawClient, sortedKeys } = require("./lib/clients");

const h = sharedEmulator();
const api = () => rawClient(h.emu);

const ATTR_KEYS = ["CurrentValue", "ExpectedValue", "SendDomain", "Status", "Type"];

// The four DNS records every domain must publish.
function assertAttributes(attrs, domain) {
  assert.ok(Array.isArray(attrs), "Attributes must be an array");
  assert.equal(attrs.length, 4, `Attributes: ${JSON.stringify(attrs)}`);
  for (const a of attrs) {
    assert.deepEqual(sortedKeys(a), ATTR_KEYS, JSON.stringify(a));
    assert.equal(typeof a.ExpectedValue, "string");
    assert.equal(typeof a.CurrentValue, "string");
    assert.equal(typeof a.Status, "boolean");
    assert.ok(["TXT", "MX", "CNAME", "A"].includes(a.Type), a.Type);
  }
  const find = (type, name) => attrs.find((a) => a.Type === type && a.SendDomain === name);
  const spf = attrs.find((a) => a.Type === "TXT" && a.SendDomain === domain && /^v=spf1/.test(a.ExpectedValue));
  assert.ok(spf, `SPF TXT record at ${domain}: ${JSON.stringify(attrs)}`);
  const dkim = find("TXT", `qcloud._domainkey.${domain}`);
  assert.ok(dkim, `DKIM TXT record at qcloud._domainkey.${domain}: ${JSON.stringify(attrs)}`);
  assert.match(dkim.ExpectedValue, /p=/);
  const dmarc = find("TXT", `_dmarc.${domain}`);
  assert.ok(dmarc, `DMARC TXT record at _dmarc.${domain}: ${JSON.stringify(attrs)}`);
  assert.match(dmarc.ExpectedValue, /^v=DMARC1/);
  assert.ok(find("MX", domain), `MX record at ${domain}: ${JSON.stringify(attrs)}`);
}

// ---- happy paths -------------------------------------------------------------------

test("CreateEmailIdentity: exact response shape, verified at once with --review auto", async () => {
  const domain = "mail.create-happy.example.net";
  const r = await api().call("CreateEmailIdentity", { EmailIdentity: domain });
  assert.deepEqual(sortedKeys(r), ["Attributes", "DKIMOption", "IdentityType", "RequestId", "VerifiedForSendingStatus"]);
  assert.equal(r.IdentityType, "DOMAIN");
  assert.equal(r.VerifiedForSendingStatus, true);
  assert.equal(typeof r.DKIMOption, "number");
  assertAttributes(r.Attributes, domain);
});

test("CreateEmailIdentity with DKIMOption 1 returns DKIMOption 1; GetEmailIdentity agrees", async () => {
  const domain = "dkim1.example.net";
  const r = await api().call("CreateEmailIdentity", { EmailIdentity: domain, DKIMOption: 1 });
  assert.equal(r.DKIMOption, 1);
  const g = await api().call("GetEmailIdentity", { EmailIdentity: domain });
  assert.equal(g.DKIMOption, 1);
});

test("CreateEmailIdentity accepts DKIMOption 2 (dual signature)", async () => {
  await withEmulator({}, async (emu) => {
    const r = await rawClient(emu).call("CreateEmailIdentity", { EmailIdentity: "dual.example.net", DKIMOption: 2 });
    assert.equal(r.DKIMOption, 2);
  });
});

test("GetEmailIdentity of the fixture domain: exact response shape", async () => {
  const r = await api().call("GetEmailIdentity", { EmailIdentity: DEFAULT_ACCOUNT.domain });
  assert.deepEqual(sortedKeys(r), [
    "Attributes",
    "DKIMOption",
    "IdentityType",
    "RequestId",
    "TagList",
    "VerifiedForSendingStatus",
  ]);
  assert.equal(r.IdentityType, "DOMAIN");
  assert.equal(r.VerifiedForSendingStatus, true);
  assert.ok(Array.isArray(r.TagList));
  assertAttributes(r.Attributes, DEFAULT_ACCOUNT.domain);
});

test("ListEmailIdentities: exact response shape, fixture domain listed", async () => {
  const r = await api().call("ListEmailIdentities", {});
  assert.deepEqual(sortedKeys(r), ["EmailIdentities", "MaxDailyQuota", "MaxReputationLevel", "RequestId", "Total"]);
  assert.equal(typeof r.MaxDailyQuota, "number");
  assert.equal(typeof r.MaxReputationLevel, "number");
  assert.equal(r.Total, r.EmailIdentities.length);
  const e = r.EmailIdentities.find((i) => i.IdentityName === DEFAULT_ACCOUNT.domain);
  assert.ok(e, JSON.stringify(r.EmailIdentities));
  assert.deepEqual(sortedKeys(e), [
    "CurrentReputationLevel",
    "DKIMOption",
    "DailyQuota",
    "IdentityName",
    "IdentityType",
    "SendIp",
    "SendingEnabled",
    "TagList",
  ]);
  assert.equal(e.IdentityType, "DOMAIN");
  assert.equal(e.SendingEnabled, true);
  assert.ok(Array.isArray(e.SendIp));
  assert.ok(Array.isArray(e.TagList));
});

test("ListEmailIdentities via the China SDK lists a newly created domain with its tags", async () => {
  const domain = "listed.example.net";
  const tags = [{ TagKey: "k", TagValue: "v" }];
  const client = chinaClient(h.emu);
  await client.CreateEmailIdentity({ EmailIdentity: domain, TagList: tags });
  const r = await client.ListEmailIdentities({});
  const e = r.EmailIdentities.find((i) => i.IdentityName === domain);
  assert.ok(e, JSON.stringify(r.EmailIdentities));
  assert.deepEqual(e.TagList, tags);
});

test("UpdateEmailIdentity of the fixture domain: exact response shape", async () => {
  const r = await api().call("UpdateEmailIdentity", { EmailIdentity: DEFAULT_ACCOUNT.domain });
  assert.deepEqual(sortedKeys(r), ["Attributes", "DKIMOption", "IdentityType", "RequestId", "VerifiedForSendingStatus"]);
  assert.equal(r.IdentityType, "DOMAIN");
  assert.equal(r.VerifiedForSendingStatus, true);
  assertAttributes(r.Attributes, DEFAULT_ACCOUNT.domain);
});

test("UpdateEmailIdentity with the identity's own DKIMOption succeeds", async () => {
  const domain = "same-dkim.example.net";
  await api().call("CreateEmailIdentity", { EmailIdentity: domain, DKIMOption: 0 });
  const r = await api().call("UpdateEmailIdentity", { EmailIdentity: domain, DKIMOption: 0 });
  assert.equal(r.DKIMOption, 0);
});

test("DeleteEmailIdentity: answers only RequestId; the domain is gone", async () => {
  const domain = "delete-me.example.net";
  await api().call("CreateEmailIdentity", { EmailIdentity: domain });
  const r = await api().call("DeleteEmailIdentity", { EmailIdentity: domain });
  assert.deepEqual(sortedKeys(r), ["RequestId"]);
  await expectError(api().tc3("GetEmailIdentity", { EmailIdentity: domain }), "InvalidParameterValue.NotExistDomain");
  const list = await api().call("ListEmailIdentities", {});
  assert.ok(!list.EmailIdentities.some((i) => i.IdentityName === domain));
});

test("--review manual: a new domain is not verified for sending", async () => {
  await withEmulator({ review: "manual" }, async (emu) => {
    const r = await rawClient(emu).call("CreateEmailIdentity", { EmailIdentity: "pending.example.net" });
    assert.equal(r.VerifiedForSendingStatus, false);
  });
});

// ---- errors --------------------------------------------------------------------------

test("MissingParameter: CreateEmailIdentity without EmailIdentity", async () => {
  await expectError(api().tc3("CreateEmailIdentity", {}, { language: "en-US" }), "MissingParameter", {
    message: /EmailIdentity/,
  });
});

test("InvalidParameterValue.InvalidEmailIdentity: bad domain syntax", async () => {
  for (const bad of ["not a domain.com", "user@example.net", "..example.net", "-bad-.example.net"]) {
    await expectError(
      api().tc3("CreateEmailIdentity", { EmailIdentity: bad }),
      "InvalidParameterValue.InvalidEmailIdentity",
    ).catch((e) => {
      e.message = `EmailIdentity ${JSON.stringify(bad)}: ${e.message}`;
      throw e;
    });
  }
});

test("InvalidParameterValue.RepeatCreation: same domain twice in one account", async () => {
  const domain = "twice.example.net";
  await api().call("CreateEmailIdentity", { EmailIdentity: domain });
  await expectError(api().tc3("CreateEmailIdentity", { EmailIdentity: domain }), "InvalidParameterValue.RepeatCreation");
});

test("InvalidParameterValue.RepeatCreation: the fixture domain again", async () => {
  await expectError(
    api().tc3("CreateEmailIdentity", { EmailIdentity: DEFAULT_ACCOUNT.domain }),
    "InvalidParameterValue.RepeatCreation",
  );
});

test("InvalidParameterValue.CreatedByOther: domain owned by another account", async () => {
  const fixture = {
    accounts: [
      fixtureAccount({
        app_id: 1300000201,
        uin: "100000000201",
        credentials: [{ secret_id: "AKIDIDENTITYFIRST00000", secret_key: "identity-first-key" }],
      }),
      fixtureAccount({
        app_id: 1300000202,
        uin: "100000000202",
        credentials: [{ secret_id: "AKIDIDENTITYOTHER00000", secret_key: "identity-other-key" }],
        identities: [{ domain: "taken.example.org", verified: true }],
      }),
    ],
  };
  await withEmulator({ fixtures: fixture }, async (emu) => {
    const first = rawClient(emu, { secretId: "AKIDIDENTITYFIRST00000", secretKey: "identity-first-key" });
    await expectError(
      first.tc3("CreateEmailIdentity", { EmailIdentity: "taken.example.org" }),
      "InvalidParameterValue.CreatedByOther",
    );
  });
});

test("OperationDenied.ExceedDomainLimit: the 11th domain of an account", async () => {
  const fixture = {
    accounts: [
      fixtureAccount({
        credentials: [{ secret_id: "AKIDDOMAINLIMIT000000", secret_key: "domain-limit-key" }],
      }),
    ],
  };
  await withEmulator({ fixtures: fixture }, async (emu) => {
    const c = rawClient(emu, { secretId: "AKIDDOMAINLIMIT000000", secretKey: "domain-limit-key" });
    for (let i = 1; i <= 10; i++) await c.call("CreateEmailIdentity", { EmailIdentity: `d${i}.limit.example.net` });
    await expectError(
      c.tc3("CreateEmailIdentity", { EmailIdentity: "d11.limit.example.net" }),
      "OperationDenied.ExceedDomainLimit",
    );
  });
});

test("InvalidParameterValue: DKIMOption not 0/1/2", async () => {
  await expectError(
    api().tc3("CreateEmailIdentity", { EmailIdentity: "dkim-bad.example.net", DKIMOption: 3 }),
    "InvalidParameterValue",
  );
  // and nothing was created
  await expectError(
    api().tc3("GetEmailIdentity", { EmailIdentity: "dkim-bad.example.net" }),
    "InvalidParameterValue.NotExistDomain",
  );
});

test("LimitExceeded: TagList over 50 entries", async () => {
  const TagList = Array.from({ length: 51 }, (_, i) => ({ TagKey: `k${i}`, TagValue: `v${i}` }));
  await expectError(
    api().tc3("CreateEmailIdentity", { EmailIdentity: "many-tags.example.net", TagList }),
    "LimitExceeded",
  );
});

test("InvalidParameterValue.NotExistDomain: GetEmailIdentity of an unknown domain", async () => {
  await expectError(
    api().tc3("GetEmailIdentity", { EmailIdentity: "never-created.example.net" }),
    "InvalidParameterValue.NotExistDomain",
  );
});

test("InvalidParameterValue.NotExistDomain: UpdateEmailIdentity of an unknown domain", async () => {
  await expectError(
    api().tc3("UpdateEmailIdentity", { EmailIdentity: "never-created.example.net" }),
    "InvalidParameterValue.NotExistDomain",
  );
});

test("FailedOperation.DKIMNotApplied: UpdateEmailIdentity with a different DKIMOption", async () => {
  const domain = "dkim-change.example.net";
  await api().call("CreateEmailIdentity", { EmailIdentity: domain, DKIMOption: 0 });
  await expectError(
    api().tc3("UpdateEmailIdentity", { EmailIdentity: domain, DKIMOption: 1 }),
    "FailedOperation.DKIMNotApplied",
  );
});

test("OperationDenied.SenderWithDomainIsNotEmpty: DeleteEmailIdentity while a sender uses it", async () => {
  const domain = "has-sender.example.net";
  await api().call("CreateEmailIdentity", { EmailIdentity: domain });
  await api().call("CreateEmailAddress", { EmailAddress: `info@${domain}` });
  await expectError(
    api().tc3("DeleteEmailIdentity", { EmailIdentity: domain }),
    "OperationDenied.SenderWithDomainIsNotEmpty",
  );
  // still there
  await api().call("GetEmailIdentity", { EmailIdentity: domain });
});

test("InvalidParameterValue: DeleteEmailIdentity of an unknown domain", async () => {
  await expectError(
    api().tc3("DeleteEmailIdentity", { EmailIdentity: "never-created.example.net" }),
    "InvalidParameterValue",
  );
});
