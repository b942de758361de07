"use strict";
// SendEmail: template and Simple sends through the China SDK, the stored
// message read back from /_emulator/messages/{id}/raw and parsed with
// mailparser, and one test per SendEmail error code the emulator can produce
// (docs/errors.md, section "SendEmail", lists each trigger).

const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const http = require("node:http");
const { simpleParser } = require("mailparser");
const { DEFAULT_ACCOUNT, sharedEmulator, withEmulator, fixtureAccount } = require("./lib/emulator");
const { b64, chinaClient, expectError, rawClient, rawRequest, sortedKeys } = require("./lib/clients");

const h = sharedEmulator();
const api = () => rawClient(h.emu);
const sdk = () => chinaClient(h.emu);

const SENDER = DEFAULT_ACCOUNT.sender; // noreply@example.com, approved, on a verified domain
const MESSAGE_ID_RE = new RegExp(`^qcloudses-30-${DEFAULT_ACCOUNT.appId}-date-(\\d{14})-[A-Za-z0-9]{12}$`);
const MIB = 1024 * 1024;
const BYTES_0_255 = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const UNKNOWN_TEMPLATE = 987654321;

// ---- helpers -------------------------------------------------------------------------------

const templateIds = new Map();
async function templateId(name) {
  if (templateIds.has(name)) return templateIds.get(name);
  const r = await api().call("ListEmailTemplates", { Limit: 100, Offset: 0 });
  const t = r.TemplatesMetadata.find((m) => m.TemplateName === name);
  assert.ok(t, `template ${name} listed`);
  templateIds.set(name, t.TemplateID);
  return t.TemplateID;
}

// The fixture template "welcome": subject/html/text use {{name}}.
async function welcome(data = { name: "Bob" }) {
  return { TemplateID: await templateId("welcome"), TemplateData: JSON.stringify(data) };
}

// A valid SendEmail request with the overrides applied (a key set to undefined is removed).
async function request(over = {}) {
  const params = {
    FromEmailAddress: SENDER,
    Destination: ["to@example.net"],
    Subject: "Hi {{name}}",
    Template: await welcome(),
    ...over,
  };
  for (const k of Object.keys(params)) if (params[k] === undefined) delete params[k];
  return params;
}

// GET a control route as raw bytes.
function getBuffer(emu, path) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: emu.host, port: emu.port, path, agent: false }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
  });
}

async function rawMessage(id, emu = h.emu) {
  const r = await getBuffer(emu, `/_emulator/messages/${encodeURIComponent(id)}/raw`);
  assert.equal(r.status, 200, `raw message ${id}: ${r.body.toString("utf8").slice(0, 300)}`);
  assert.equal(r.headers["content-type"], "message/rfc822");
  return r.body;
}

async function parsed(id, emu = h.emu) {
  const raw = await rawMessage(id, emu);
  return { raw, text: raw.toString("latin1"), mail: await simpleParser(raw) };
}

async function messageView(id, emu = h.emu) {
  const r = await rawRequest(emu, { path: `/_emulator/messages/${encodeURIComponent(id)}` });
  assert.equal(r.status, 200, r.text.slice(0, 300));
  return r.json;
}

// The header block of a raw message (up to the first empty line), unfolded.
function topHeaders(text) {
  const end = text.indexOf("\r\n\r\n");
  return text.slice(0, end < 0 ? text.length : end).replace(/\r\n[ \t]+/g, " ");
}

async function advanceClock(emu, seconds) {
  const r = await rawRequest(emu, {
    method: "POST",
    path: "/_emulator/clock",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ advance_seconds: seconds }),
  });
  return r;
}

// One fixture account with its own domain, sender and templates; `over` replaces fields.
const CUSTOM_CRED = { secret_id: "AKIDSENDTESTACCOUNT000", secret_key: "send-test-account-key" };
function customFixture(over = {}, templates) {
  return {
    accounts: [
      fixtureAccount({
        credentials: [CUSTOM_CRED],
        identities: [{ domain: "example.org", verified: true }],
        senders: [{ address: "sender@example.org", name: "Org" }],
        templates: templates || [{ name: "hello", html: "<p>Hello {{name}}</p>", text: "Hello {{name}}" }],
        ...over,
      }),
    ],
  };
}
const customClient = (emu) => rawClient(emu, { secretId: CUSTOM_CRED.secret_id, secretKey: CUSTOM_CRED.secret_key });
async function customRequest(emu, over = {}) {
  const c = customClient(emu);
  const list = await c.call("ListEmailTemplates", { Limit: 100, Offset: 0 });
  const hello = list.TemplatesMetadata.find((t) => t.TemplateName === "hello");
  const params = {
    FromEmailAddress: "sender@example.org",
    Destination: ["to@example.net"],
    Subject: "Hello",
    ...(hello ? { Template: { TemplateID: hello.TemplateID, TemplateData: JSON.stringify({ name: "x" }) } } : {}),
    ...over,
  };
  for (const k of Object.keys(params)) if (params[k] === undefined) delete params[k];
  return params;
}

// ---- a tiny file server on 127.0.0.1 for Attachment.FileURL -------------------------------------

const files = {
  "/report.pdf": BYTES_0_255,
  "/big.pdf": Buffer.alloc(4 * MIB + 1, 0x61),
};
let fileServer;
let fileBase;
before(async () => {
  fileServer = http.createServer((req, res) => {
    const body = files[req.url];
    if (!body) {
      res.writeHead(404, { "Content-Type": "text/plain" });
      res.end("not found");
      return;
    }
    res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": body.length });
    res.end(body);
  });
  await new Promise((resolve) => fileServer.listen(0, "127.0.0.1", resolve));
  fileBase = `http://127.0.0.1:${fileServer.address().port}`;
});
after(async () => {
  if (fileServer) await new Promise((resolve) => fileServer.close(resolve));
});

