"use strict";
// Templates: CreateEmailTemplate, GetEmailTemplate, ListEmailTemplates,
// UpdateEmailTemplate, DeleteEmailTemplate.

const { test } = require("node:test");
const assert = require("node:assert/strict");
const { sharedEmulator, withEmulator, fixtureAccount } = require("./lib/emulator");
const { b64, chinaClient, expectError, rawClient, sortedKeys, unb64 } = require("./lib/clients");

const h = sharedEmulator();
const api = () => rawClient(h.emu);
const META_KEYS = ["CreatedTimestamp", "ReviewReason", "TemplateID", "TemplateName", "TemplateStatus"];
const CONTENT = { Html: b64("<p>Hello {{who}}</p>"), Text: b64("Hello {{who}}") };
const UNKNOWN_ID = 987654321;

async function listAll(client = api()) {
  return client.call("ListEmailTemplates", { Limit: 100, Offset: 0 });
}

async function idOf(name, client = api()) {
  const t = (await listAll(client)).TemplatesMetadata.find((m) => m.TemplateName === name);
  assert.ok(t, `template ${name} not listed`);
  return t.TemplateID;
}

async function create(name, content = CONTENT, client = api()) {
  const r = await client.call("CreateEmailTemplate", { TemplateName: name, TemplateContent: content });
  return r.TemplateID;
}

// ---- happy paths -----------------------------------------------------------------------

test("ListEmailTemplates: exact response shape; fixture templates approved", async () => {
  const r = await listAll();
  assert.deepEqual(sortedKeys(r), ["RequestId", "TemplatesMetadata", "TotalCount"]);
  assert.equal(r.TotalCount, r.TemplatesMetadata.length);
  for (const name of ["welcome", "verify-code"]) {
    const m = r.TemplatesMetadata.find((t) => t.TemplateName === name);
    assert.ok(m, `${name} listed`);
    assert.deepEqual(sortedKeys(m), META_KEYS);
    assert.equal(m.TemplateStatus, 0);
    assert.ok(Number.isInteger(m.TemplateID) && m.TemplateID > 0);
    assert.ok(Number.isInteger(m.CreatedTimestamp) && m.CreatedTimestamp > 0);
    assert.equal(typeof m.ReviewReason, "string");
  }
});

test("ListEmailTemplates pages with Limit and Offset", async () => {
  const all = await listAll();
  assert.ok(all.TotalCount >= 2);
  const seen = [];
  for (let off = 0; off < all.TotalCount; off++) {
    const page = await api().call("ListEmailTemplates", { Limit: 1, Offset: off });
    assert.equal(page.TotalCount, all.TotalCount);
    assert.equal(page.TemplatesMetadata.length, 1);
    seen.push(page.TemplatesMetadata[0].TemplateID);
  }
  assert.deepEqual([...seen].sort(), all.TemplatesMetadata.map((t) => t.TemplateID).sort());
  const past = await api().call("ListEmailTemplates", { Limit: 10, Offset: all.TotalCount });
  assert.equal(past.TemplatesMetadata.length, 0);
  assert.equal(past.TotalCount, all.TotalCount);
});

test("ListEmailTemplates accepts Limit 100", async () => {
  await api().call("ListEmailTemplates", { Limit: 100, Offset: 0 });
});

test("GetEmailTemplate of the fixture 'welcome': exact response shape and content", async () => {
  const r = await api().call("GetEmailTemplate", { TemplateID: await idOf("welcome") });
  assert.deepEqual(sortedKeys(r), ["RequestId", "TemplateContent", "TemplateName", "TemplateStatus"]);
  assert.equal(r.TemplateName, "welcome");
  assert.equal(r.TemplateStatus, 0);
  assert.equal(unb64(r.TemplateContent.Html), "<p>Hi {{name}}</p>");
  assert.equal(unb64(r.TemplateContent.Text), "Hi {{name}}");
});

