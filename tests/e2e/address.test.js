"use strict";
// Sender addresses: CreateEmailAddress, ListEmailAddress, DeleteEmailAddress,
// UpdateEmailSmtpPassWord.

const { test } = require("node:test");
const assert = require("node:assert/strict");
const { sharedEmulator, withEmulator, fixtureAccount, DEFAULT_ACCOUNT } = require("./lib/emulator");
const { chinaClient, expectError, rawClient, sortedKeys } = require("./lib/clients");

const h = sharedEmulator();
const api = () => rawClient(h.emu);
const SENDER_KEYS = ["CreatedTimestamp", "EmailAddress", "EmailSenderName", "SmtpPwdType"];
const GOOD_PASSWORD = "Abcdefgh12";

async function senders(client = api()) {
  const r = await client.call("ListEmailAddress", {});
  return r.EmailSenders;
}

async function findSender(address, client = api()) {
  return (await senders(client)).find((s) => s.EmailAddress === address);
}

// ---- happy paths ---------------------------------------------------------------------

test("ListEmailAddress: exact response shape with the fixture sender", async () => {
  const r = await api().call("ListEmailAddress", {});
  assert.deepEqual(sortedKeys(r), ["EmailSenders", "RequestId"]);
  const s = r.EmailSenders.find((x) => x.EmailAddress === DEFAULT_ACCOUNT.sender);
  assert.ok(s, JSON.stringify(r.EmailSenders));
  assert.deepEqual(sortedKeys(s), SENDER_KEYS);
  assert.equal(s.EmailSenderName, DEFAULT_ACCOUNT.senderName);
  assert.equal(s.SmtpPwdType, 0);
  assert.ok(Number.isInteger(s.CreatedTimestamp) && s.CreatedTimestamp > 0, String(s.CreatedTimestamp));
});

test("CreateEmailAddress: answers only RequestId; ListEmailAddress shows the sender", async () => {
  const r = await api().call("CreateEmailAddress", { EmailAddress: "hello@example.com", EmailSenderName: "Hello Team" });
  assert.deepEqual(sortedKeys(r), ["RequestId"]);
  const s = await findSender("hello@example.com");
  assert.ok(s);
  assert.deepEqual(sortedKeys(s), SENDER_KEYS);
  assert.equal(s.EmailSenderName, "Hello Team");
  assert.equal(s.SmtpPwdType, 0);
  assert.ok(Number.isInteger(s.CreatedTimestamp) && s.CreatedTimestamp > 0);
});

test("CreateEmailAddress through the China SDK, with a 64-character sender name", async () => {
  const name = "N".repeat(64);
  await chinaClient(h.emu).CreateEmailAddress({ EmailAddress: "long-name@example.com", EmailSenderName: name });
  const s = await findSender("long-name@example.com");
  assert.ok(s);
  assert.equal(s.EmailSenderName, name);
});

test("DeleteEmailAddress: answers only RequestId; the sender is gone", async () => {
  await api().call("CreateEmailAddress", { EmailAddress: "bye@example.com" });
  const r = await api().call("DeleteEmailAddress", { EmailAddress: "bye@example.com" });
  assert.deepEqual(sortedKeys(r), ["RequestId"]);
  assert.equal(await findSender("bye@example.com"), undefined);
});

test("UpdateEmailSmtpPassWord: answers only RequestId; ListEmailAddress shows SmtpPwdType 1", async () => {
  const addr = "smtp@example.com";
  await api().call("CreateEmailAddress", { EmailAddress: addr });
  assert.equal((await findSender(addr)).SmtpPwdType, 0);
  const r = await api().call("UpdateEmailSmtpPassWord", { EmailAddress: addr, Password: GOOD_PASSWORD });
  assert.deepEqual(sortedKeys(r), ["RequestId"]);
  assert.equal((await findSender(addr)).SmtpPwdType, 1);
});

// ---- errors ------------------------------------------------------------------------------

test("MissingParameter: CreateEmailAddress without EmailAddress", async () => {
  await expectError(api().tc3("CreateEmailAddress", {}, { language: "en-US" }), "MissingParameter", {
    message: /EmailAddress/,
  });
});

test("InvalidParameterValue.IllegalEmailAddress: malformed address", async () => {
  for (const bad of ["not-an-address", "a@@example.com", "@example.com", "noat.example.com"]) {
    await expectError(
      api().tc3("CreateEmailAddress", { EmailAddress: bad }),
      "InvalidParameterValue.IllegalEmailAddress",
    ).catch((e) => {
      e.message = `EmailAddress ${JSON.stringify(bad)}: ${e.message}`;
      throw e;
    });
  }
});

for (const [label, name] of [
  ["contains <", "Bad <Name"],
  ["contains >", "Bad > Name"],
  ["contains :", "Bad: Name"],
  ['contains "', 'Bad "Name"'],
  ["is 65 characters", "N".repeat(65)],
]) {
  test(`InvalidParameterValue.IllegalSenderName: name ${label}`, async () => {
    await expectError(
      api().tc3("CreateEmailAddress", { EmailAddress: "alias@example.com", EmailSenderName: name }),
      "InvalidParameterValue.IllegalSenderName",
    );
    assert.equal(await findSender("alias@example.com"), undefined, "nothing may be created");
  });
}