// ---- happy paths ---------------------------------------------------------------------------------

test("SendEmail (China SDK) with a template: response shape, MessageId format, stored and rendered", async () => {
  const r = await sdk().SendEmail(await request({ Destination: ["bob@example.net"] }));
  assert.deepEqual(sortedKeys(r), ["MessageId", "RequestId"]);
  const m = MESSAGE_ID_RE.exec(r.MessageId);
  assert.ok(m, `MessageId ${r.MessageId} has the format qcloudses-30-<appid>-date-<14 digits>-<12 alnum>`);
  const view = await messageView(r.MessageId);
  assert.equal(view.id, r.MessageId);
  // The date part is the emulator's clock at sending time (CST), as in created_at.
  assert.equal(m[1], view.created_at.replace(/\D/g, ""));
  assert.equal(view.subject, "Hi Bob");
  assert.equal(view.from, SENDER);
  assert.deepEqual(view.to, ["bob@example.net"]);
  assert.equal(view.template_id, await templateId("welcome"));
  assert.equal(view.task_id, null);
  assert.equal(view.text, "Hi Bob");
  assert.equal(view.html, "<p>Hi Bob</p>");
  assert.equal(view.status, "delivered");
});

test("SendEmail: two sends get distinct MessageIds", async () => {
  const a = await sdk().SendEmail(await request());
  const b = await sdk().SendEmail(await request());
  assert.notEqual(a.MessageId, b.MessageId);
  assert.match(b.MessageId, MESSAGE_ID_RE);
});

test("SendEmail raw message: From alias, To, Cc, Reply-To, no Bcc, non-ASCII Subject, text+html alternative", async () => {
  const r = await sdk().SendEmail(
    await request({
      FromEmailAddress: `Example Team <${SENDER}>`,
      Destination: ["alice@example.net", "bob@example.net"],
      Cc: ["carol@example.net"],
      Bcc: ["hidden@example.net"],
      ReplyToAddresses: "replies@example.com",
      Subject: "你好 {{name}} — café ✓",
      Template: await welcome({ name: "Zoë" }),
    }),
  );
  const { text, mail } = await parsed(r.MessageId);
  assert.deepEqual(mail.from.value, [{ address: SENDER, name: "Example Team" }]);
  assert.deepEqual(
    mail.to.value.map((a) => a.address),
    ["alice@example.net", "bob@example.net"],
  );
  assert.deepEqual(
    mail.cc.value.map((a) => a.address),
    ["carol@example.net"],
  );
  assert.deepEqual(
    mail.replyTo.value.map((a) => a.address),
    ["replies@example.com"],
  );
  assert.equal(mail.bcc, undefined, "no Bcc header");
  assert.doesNotMatch(topHeaders(text), /^bcc:/im);
  assert.ok(!text.includes("hidden@example.net"), "the Bcc address appears nowhere in the message");
  assert.equal(mail.subject, "你好 Zoë — café ✓");
  assert.match(topHeaders(text), /^Subject: =\?UTF-8\?[BQ]\?/im, "a non-ASCII Subject is RFC 2047 encoded");
  assert.ok(/^[\x00-\x7f]*$/.test(text), "the raw message is 7-bit ASCII");
  assert.match(text, /Content-Type: multipart\/alternative;/i);
  const plainAt = text.search(/Content-Type: text\/plain/i);
  const htmlAt = text.search(/Content-Type: text\/html/i);
  assert.ok(plainAt > 0 && htmlAt > plainAt, "text/plain first, then text/html");
  assert.equal(mail.text.trim(), "Hi Zoë");
  assert.equal(mail.html.trim(), "<p>Hi Zoë</p>");
  assert.ok(mail.date instanceof Date && !Number.isNaN(mail.date.getTime()), "a Date header");
  assert.match(mail.messageId, /^<qcloudses-30-\d+-date-\d{14}-[A-Za-z0-9]{12}@[^>]+>$/);
  assert.ok(mail.messageId.includes(r.MessageId), "the Message-ID header carries the MessageId");
  // The control view lists Bcc separately (it is an envelope recipient).
  const view = await messageView(r.MessageId);
  assert.deepEqual(view.bcc, ["hidden@example.net"]);
  assert.deepEqual(
    view.recipients.map((x) => x.address).sort(),
    ["alice@example.net", "bob@example.net", "carol@example.net", "hidden@example.net"],
  );
});

test("SendEmail: a quoted alias is accepted and unquoted", async () => {
  const r = await sdk().SendEmail(await request({ FromEmailAddress: `"Quoted Name" <${SENDER}>` }));
  const { mail } = await parsed(r.MessageId);
  assert.deepEqual(mail.from.value, [{ address: SENDER, name: "Quoted Name" }]);
});

test("SendEmail attachments: binary bytes and a non-ASCII file name arrive byte-exact", async () => {
  const text = Buffer.from("line one\r\nline two\n", "utf8");
  const r = await sdk().SendEmail(
    await request({
      Attachments: [
        { FileName: "报告-résumé.pdf", Content: BYTES_0_255.toString("base64") },
        { FileName: "notes.txt", Content: text.toString("base64") },
      ],
    }),
  );
  const { mail, text: raw } = await parsed(r.MessageId);
  assert.match(raw, /Content-Type: multipart\/mixed;/i);
  assert.equal(mail.attachments.length, 2);
  const [pdf, txt] = mail.attachments;
  assert.equal(pdf.filename, "报告-résumé.pdf");
  assert.equal(pdf.contentType, "application/pdf");
  assert.ok(Buffer.compare(pdf.content, BYTES_0_255) === 0, "bytes 0..255 unchanged");
  assert.equal(txt.filename, "notes.txt");
  assert.equal(txt.contentType, "text/plain");
  assert.ok(Buffer.compare(txt.content, text) === 0, "line endings of a text attachment unchanged");
  assert.equal(mail.text.trim(), "Hi Bob");
  const view = await messageView(r.MessageId);
  assert.deepEqual(view.attachments, [
    { file_name: "报告-résumé.pdf", content_type: "application/pdf", size: 256 },
    { file_name: "notes.txt", content_type: "text/plain", size: text.length },
  ]);
});