test("GetEmailTemplate of the fixture 'verify-code' uses {{code}}", async () => {
  const r = await api().call("GetEmailTemplate", { TemplateID: await idOf("verify-code") });
  const body = unb64(r.TemplateContent.Html || "") + unb64(r.TemplateContent.Text || "");
  assert.match(body, /\{\{code\}\}/);
});

test("CreateEmailTemplate: answers TemplateID; Get and List show it approved", async () => {
  const r = await api().call("CreateEmailTemplate", { TemplateName: "e2e-created", TemplateContent: CONTENT });
  assert.deepEqual(sortedKeys(r), ["RequestId", "TemplateID"]);
  assert.ok(Number.isInteger(r.TemplateID) && r.TemplateID > 0);
  const g = await api().call("GetEmailTemplate", { TemplateID: r.TemplateID });
  assert.equal(g.TemplateName, "e2e-created");
  assert.equal(g.TemplateStatus, 0);
  assert.equal(g.TemplateContent.Html, CONTENT.Html);
  assert.equal(g.TemplateContent.Text, CONTENT.Text);
  const m = (await listAll()).TemplatesMetadata.find((t) => t.TemplateID === r.TemplateID);
  assert.ok(m);
  assert.equal(m.TemplateName, "e2e-created");
  assert.equal(m.TemplateStatus, 0);
});

test("CreateEmailTemplate with only Text, through the China SDK", async () => {
  const client = chinaClient(h.emu);
  const r = await client.CreateEmailTemplate({ TemplateName: "text-only", TemplateContent: { Text: b64("plain {{x}}") } });
  const g = await client.GetEmailTemplate({ TemplateID: r.TemplateID });
  assert.equal(unb64(g.TemplateContent.Text), "plain {{x}}");
});

test("CreateEmailTemplate: new ids are distinct", async () => {
  const a = await create("distinct-a");
  const b = await create("distinct-b");
  assert.notEqual(a, b);
});

test("CreateEmailTemplate accepts exactly 1 MiB of decoded content", async () => {
  const id = await create("one-mib", { Text: b64("a".repeat(1024 * 1024)) });
  assert.ok(id > 0);
});

test("UpdateEmailTemplate: answers only RequestId; Get shows the new name and content", async () => {
  const id = await create("before-update");
  const next = { Html: b64("<i>new {{y}}</i>"), Text: b64("new {{y}}") };
  const r = await api().call("UpdateEmailTemplate", { TemplateID: id, TemplateName: "after-update", TemplateContent: next });
  assert.deepEqual(sortedKeys(r), ["RequestId"]);
  const g = await api().call("GetEmailTemplate", { TemplateID: id });
  assert.equal(g.TemplateName, "after-update");
  assert.equal(g.TemplateContent.Html, next.Html);
  assert.equal(g.TemplateContent.Text, next.Text);
  assert.equal(g.TemplateStatus, 0);
});

test("DeleteEmailTemplate: answers only RequestId; no longer listed", async () => {
  const id = await create("to-delete");
  const r = await api().call("DeleteEmailTemplate", { TemplateID: id });
  assert.deepEqual(sortedKeys(r), ["RequestId"]);
  const list = await listAll();
  assert.ok(!list.TemplatesMetadata.some((t) => t.TemplateID === id));
});

test("--review manual: a new template is pending (TemplateStatus 1), fixture ones stay 0", async () => {
  await withEmulator({ review: "manual" }, async (emu) => {
    const c = rawClient(emu);
    const id = await create("manual-review", CONTENT, c);
    const g = await c.call("GetEmailTemplate", { TemplateID: id });
    assert.equal(g.TemplateStatus, 1);
    const list = await listAll(c);
    assert.equal(list.TemplatesMetadata.find((t) => t.TemplateID === id).TemplateStatus, 1);
    assert.equal(list.TemplatesMetadata.find((t) => t.TemplateName === "welcome").TemplateStatus, 0);
  });
});