test("InvalidParameterValue.RepeatEmailAddress: the fixture sender again", async () => {
  await expectError(
    api().tc3("CreateEmailAddress", { EmailAddress: DEFAULT_ACCOUNT.sender }),
    "InvalidParameterValue.RepeatEmailAddress",
  );
});

test("InvalidParameterValue.RepeatEmailAddress: a created sender again", async () => {
  await api().call("CreateEmailAddress", { EmailAddress: "dup@example.com" });
  await expectError(
    api().tc3("CreateEmailAddress", { EmailAddress: "dup@example.com", EmailSenderName: "Other" }),
    "InvalidParameterValue.RepeatEmailAddress",
  );
});

test("OperationDenied.DomainNotVerified: domain not registered", async () => {
  await expectError(
    api().tc3("CreateEmailAddress", { EmailAddress: "x@unregistered.example.net" }),
    "OperationDenied.DomainNotVerified",
  );
});

test("OperationDenied.DomainNotVerified: domain registered but not verified (fixture)", async () => {
  const fixture = {
    accounts: [
      fixtureAccount({
        credentials: [{ secret_id: "AKIDUNVERIFIEDDOMAIN00", secret_key: "unverified-key" }],
        identities: [{ domain: "unverified.example.org", verified: false }],
      }),
    ],
  };
  await withEmulator({ fixtures: fixture }, async (emu) => {
    const c = rawClient(emu, { secretId: "AKIDUNVERIFIEDDOMAIN00", secretKey: "unverified-key" });
    await expectError(
      c.tc3("CreateEmailAddress", { EmailAddress: "x@unverified.example.org" }),
      "OperationDenied.DomainNotVerified",
    );
  });
});

test("OperationDenied.DomainNotVerified: domain created under --review manual", async () => {
  await withEmulator({ review: "manual" }, async (emu) => {
    const c = rawClient(emu);
    await c.call("CreateEmailIdentity", { EmailIdentity: "manual.example.net" });
    await expectError(
      c.tc3("CreateEmailAddress", { EmailAddress: "x@manual.example.net" }),
      "OperationDenied.DomainNotVerified",
    );
  });
});

test("OperationDenied.ExceedSenderLimit: the 11th sender of an account", async () => {
  const fixture = {
    accounts: [
      fixtureAccount({
        credentials: [{ secret_id: "AKIDSENDERLIMIT000000", secret_key: "sender-limit-key" }],
        identities: [{ domain: "senders.example.org", verified: true }],
      }),
    ],
  };
  await withEmulator({ fixtures: fixture }, async (emu) => {
    const c = rawClient(emu, { secretId: "AKIDSENDERLIMIT000000", secretKey: "sender-limit-key" });
    for (let i = 1; i <= 10; i++) await c.call("CreateEmailAddress", { EmailAddress: `s${i}@senders.example.org` });
    await expectError(
      c.tc3("CreateEmailAddress", { EmailAddress: "s11@senders.example.org" }),
      "OperationDenied.ExceedSenderLimit",
    );
  });
});

test("InvalidParameterValue.NoSuchSender: DeleteEmailAddress of an unknown sender", async () => {
  await expectError(
    api().tc3("DeleteEmailAddress", { EmailAddress: "ghost@example.com" }),
    "InvalidParameterValue.NoSuchSender",
  );
});

test("InvalidParameterValue.NoSuchSender: UpdateEmailSmtpPassWord of an unknown sender", async () => {
  await expectError(
    api().tc3("UpdateEmailSmtpPassWord", { EmailAddress: "ghost@example.com", Password: GOOD_PASSWORD }),
    "InvalidParameterValue.NoSuchSender",
  );
});

for (const [label, pw] of [
  ["9 characters", "Abcdefg12"],
  ["21 characters", "Abcdefghijklmnopqrs12"],
  ["only one distinct digit", "Abcdefgh11"],
  ["no digit", "Abcdefghij"],
  ["no uppercase letter", "abcdefgh12"],
  ["no lowercase letter", "ABCDEFGH12"],
]) {
  test(`InvalidParameterValue.InvalidSmtpPassWord: password with ${label}`, async () => {
    await expectError(
      api().tc3("UpdateEmailSmtpPassWord", { EmailAddress: DEFAULT_ACCOUNT.sender, Password: pw }),
      "InvalidParameterValue.InvalidSmtpPassWord",
    );
  });
}

test("UpdateEmailSmtpPassWord accepts 10- and 20-character passwords", async () => {
  const addr = "pwlen@example.com";
  await api().call("CreateEmailAddress", { EmailAddress: addr });
  await api().call("UpdateEmailSmtpPassWord", { EmailAddress: addr, Password: "Abcdefgh12" });
  await api().call("UpdateEmailSmtpPassWord", { EmailAddress: addr, Password: "Abcdefghijklmnopqr34" });
});

test("OperationDenied.RepeatPassWord: the same password twice", async () => {
  const addr = "repeat-pw@example.com";
  await api().call("CreateEmailAddress", { EmailAddress: addr });
  await api().call("UpdateEmailSmtpPassWord", { EmailAddress: addr, Password: "Xyzabcde34" });
  await expectError(
    api().tc3("UpdateEmailSmtpPassWord", { EmailAddress: addr, Password: "Xyzabcde34" }),
    "OperationDenied.RepeatPassWord",
  );
});