test("SendEmail: SmtpHeaders add custom headers; SmtpMessageId becomes the Message-ID", async () => {
  const r = await sdk().SendEmail(
    await request({
      SmtpHeaders: JSON.stringify({ "X-Campaign": "spring-2024", "X-Priority-Tag": "high" }),
      SmtpMessageId: "<custom-123.abc@example.com>",
    }),
  );
  const { mail } = await parsed(r.MessageId);
  assert.equal(mail.headers.get("x-campaign"), "spring-2024");
  assert.equal(mail.headers.get("x-priority-tag"), "high");
  assert.equal(mail.messageId, "<custom-123.abc@example.com>");
  // The API's MessageId stays the emulator's own.
  assert.match(r.MessageId, MESSAGE_ID_RE);
});

test("SendEmail: HeaderFrom replaces the From header", async () => {
  const r = await sdk().SendEmail(
    await request({ FromEmailAddress: `Alias <${SENDER}>`, HeaderFrom: "Shown Name <shown@example.com>" }),
  );
  const { mail, text } = await parsed(r.MessageId);
  assert.deepEqual(mail.from.value, [{ address: "shown@example.com", name: "Shown Name" }]);
  assert.equal((topHeaders(text).match(/^From:/gim) || []).length, 1, "exactly one From header");
  // The envelope sender is still FromEmailAddress.
  assert.equal((await messageView(r.MessageId)).from, SENDER);
});

test("SendEmail: Unsubscribe \"2\" adds the English footer link and List-Unsubscribe", async () => {
  const r = await sdk().SendEmail(await request({ Unsubscribe: "2" }));
  const { mail } = await parsed(r.MessageId);
  const url = `${h.emu.url}/_emulator/unsubscribe/${r.MessageId}`;
  assert.match(mail.text, /To stop receiving these emails, unsubscribe here/);
  assert.ok(mail.text.includes(url), `text footer links ${url}: ${mail.text}`);
  assert.match(mail.html, /<a href="[^"]+"[^>]*>To stop receiving these emails, unsubscribe here<\/a>/);
  assert.ok(mail.html.includes(`href="${url}"`), `html footer links ${url}`);
  const header = mail.headerLines.find((l) => l.key === "list-unsubscribe");
  assert.ok(header, "a List-Unsubscribe header");
  assert.ok(header.line.replace(/\r\n[ \t]+/g, " ").includes(`<${url}>`), header.line);
  const post = mail.headerLines.find((l) => l.key === "list-unsubscribe-post");
  assert.ok(post && /List-Unsubscribe=One-Click/.test(post.line), "List-Unsubscribe-Post one-click");
});

test("SendEmail: Unsubscribe \"1\" adds the Simplified Chinese footer; \"0\" or none adds nothing", async () => {
  const zh = await sdk().SendEmail(await request({ Unsubscribe: "1" }));
  assert.match((await parsed(zh.MessageId)).mail.text, /如不想再收到此类邮件，请点击退订/);
  for (const over of [{ Unsubscribe: "0" }, {}]) {
    const r = await sdk().SendEmail(await request(over));
    const { mail } = await parsed(r.MessageId);
    assert.equal(mail.text.trim(), "Hi Bob");
    assert.ok(!mail.headerLines.some((l) => l.key === "list-unsubscribe"), "no List-Unsubscribe");
  }
});

test("SendEmail with Simple (allow_simple account): Html and Text as given, subject not rendered", async () => {
  const html = "<html><body><h1>Ünïcode {{kept}}</h1></body></html>";
  const text = "Plain body\nsecond line";
  const r = await sdk().SendEmail(
    await request({ Template: undefined, Subject: "Simple {{kept}}", Simple: { Html: b64(html), Text: b64(text) } }),
  );
  assert.match(r.MessageId, MESSAGE_ID_RE);
  const { mail, text: raw } = await parsed(r.MessageId);
  assert.match(raw, /multipart\/alternative/i);
  assert.equal(mail.subject, "Simple {{kept}}");
  assert.equal(mail.html.trim(), html);
  assert.equal(mail.text.replace(/\r\n/g, "\n").trim(), text);
  assert.equal((await messageView(r.MessageId)).template_id, null);
});

test("SendEmail: the unsubscribe footer goes inside the HTML body, before </body>", async () => {
  const html = "<html><body><p>Body</p></body></html>";
  const r = await sdk().SendEmail(await request({ Template: undefined, Simple: { Html: b64(html) }, Unsubscribe: "2" }));
  const { mail } = await parsed(r.MessageId);
  assert.match(mail.html, /^<html><body><p>Body<\/p><p [^>]*><a href="[^"]+"[^>]*>To stop receiving these emails, unsubscribe here<\/a><\/p><\/body><\/html>$/);
});