test("fixture template status approved/pending/rejected → TemplateStatus 0/1/2", async () => {
  const fixture = {
    accounts: [
      fixtureAccount({
        credentials: [{ secret_id: "AKIDTEMPLATESTATUS0000", secret_key: "template-status-key" }],
        templates: [
          { name: "ok", html: "<p>ok</p>", text: "ok", status: "approved" },
          { name: "wait", html: "<p>wait</p>", text: "wait", status: "pending" },
          { name: "no", html: "<p>no</p>", text: "no", status: "rejected" },
        ],
      }),
    ],
  };
  await withEmulator({ fixtures: fixture }, async (emu) => {
    const c = rawClient(emu, { secretId: "AKIDTEMPLATESTATUS0000", secretKey: "template-status-key" });
    const list = await listAll(c);
    const status = Object.fromEntries(list.TemplatesMetadata.map((t) => [t.TemplateName, t.TemplateStatus]));
    assert.deepEqual(status, { ok: 0, wait: 1, no: 2 });
    const g = await c.call("GetEmailTemplate", { TemplateID: await idOf("ok", c) });
    assert.equal(unb64(g.TemplateContent.Html), "<p>ok</p>");
    assert.equal(unb64(g.TemplateContent.Text), "ok");
  });
});

// ---- errors ---------------------------------------------------------------------------------

test("MissingParameter: CreateEmailTemplate without TemplateContent", async () => {
  await expectError(
    api().tc3("CreateEmailTemplate", { TemplateName: "no-content" }, { language: "en-US" }),
    "MissingParameter",
    { message: /TemplateContent/ },
  );
});

test("InvalidParameterValue.TemplateNameIllegal: CreateEmailTemplate with an empty name", async () => {
  await expectError(
    api().tc3("CreateEmailTemplate", { TemplateName: "", TemplateContent: CONTENT }),
    "InvalidParameterValue.TemplateNameIllegal",
  );
});

test("InvalidParameterValue.TemplateNameIllegal: CreateEmailTemplate with a 101-character name", async () => {
  await expectError(
    api().tc3("CreateEmailTemplate", { TemplateName: "t".repeat(101), TemplateContent: CONTENT }),
    "InvalidParameterValue.TemplateNameIllegal",
  );
});

test("CreateEmailTemplate accepts a 100-character name", async () => {
  const id = await create("t".repeat(100));
  const g = await api().call("GetEmailTemplate", { TemplateID: id });
  assert.equal(g.TemplateName, "t".repeat(100));
});

test("InvalidParameterValue.TemplateContentIsNULL: neither Html nor Text", async () => {
  await expectError(
    api().tc3("CreateEmailTemplate", { TemplateName: "empty-content", TemplateContent: {} }),
    "InvalidParameterValue.TemplateContentIsNULL",
  );
});

test("InvalidParameterValue.TemplateContentIsWrong: Html not base64", async () => {
  await expectError(
    api().tc3("CreateEmailTemplate", {
      TemplateName: "bad-b64",
      TemplateContent: { Html: "<p>this is not base64!</p>" },
    }),
    "InvalidParameterValue.TemplateContentIsWrong",
  );
});

test("InvalidParameterValue.TemplateContentIsWrong: Text decodes to invalid UTF-8", async () => {
  await expectError(
    api().tc3("CreateEmailTemplate", {
      TemplateName: "bad-utf8",
      TemplateContent: { Text: Buffer.from([0x48, 0x69, 0xff, 0xfe, 0xc3]).toString("base64") },
    }),
    "InvalidParameterValue.TemplateContentIsWrong",
  );
});

test("FailedOperation.TemplateContentToolarge: decoded content over 1 MiB", async () => {
  await expectError(
    api().tc3("CreateEmailTemplate", {
      TemplateName: "too-large",
      TemplateContent: { Text: b64("a".repeat(1024 * 1024 + 1)) },
    }),
    "FailedOperation.TemplateContentToolarge",
  );
});