test("SendEmail: MessageId date and the Date header follow the emulator's clock", async () => {
  await withEmulator({}, async (emu) => {
    const moved = await advanceClock(emu, 10 * 86400);
    assert.equal(moved.status, 200, moved.text);
    const now = moved.json.timestamp;
    const c = rawClient(emu);
    const id = (await c.call("ListEmailTemplates", { Limit: 100, Offset: 0 })).TemplatesMetadata.find(
      (t) => t.TemplateName === "welcome",
    ).TemplateID;
    const r = await c.call("SendEmail", {
      FromEmailAddress: SENDER,
      Destination: ["later@example.net"],
      Subject: "Hi",
      Template: { TemplateID: id, TemplateData: '{"name":"x"}' },
    });
    const stamp = MESSAGE_ID_RE.exec(r.MessageId)[1];
    const [y, mo, d, hh, mi, ss] = stamp.match(/^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/).slice(1).map(Number);
    const stampSeconds = Date.UTC(y, mo - 1, d, hh, mi, ss) / 1000 - 8 * 3600; // the stamp is CST
    const diff = stampSeconds - now;
    assert.ok(diff >= 0 && diff <= 5, `MessageId stamp ${stamp} (CST) is the emulator's time, ${diff} s from it`);
    const { mail } = await parsed(r.MessageId, emu);
    const skew = mail.date.getTime() / 1000 - now;
    assert.ok(skew >= -1 && skew <= 5, `Date header ${mail.date.toISOString()} is the emulator's time`);
  });
});

test("SendEmail with Simple Text only: a single text/plain body", async () => {
  const r = await sdk().SendEmail(await request({ Template: undefined, Simple: { Text: b64("only text") } }));
  const { mail, text } = await parsed(r.MessageId);
  assert.doesNotMatch(text, /multipart\/alternative/i);
  assert.equal(mail.text.trim(), "only text");
  assert.equal(mail.html, false);
});

test("SendEmail: Cc-only and Bcc-only sends are accepted (Destination is optional)", async () => {
  const cc = await sdk().SendEmail(await request({ Destination: undefined, Cc: ["cc-only@example.net"] }));
  assert.deepEqual((await messageView(cc.MessageId)).cc, ["cc-only@example.net"]);
  const bcc = await sdk().SendEmail(await request({ Destination: undefined, Bcc: ["bcc-only@example.net"] }));
  const view = await messageView(bcc.MessageId);
  assert.deepEqual(view.to, []);
  assert.deepEqual(view.bcc, ["bcc-only@example.net"]);
});

test("SendEmail accepts the limits: 50 To, 20 Cc, 20 Bcc, a 100-character subject, TriggerType 1", async () => {
  const to = Array.from({ length: 50 }, (_, i) => `to${i}@example.net`);
  const cc = Array.from({ length: 20 }, (_, i) => `cc${i}@example.net`);
  const bcc = Array.from({ length: 20 }, (_, i) => `bcc${i}@example.net`);
  const subject = "题".repeat(90) + "{{name}}"; // 98 characters once rendered; 98 before
  const r = await sdk().SendEmail(
    await request({ Destination: to, Cc: cc, Bcc: bcc, Subject: subject, TriggerType: 1 }),
  );
  const view = await messageView(r.MessageId);
  assert.equal(view.recipients.length, 90);
  const hundred = "s".repeat(100);
  await sdk().SendEmail(await request({ Subject: hundred, Template: await welcome({ name: "x" }), Unsubscribe: "12" }));
});

test("SendEmail Attachment.FileURL: the content fetched from a local server arrives byte-exact", async () => {
  const r = await sdk().SendEmail(
    await request({ Attachments: [{ FileName: "fetched.pdf", FileURL: `${fileBase}/report.pdf` }] }),
  );
  const { mail } = await parsed(r.MessageId);
  assert.equal(mail.attachments.length, 1);
  assert.equal(mail.attachments[0].filename, "fetched.pdf");
  assert.ok(Buffer.compare(mail.attachments[0].content, BYTES_0_255) === 0);
});

test("SendEmail to the simulator: bounce@ is rejected and blacklisted, success@ delivered", async () => {
  const r = await sdk().SendEmail(
    await request({ Destination: ["success@ses-simulator.test", "bounce+first@ses-simulator.test"] }),
  );
  const view = await messageView(r.MessageId);
  const by = Object.fromEntries(view.recipients.map((x) => [x.address, x]));
  assert.equal(by["success@ses-simulator.test"].deliver_status, 1);
  assert.equal(by["bounce+first@ses-simulator.test"].deliver_status, 3);
  assert.equal(by["bounce+first@ses-simulator.test"].outcome, "bounced");
});

// ---- errors: schema --------------------------------------------------------------------------

test("MissingParameter: SendEmail without Subject", async () => {
  await expectError(api().tc3("SendEmail", await request({ Subject: undefined })), "MissingParameter", {
    message: /Subject/,
  });
});

test("MissingParameter: SendEmail without FromEmailAddress (China SDK)", async () => {
  await expectError(sdk().SendEmail(await request({ FromEmailAddress: undefined })), "MissingParameter");
});

test("UnknownParameter: SendEmail with a parameter it does not define", async () => {
  await expectError(api().tc3("SendEmail", await request({ Priority: 1 })), "UnknownParameter");
});

test("InvalidParameter: SendEmail with Destination not a list", async () => {
  await expectError(api().tc3("SendEmail", await request({ Destination: "to@example.net" })), "InvalidParameter");
});

// ---- errors: sender ----------------------------------------------------------------------------

test("FailedOperation.IncorrectSender: FromEmailAddress in neither accepted shape", async () => {
  for (const from of [
    `Alias<${SENDER}>`, // no space before "<"
    `Al:ias <${SENDER}>`, // a colon in the alias
    "not-an-address",
    `Alias <${SENDER}`, // no closing ">"
  ]) {
    await expectError(api().tc3("SendEmail", await request({ FromEmailAddress: from })), "FailedOperation.IncorrectSender");
  }
});

test("FailedOperation.IncorrectSender: an alias with a line break", async () => {
  await expectError(
    api().tc3("SendEmail", await request({ FromEmailAddress: `Ali\r\nas <${SENDER}>` }), { language: "en-US" }),
    "FailedOperation.IncorrectSender",
    { message: /FromEmailAddress/ },
  );
});

test("FailedOperation.NotAuthenticatedSender: an unregistered sender; a sender not yet approved", async () => {
  await expectError(
    api().tc3("SendEmail", await request({ FromEmailAddress: "someone-else@example.com" })),
    "FailedOperation.NotAuthenticatedSender",
  );
  const fixture = customFixture({ senders: [{ address: "pending@example.org", status: "pending" }] });
  await withEmulator({ fixtures: fixture }, async (emu) => {
    await expectError(
      customClient(emu).tc3("SendEmail", await customRequest(emu, { FromEmailAddress: "pending@example.org" })),
      "FailedOperation.NotAuthenticatedSender",
    );
  });
});

test("InvalidParameterValue.InvalidEmailIdentity: a sender whose domain is not verified", async () => {
  const fixture = customFixture({
    identities: [{ domain: "unverified.example", verified: false }],
    senders: [{ address: "sender@unverified.example" }],
  });
  await withEmulator({ fixtures: fixture }, async (emu) => {
    await expectError(
      customClient(emu).tc3("SendEmail", await customRequest(emu, { FromEmailAddress: "sender@unverified.example" })),
      "InvalidParameterValue.InvalidEmailIdentity",
    );
  });
});

// ---- errors: recipients ------------------------------------------------------------------------------

test("InvalidParameterValue.EmailAddressIsNULL: empty FromEmailAddress; no recipient; an empty address", async () => {
  await expectError(
    api().tc3("SendEmail", await request({ FromEmailAddress: "" })),
    "InvalidParameterValue.EmailAddressIsNULL",
  );
  await expectError(
    api().tc3("SendEmail", await request({ Destination: undefined })),
    "InvalidParameterValue.EmailAddressIsNULL",
  );
  await expectError(
    api().tc3("SendEmail", await request({ Destination: [], Cc: [], Bcc: [] })),
    "InvalidParameterValue.EmailAddressIsNULL",
  );
  await expectError(
    api().tc3("SendEmail", await request({ Destination: ["ok@example.net", ""] })),
    "InvalidParameterValue.EmailAddressIsNULL",
  );
});

test("InvalidParameterValue.ReceiverEmailInvalid: a Destination that is not an address", async () => {
  for (const to of ["not-an-address", "a@b@example.net", "Name <x@example.net>"]) {
    await expectError(
      api().tc3("SendEmail", await request({ Destination: [to] })),
      "InvalidParameterValue.ReceiverEmailInvalid",
    );
  }
});

test("FailedOperation.IncorrectEmail: a bad Cc, Bcc or ReplyToAddresses", async () => {
  await expectError(api().tc3("SendEmail", await request({ Cc: ["bad-cc"] })), "FailedOperation.IncorrectEmail");
  await expectError(api().tc3("SendEmail", await request({ Bcc: ["bad@"] })), "FailedOperation.IncorrectEmail");
  await expectError(
    api().tc3("SendEmail", await request({ ReplyToAddresses: "not an address" })),
    "FailedOperation.IncorrectEmail",
  );
});

test("FailedOperation.TooManyRecipients: 51 To; 21 Cc; 21 Bcc; a Bcc repeating a To", async () => {
  const many = (p, n) => Array.from({ length: n }, (_, i) => `${p}${i}@example.net`);
  await expectError(api().tc3("SendEmail", await request({ Destination: many("t", 51) })), "FailedOperation.TooManyRecipients");
  await expectError(api().tc3("SendEmail", await request({ Cc: many("c", 21) })), "FailedOperation.TooManyRecipients");
  await expectError(api().tc3("SendEmail", await request({ Bcc: many("b", 21) })), "FailedOperation.TooManyRecipients");
  await expectError(
    api().tc3("SendEmail", await request({ Destination: ["same@example.net"], Bcc: ["SAME@example.net"] })),
    "FailedOperation.TooManyRecipients",
  );
});

// ---- errors: subject, options -----------------------------------------------------------------------

test("InvalidParameterValue: Subject of 101 characters; empty Subject", async () => {
  await expectError(api().tc3("SendEmail", await request({ Subject: "s".repeat(101) })), "InvalidParameterValue", {
    message: /Subject/,
  });
  await expectError(api().tc3("SendEmail", await request({ Subject: "题".repeat(101) })), "InvalidParameterValue");
  await expectError(api().tc3("SendEmail", await request({ Subject: "" })), "InvalidParameterValue");
});

test("InvalidParameterValue: TriggerType 2", async () => {
  await expectError(api().tc3("SendEmail", await request({ TriggerType: 2 })), "InvalidParameterValue", {
    message: /TriggerType/,
  });
});

test("InvalidParameterValue: Unsubscribe \"13\" and other unknown codes", async () => {
  for (const code of ["13", "x", "-1", "002"]) {
    await expectError(api().tc3("SendEmail", await request({ Unsubscribe: code })), "InvalidParameterValue");
  }
});

test("InvalidParameterValue: SmtpHeaders not a JSON object, or setting a reserved header", async () => {
  for (const headers of ["not json", "[1,2]", '"X-A: b"']) {
    await expectError(api().tc3("SendEmail", await request({ SmtpHeaders: headers })), "InvalidParameterValue", {
      message: /SmtpHeaders/,
    });
  }
  for (const headers of [{ From: "evil@example.net" }, { "Content-Type": "text/plain" }, { "X-Bad": "a\r\nInjected: 1" }]) {
    await expectError(
      api().tc3("SendEmail", await request({ SmtpHeaders: JSON.stringify(headers) })),
      "InvalidParameterValue",
    );
  }
});