test("FailedOperation.ExceedTemplateLimit: the 101st template of an account", async () => {
  const fixture = {
    accounts: [
      fixtureAccount({ credentials: [{ secret_id: "AKIDTEMPLATELIMIT0000", secret_key: "template-limit-key" }] }),
    ],
  };
  await withEmulator({ fixtures: fixture }, async (emu) => {
    const c = rawClient(emu, { secretId: "AKIDTEMPLATELIMIT0000", secretKey: "template-limit-key" });
    for (let i = 1; i <= 100; i++) await create(`limit-${i}`, { Text: b64(`t${i}`) }, c);
    await expectError(
      c.tc3("CreateEmailTemplate", { TemplateName: "limit-101", TemplateContent: { Text: b64("x") } }),
      "FailedOperation.ExceedTemplateLimit",
    );
  });
});

test("InvalidParameterValue.TemplateNotExist: GetEmailTemplate of an unknown id", async () => {
  await expectError(
    api().tc3("GetEmailTemplate", { TemplateID: UNKNOWN_ID }),
    "InvalidParameterValue.TemplateNotExist",
  );
});

test("InvalidParameterValue.TemplateNotExist: UpdateEmailTemplate of an unknown id", async () => {
  await expectError(
    api().tc3("UpdateEmailTemplate", { TemplateID: UNKNOWN_ID, TemplateName: "x", TemplateContent: CONTENT }),
    "InvalidParameterValue.TemplateNotExist",
  );
});

test("ResourceNotFound: GetEmailTemplate of a deleted template", async () => {
  const id = await create("deleted-then-get");
  await api().call("DeleteEmailTemplate", { TemplateID: id });
  await expectError(api().tc3("GetEmailTemplate", { TemplateID: id }), "ResourceNotFound");
});

test("InvalidParameterValue: DeleteEmailTemplate of an unknown id", async () => {
  await expectError(api().tc3("DeleteEmailTemplate", { TemplateID: UNKNOWN_ID }), "InvalidParameterValue");
});

test("InvalidParameterValue.TemplateNameIsNULL: UpdateEmailTemplate with an empty name", async () => {
  const id = await create("rename-empty");
  await expectError(
    api().tc3("UpdateEmailTemplate", { TemplateID: id, TemplateName: "", TemplateContent: CONTENT }),
    "InvalidParameterValue.TemplateNameIsNULL",
  );
});

test("InvalidParameterValue.TemplateNameIllegal: UpdateEmailTemplate with a 101-character name", async () => {
  const id = await create("rename-long");
  await expectError(
    api().tc3("UpdateEmailTemplate", { TemplateID: id, TemplateName: "u".repeat(101), TemplateContent: CONTENT }),
    "InvalidParameterValue.TemplateNameIllegal",
  );
});

test("InvalidParameterValue.TemplateContentIsNULL: UpdateEmailTemplate with neither Html nor Text", async () => {
  const id = await create("update-empty");
  await expectError(
    api().tc3("UpdateEmailTemplate", { TemplateID: id, TemplateName: "update-empty", TemplateContent: {} }),
    "InvalidParameterValue.TemplateContentIsNULL",
  );
});

test("InvalidParameterValue.TemplateContentIsWrong: UpdateEmailTemplate with bad base64", async () => {
  const id = await create("update-bad-b64");
  await expectError(
    api().tc3("UpdateEmailTemplate", {
      TemplateID: id,
      TemplateName: "update-bad-b64",
      TemplateContent: { Text: "***" },
    }),
    "InvalidParameterValue.TemplateContentIsWrong",
  );
});

test("FailedOperation.InvalidLimit: ListEmailTemplates with Limit 101", async () => {
  await expectError(api().tc3("ListEmailTemplates", { Limit: 101, Offset: 0 }), "FailedOperation.InvalidLimit");
});