test("InvalidParameterValue: SmtpMessageId that is not a message id names SmtpMessageId", async () => {
  await expectError(
    api().tc3("SendEmail", await request({ SmtpMessageId: "<has space@example.com>" }), { language: "en-US" }),
    "InvalidParameterValue",
    { message: /SmtpMessageId/ },
  );
});

test("SendEmail: SmtpMessageId without angle brackets gets them", async () => {
  const r = await sdk().SendEmail(await request({ SmtpMessageId: "plain-id.42@example.com" }));
  assert.equal((await parsed(r.MessageId)).mail.messageId, "<plain-id.42@example.com>");
});

test("SendEmail: a line break in the Subject cannot add a header", async () => {
  const r = await sdk().SendEmail(await request({ Subject: "Hi\r\nBcc: injected@example.net" }));
  const { text, mail } = await parsed(r.MessageId);
  assert.doesNotMatch(topHeaders(text), /^bcc:/im);
  assert.equal(mail.bcc, undefined);
  assert.deepEqual((await messageView(r.MessageId)).bcc, []);
});

test("InvalidParameterValue: HeaderFrom that is not one address", async () => {
  await expectError(
    api().tc3("SendEmail", await request({ HeaderFrom: "not an address" })),
    "InvalidParameterValue",
    { message: /HeaderFrom/ },
  );
});

// ---- errors: content ------------------------------------------------------------------------------------

test("FailedOperation.MissingEmailContent: neither Template nor Simple", async () => {
  await expectError(api().tc3("SendEmail", await request({ Template: undefined })), "FailedOperation.MissingEmailContent");
});

test("FailedOperation.WithOutPermission: Simple from an account without allow_simple", async () => {
  await withEmulator({ fixtures: customFixture() }, async (emu) => {
    await expectError(
      customClient(emu).tc3(
        "SendEmail",
        await customRequest(emu, { Template: undefined, Simple: { Text: b64("no permission") } }),
      ),
      "FailedOperation.WithOutPermission",
    );
  });
});

test("InvalidParameterValue.EmailContentIsWrong: Simple not base64, not UTF-8, or empty", async () => {
  const bad = [
    { Html: "<p>not base64</p>" },
    { Text: Buffer.from([0x48, 0xff, 0xfe]).toString("base64") },
    {},
    { Html: "", Text: "" },
  ];
  for (const simple of bad) {
    await expectError(
      api().tc3("SendEmail", await request({ Template: undefined, Simple: simple })),
      "InvalidParameterValue.EmailContentIsWrong",
    );
  }
});

test("FailedOperation.InvalidTemplateID: unknown, deleted, pending (fixture), rejected", async () => {
  await expectError(
    api().tc3("SendEmail", await request({ Template: { TemplateID: UNKNOWN_TEMPLATE, TemplateData: "{}" } })),
    "FailedOperation.InvalidTemplateID",
  );
  const created = await api().call("CreateEmailTemplate", {
    TemplateName: "send-then-delete",
    TemplateContent: { Text: b64("bye {{name}}") },
  });
  await api().call("DeleteEmailTemplate", { TemplateID: created.TemplateID });
  await expectError(
    api().tc3("SendEmail", await request({ Template: { TemplateID: created.TemplateID, TemplateData: '{"name":"x"}' } })),
    "FailedOperation.InvalidTemplateID",
  );
  const fixture = customFixture({}, [
    { name: "hello", html: "<p>Hello {{name}}</p>" },
    { name: "waiting", text: "wait {{name}}", status: "pending" },
    { name: "refused", text: "no {{name}}", status: "rejected" },
  ]);
  await withEmulator({ fixtures: fixture }, async (emu) => {
    const c = customClient(emu);
    const list = (await c.call("ListEmailTemplates", { Limit: 100, Offset: 0 })).TemplatesMetadata;
    for (const name of ["waiting", "refused"]) {
      const id = list.find((t) => t.TemplateName === name).TemplateID;
      await expectError(
        c.tc3("SendEmail", await customRequest(emu, { Template: { TemplateID: id, TemplateData: '{"name":"x"}' } })),
        "FailedOperation.InvalidTemplateID",
      );
    }
  });
});

test("FailedOperation.InvalidTemplateID: a template still under review with --review manual", async () => {
  await withEmulator({ review: "manual" }, async (emu) => {
    const c = rawClient(emu);
    const { TemplateID } = await c.call("CreateEmailTemplate", {
      TemplateName: "under-review",
      TemplateContent: { Text: b64("hi {{name}}") },
    });
    await expectError(
      c.tc3("SendEmail", {
        FromEmailAddress: SENDER,
        Destination: ["to@example.net"],
        Subject: "s",
        Template: { TemplateID, TemplateData: '{"name":"x"}' },
      }),
      "FailedOperation.InvalidTemplateID",
    );
  });
});

test("FailedOperation.WrongContentJson: TemplateData not a JSON object, or a value that is an object, an array or null", async () => {
  const id = await templateId("welcome");
  for (const data of ["not json", "[1]", '"name"', '{"name":"x"']) {
    await expectError(
      api().tc3("SendEmail", await request({ Template: { TemplateID: id, TemplateData: data } })),
      "FailedOperation.WrongContentJson",
    );
  }
  for (const value of ['{"a":1}', "[1]", "null"]) {
    await expectError(
      api().tc3("SendEmail", await request({ Template: { TemplateID: id, TemplateData: `{"name":${value}}` } })),
      "FailedOperation.WrongContentJson",
    );
  }
});

test("SendEmail: TemplateData numbers and booleans render as JSON writes them", async () => {
  for (const [value, shown] of [["42", "42"], ["2.5", "2.5"], ["true", "true"], ["false", "false"]]) {
    const r = await sdk().SendEmail(await request({ Template: { TemplateID: await templateId("welcome"), TemplateData: `{"name":${value}}` } }));
    const view = await messageView(r.MessageId);
    assert.equal(view.subject, `Hi ${shown}`);
    assert.equal(view.text, `Hi ${shown}`);
  }
});

test("InvalidParameterValue.TemplateNotMatchData: a missing variable; an extra variable", async () => {
  const id = await templateId("welcome");
  await expectError(
    api().tc3("SendEmail", await request({ Template: { TemplateID: id, TemplateData: "{}" } })),
    "InvalidParameterValue.TemplateNotMatchData",
  );
  await expectError(
    api().tc3("SendEmail", await request({ Template: { TemplateID: id, TemplateData: '{"name":"x","extra":"y"}' } })),
    "InvalidParameterValue.TemplateNotMatchData",
  );
  // A variable only in the Subject must be in the data too.
  await expectError(
    api().tc3("SendEmail", await request({ Subject: "For {{who}}", Template: await welcome({ name: "x" }) })),
    "InvalidParameterValue.TemplateNotMatchData",
  );
});

// ---- errors: attachments ---------------------------------------------------------------------------------

const PDF = (name = "a.pdf") => ({ FileName: name, Content: b64("%PDF-1.4 tiny") });

test("FailedOperation.TooManyAttachments: 11 attachments (10 accepted)", async () => {
  const ten = Array.from({ length: 10 }, (_, i) => PDF(`f${i}.pdf`));
  await sdk().SendEmail(await request({ Attachments: ten }));
  await expectError(
    api().tc3("SendEmail", await request({ Attachments: [...ten, PDF("f10.pdf")] })),
    "FailedOperation.TooManyAttachments",
  );
});

test("FailedOperation.TooManyAttachments: attachments are checked before the sender", async () => {
  const eleven = Array.from({ length: 11 }, (_, i) => PDF(`f${i}.pdf`));
  await expectError(
    api().tc3("SendEmail", await request({ FromEmailAddress: "unknown@example.com", Attachments: eleven })),
    "FailedOperation.TooManyAttachments",
  );
});

test("FailedOperation.NoAttachPermission: an account without allow_attachments", async () => {
  await withEmulator({ fixtures: customFixture({ allow_attachments: false }) }, async (emu) => {
    await expectError(
      customClient(emu).tc3("SendEmail", await customRequest(emu, { Attachments: [PDF()] })),
      "FailedOperation.NoAttachPermission",
    );
    // Without attachments the same account sends.
    await customClient(emu).call("SendEmail", await customRequest(emu));
  });
});

test("FailedOperation.InvalidAttachName: empty, a path, over 255 characters", async () => {
  for (const name of ["", "dir/a.pdf", "..\\a.pdf", `${"n".repeat(252)}.pdf`]) {
    await expectError(
      api().tc3("SendEmail", await request({ Attachments: [PDF(name)] })),
      "FailedOperation.InvalidAttachName",
    );
  }
});

test("FailedOperation.UnsupportMailType: .exe; no extension", async () => {
  for (const name of ["setup.exe", "README", "archive."]) {
    await expectError(
      api().tc3("SendEmail", await request({ Attachments: [PDF(name)] })),
      "FailedOperation.UnsupportMailType",
    );
  }
});

test("InvalidParameterValue.AttachContentIsWrong: Content not base64; neither Content nor FileURL", async () => {
  await expectError(
    api().tc3("SendEmail", await request({ Attachments: [{ FileName: "a.pdf", Content: "***not base64***" }] })),
    "InvalidParameterValue.AttachContentIsWrong",
  );
  await expectError(
    api().tc3("SendEmail", await request({ Attachments: [{ FileName: "a.pdf" }] })),
    "InvalidParameterValue.AttachContentIsWrong",
  );
});

test("FailedOperation.AttachContentToolarge: one attachment over 4 MiB decoded; several adding up; a FileURL over 4 MiB", async () => {
  const over = Buffer.alloc(4 * MIB + 1, 0x41).toString("base64");
  await expectError(
    api().tc3("SendEmail", await request({ Attachments: [{ FileName: "big.pdf", Content: over }] })),
    "FailedOperation.AttachContentToolarge",
  );
  const half = Buffer.alloc(2 * MIB + 1, 0x42).toString("base64");
  await expectError(
    api().tc3("SendEmail", await request({
      Attachments: [
        { FileName: "a.pdf", Content: half },
        { FileName: "b.pdf", Content: half },
      ],
    })),
    "FailedOperation.AttachContentToolarge",
  );
  await expectError(
    api().tc3("SendEmail", await request({ Attachments: [{ FileName: "big.pdf", FileURL: `${fileBase}/big.pdf` }] })),
    "FailedOperation.AttachContentToolarge",
  );
});

test("FailedOperation.EmailContentToolarge: Simple body plus attachments over 4 MiB", async () => {
  const attachment = Buffer.alloc(4 * MIB - 50, 0x43).toString("base64");
  await expectError(
    api().tc3("SendEmail", await request({
      Template: undefined,
      Simple: { Text: b64("t".repeat(100)) },
      Attachments: [{ FileName: "a.pdf", Content: attachment }],
    })),
    "FailedOperation.EmailContentToolarge",
  );
  // The same attachment with a 40-byte body fits.
  await api().call("SendEmail", await request({
    Template: undefined,
    Simple: { Text: b64("t".repeat(40)) },
    Attachments: [{ FileName: "a.pdf", Content: attachment }],
  }));
});

test("FailedOperation.IllegalURL: FileURL with an ftp scheme, or not a URL", async () => {
  for (const url of ["ftp://127.0.0.1/a.pdf", "not a url", "file:///etc/passwd"]) {
    await expectError(
      api().tc3("SendEmail", await request({ Attachments: [{ FileName: "a.pdf", FileURL: url }] })),
      "FailedOperation.IllegalURL",
    );
  }
});

test("FailedOperation.URLForbidden: FileURL on a host outside --fetch-allow", async () => {
  await expectError(
    api().tc3("SendEmail", await request({ Attachments: [{ FileName: "a.pdf", FileURL: "http://example.com/a.pdf" }] })),
    "FailedOperation.URLForbidden",
  );
});

test("FailedOperation.URLForbidden: --fetch-allow replaces the default list (127.0.0.1 no longer allowed)", async () => {
  await withEmulator({ args: ["--fetch-allow", "files.example.net"] }, async (emu) => {
    await expectError(
      rawClient(emu).tc3("SendEmail", await request({ Attachments: [{ FileName: "a.pdf", FileURL: `${fileBase}/report.pdf` }] })),
      "FailedOperation.URLForbidden",
    );
  });
});

test("FailedOperation.FileURLNotExist: FileURL answering 404", async () => {
  await expectError(
    api().tc3("SendEmail", await request({ Attachments: [{ FileName: "a.pdf", FileURL: `${fileBase}/missing.pdf` }] })),
    "FailedOperation.FileURLNotExist",
  );
});

// ---- errors: suppression and sending limits ---------------------------------------------------------------

test("FailedOperation.EmailAddrInBlacklist: a second send to an address that bounced", async () => {
  const first = await sdk().SendEmail(await request({ Destination: ["bounce@ses-simulator.test"] }));
  assert.match(first.MessageId, MESSAGE_ID_RE);
  await expectError(
    api().tc3("SendEmail", await request({ Destination: ["bounce@ses-simulator.test"] })),
    "FailedOperation.EmailAddrInBlacklist",
  );
  // Letter case does not matter.
  await expectError(
    api().tc3("SendEmail", await request({ Destination: ["Bounce@SES-Simulator.test"] })),
    "FailedOperation.EmailAddrInBlacklist",
  );
  // Also when it is only a Cc or Bcc recipient.
  await expectError(
    api().tc3("SendEmail", await request({ Destination: ["fine@example.net"], Bcc: ["bounce@ses-simulator.test"] })),
    "FailedOperation.EmailAddrInBlacklist",
  );
});

test("FailedOperation.InsufficientQuota: --send-limits on, more recipients than the quota left", async () => {
  const fixture = customFixture({ daily_quota: 2 });
  await withEmulator({ fixtures: fixture, args: ["--send-limits", "on"] }, async (emu) => {
    const c = customClient(emu);
    await expectError(
      c.tc3("SendEmail", await customRequest(emu, { Destination: ["a@example.net", "b@example.net", "c@example.net"] })),
      "FailedOperation.InsufficientQuota",
    );
    await c.call("SendEmail", await customRequest(emu, { Destination: ["a@example.net"] }));
    await expectError(
      c.tc3("SendEmail", await customRequest(emu, { Destination: ["a@example.net"], Cc: ["b@example.net"] })),
      "FailedOperation.InsufficientQuota",
    );
  });
});

test("FailedOperation.ExceedSendLimit: --send-limits on, the daily quota used up", async () => {
  const fixture = customFixture({ daily_quota: 2 });
  await withEmulator({ fixtures: fixture, args: ["--send-limits", "on"] }, async (emu) => {
    const c = customClient(emu);
    await c.call("SendEmail", await customRequest(emu, { Destination: ["a@example.net", "b@example.net"] }));
    await expectError(
      c.tc3("SendEmail", await customRequest(emu, { Destination: ["c@example.net"] })),
      "FailedOperation.ExceedSendLimit",
    );
  });
});

test("--send-limits off (the default): the daily quota is not enforced", async () => {
  const fixture = customFixture({ daily_quota: 2 });
  await withEmulator({ fixtures: fixture }, async (emu) => {
    const c = customClient(emu);
    for (let i = 0; i < 3; i++) {
      await c.call("SendEmail", await customRequest(emu, { Destination: ["a@example.net", "b@example.net"] }));
    }
  });
});

test("FailedOperation.FrequencyLimit: the 11th mail to one address within an hour; accepted again an hour later", async () => {
  await withEmulator({ args: ["--send-limits", "on"] }, async (emu) => {
    const c = rawClient(emu);
    const id = (await c.call("ListEmailTemplates", { Limit: 100, Offset: 0 })).TemplatesMetadata.find(
      (t) => t.TemplateName === "welcome",
    ).TemplateID;
    const params = (to) => ({
      FromEmailAddress: SENDER,
      Destination: [to],
      Subject: "Hi",
      Template: { TemplateID: id, TemplateData: '{"name":"x"}' },
    });
    for (let i = 0; i < 10; i++) await c.call("SendEmail", params("busy@example.net"));
    await expectError(c.tc3("SendEmail", params("busy@example.net")), "FailedOperation.FrequencyLimit");
    await expectError(c.tc3("SendEmail", params("BUSY@example.net")), "FailedOperation.FrequencyLimit");
    // Other addresses are not affected.
    await c.call("SendEmail", params("other@example.net"));
    const moved = await advanceClock(emu, 3601);
    assert.equal(moved.status, 200, `POST /_emulator/clock: ${moved.text}`);
    await c.call("SendEmail", params("busy@example.net"));
  });
});
