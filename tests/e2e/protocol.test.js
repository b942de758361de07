"use strict";
// Protocol: envelope, headers, signatures (TC3 and v1), common errors, SDKs.

const { test } = require("node:test");
const assert = require("node:assert/strict");
const http = require("node:http");
const { sharedEmulator, withEmulator, DEFAULT_ACCOUNT } = require("./lib/emulator");
const {
  CJK_RE,
  UUID_RE,
  assertApiEnvelope,
  chinaClient,
  expectError,
  intlClient,
  nowSeconds,
  rawClient,
  rawRequest,
  sortedKeys,
  tc3Authorization,
} = require("./lib/clients");

const h = sharedEmulator();
const raw = () => rawClient(h.emu);
const LIST = { Limit: 10, Offset: 0 };

// ---- envelope and headers --------------------------------------------------------

test("success envelope: HTTP 200, Content-Type exactly application/json, Response with RequestId", async () => {
  const res = await raw().tc3("ListEmailTemplates", LIST);
  const r = assertApiEnvelope(res);
  assert.equal(r.Error, undefined, res.text);
  assert.deepEqual(sortedKeys(r), ["RequestId", "TemplatesMetadata", "TotalCount"]);
  assert.equal(r.TotalCount, 2);
  assert.equal(r.TemplatesMetadata.length, 2);
});

test("error envelope: HTTP 200, exact Content-Type, Response.Error{Code,Message} and RequestId only", async () => {
  const res = await raw().tc3("NoSuchActionAtAll", {});
  const r = assertApiEnvelope(res);
  assert.ok(r.Error, res.text);
  assert.deepEqual(sortedKeys(r.Error), ["Code", "Message"]);
  assert.equal(r.Error.Code, "InvalidAction");
});

test("every answer has a distinct RequestId", async () => {
  const ids = new Set();
  for (let i = 0; i < 5; i++) {
    const r = assertApiEnvelope(await raw().tc3("ListEmailTemplates", LIST));
    ids.add(r.RequestId);
  }
  assert.equal(ids.size, 5);
});

test("TC3: the host is signed with or without its port, whatever the scope's service; a wrong key still fails", async () => {
  const bare = h.emu.endpoint.replace(/:\d+$/, "");
  for (const service of ["ses", "127"]) {
    for (const signHost of [h.emu.endpoint, bare]) {
      const res = await raw().tc3("ListEmailTemplates", LIST, { service, signHost });
      assert.equal(assertApiEnvelope(res).Error, undefined, `${service} ${signHost}: ${res.text}`);
      const bad = await raw().tc3("ListEmailTemplates", LIST, { service, signHost, secretKey: "not-the-key" });
      assert.equal(assertApiEnvelope(bad).Error.Code, "AuthFailure.SignatureFailure", `${service} ${signHost}`);
    }
  }
  // a host that is neither the one sent nor it without its port
  const other = await raw().tc3("ListEmailTemplates", LIST, { service: "127", signHost: "127.0.0.2" });
  assert.equal(assertApiEnvelope(other).Error.Code, "AuthFailure.SignatureFailure");
});

test("GET /_emulator/health answers status ok", async () => {
  const res = await rawRequest(h.emu, { method: "GET", path: "/_emulator/health" });
  assert.equal(res.status, 200);
  assert.ok(res.json, `health body must be JSON: ${res.text}`);
  assert.equal(res.json.status, "ok");
});

test("a plain browser GET / redirects (302) to /_emulator/ui", async () => {
  const res = await rawRequest(h.emu, {
    method: "GET",
    path: "/",
    headers: { Accept: "text/html,application/xhtml+xml", "User-Agent": "Mozilla/5.0" },
  });
  assert.equal(res.status, 302, `status ${res.status}: ${res.text.slice(0, 200)}`);
  assert.ok(res.headers.location, "Location header missing");
  assert.equal(new URL(res.headers.location, h.emu.url).pathname, "/_emulator/ui");
});

// ---- common protocol errors ---------------------------------------------------------

test("UnsupportedProtocol: PUT with X-TC-Action", async () => {
  const res = await raw().tc3("ListEmailTemplates", LIST, { method: "PUT", body: JSON.stringify(LIST) });
  await expectError(res, "UnsupportedProtocol");
});

test("RequestSizeLimitExceeded: POST body over 8 MB, sent in full as an SDK does (3 tries)", async () => {
  // The client writes the whole body, like node-fetch in the SDKs; the answer
  // must reach it every time, not a reset connection.
  const body = JSON.stringify({ ...LIST, Pad: "a".repeat(9 * 1024 * 1024) });
  for (let i = 1; i <= 3; i++) {
    let res;
    try {
      res = await raw().tc3("ListEmailTemplates", {}, { body });
    } catch (e) {
      assert.fail(`try ${i}: no answer, the connection failed with ${e.code || e.message}`);
    }
    await expectError(res, "RequestSizeLimitExceeded");
  }
});

// A client that announces a large body and waits (Expect: 100-continue, as curl does for big
// bodies) is answered at once, without the body being read.
test("RequestSizeLimitExceeded: declared Content-Length over 8 MB with Expect: 100-continue is answered before the body", async () => {
  const res = await new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: h.emu.host,
        port: h.emu.port,
        method: "POST",
        path: "/",
        agent: false,
        headers: {
          "Content-Type": "application/json",
          "Content-Length": String(9 * 1024 * 1024),
          Expect: "100-continue",
          "X-TC-Action": "ListEmailTemplates",
          "X-TC-Version": "2020-10-02",
          "X-TC-Region": "ap-guangzhou",
          "X-TC-Timestamp": String(nowSeconds()),
        },
      },
      (r) => {
        const chunks = [];
        r.on("data", (c) => chunks.push(c));
        r.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          req.destroy();
          resolve({ status: r.statusCode, headers: r.headers, text, json });
        });
      },
    );
    req.setTimeout(5000, () => req.destroy(new Error("no answer within 5 s without the body")));
    req.on("error", reject);
    req.flushHeaders();
  });
  await expectError(res, "RequestSizeLimitExceeded");
});

test("InvalidParameter: malformed JSON body", async () => {
  const res = await raw().tc3("ListEmailTemplates", {}, { body: '{"Limit": 10, "Offset": ' });
  await expectError(res, "InvalidParameter");
});

test("InvalidAction: unknown action", async () => {
  const res = await raw().tc3("DescribeInstances", {});
  await expectError(res, "InvalidAction");
});

test("ActionOffline: a retired SES action (UpdateWebhookUrl)", async () => {
  // Retired in older snapshots (SPEC.md §1); the common table's ActionOffline fits.
  const res = await raw().tc3("UpdateWebhookUrl", {});
  await expectError(res, "ActionOffline");
});

test("NoSuchVersion: X-TC-Version other than 2020-10-02", async () => {
  const res = await raw().tc3("ListEmailTemplates", LIST, { version: "2017-03-12" });
  await expectError(res, "NoSuchVersion");
});

test("UnsupportedRegion: region outside ap-guangzhou/ap-hongkong/ap-singapore", async () => {
  const res = await raw().tc3("ListEmailTemplates", LIST, { region: "ap-beijing" });
  await expectError(res, "UnsupportedRegion");
});

test("regions ap-guangzhou, ap-hongkong and ap-singapore are all accepted", async () => {
  for (const region of ["ap-guangzhou", "ap-hongkong", "ap-singapore"]) {
    const r = await raw().call("ListEmailTemplates", LIST, { region });
    assert.equal(r.TotalCount, 2, region);
  }
});

test("MissingParameter: no X-TC-Region (message names Region)", async () => {
  const res = await raw().tc3("ListEmailTemplates", LIST, { region: null, language: "en-US" });
  await expectError(res, "MissingParameter", { message: /Region/ });
});

test("MissingParameter: v1 request without Region", async () => {
  const res = await raw().v1("ListEmailTemplates", LIST, { region: null, language: "en-US" });
  await expectError(res, "MissingParameter", { message: /Region/ });
});

// ---- signatures ---------------------------------------------------------------------

test("AuthFailure.SignatureExpire: TC3 timestamp 400 s in the past", async () => {
  const res = await raw().tc3("ListEmailTemplates", LIST, { timestamp: nowSeconds() - 400 });
  await expectError(res, "AuthFailure.SignatureExpire");
});

test("AuthFailure.SignatureExpire: TC3 timestamp 400 s in the future", async () => {
  const res = await raw().tc3("ListEmailTemplates", LIST, { timestamp: nowSeconds() + 400 });
  await expectError(res, "AuthFailure.SignatureExpire");
});

test("a TC3 timestamp 250 s away is still accepted", async () => {
  const r = await raw().call("ListEmailTemplates", LIST, { timestamp: nowSeconds() - 250 });
  assert.equal(r.TotalCount, 2);
});

test("AuthFailure.SignatureExpire: v1 Timestamp 400 s in the past", async () => {
  const res = await raw().v1("ListEmailTemplates", LIST, { timestamp: nowSeconds() - 400 });
  await expectError(res, "AuthFailure.SignatureExpire");
});

test("AuthFailure.SignatureFailure: TC3 signed with the wrong secret key", async () => {
  const res = await raw().tc3("ListEmailTemplates", LIST, { secretKey: "not-the-right-secret-key" });
  await expectError(res, "AuthFailure.SignatureFailure");
});

test("AuthFailure.SignatureFailure: TC3 body changed after signing", async () => {
  const client = raw();
  // Sign {"Limit":10,"Offset":0}, send {"Limit":20,"Offset":0}.
  const ts = nowSeconds();
  const auth = tc3Authorization({
    secretId: DEFAULT_ACCOUNT.secretId,
    secretKey: DEFAULT_ACCOUNT.secretKey,
    method: "POST",
    signedHeaders: { "content-type": "application/json", host: h.emu.endpoint },
    payload: JSON.stringify(LIST),
    timestamp: ts,
  });
  const res = await client.tc3("ListEmailTemplates", {}, {
    body: JSON.stringify({ Limit: 20, Offset: 0 }),
    timestamp: ts,
    authorization: auth,
  });
  await expectError(res, "AuthFailure.SignatureFailure");
});

test("AuthFailure.SignatureFailure: v1 signed with the wrong secret key", async () => {
  const res = await raw().v1("ListEmailTemplates", LIST, { secretKey: "not-the-right-secret-key" });
  await expectError(res, "AuthFailure.SignatureFailure");
});

test("AuthFailure.SecretIdNotFound: TC3 with an unknown SecretId", async () => {
  const res = await raw().tc3("ListEmailTemplates", LIST, { secretId: "AKIDNOSUCHSECRETID00000000" });
  await expectError(res, "AuthFailure.SecretIdNotFound");
});

test("AuthFailure.SecretIdNotFound: v1 with an unknown SecretId", async () => {
  const res = await raw().v1("ListEmailTemplates", LIST, { secretId: "AKIDNOSUCHSECRETID00000000" });
  await expectError(res, "AuthFailure.SecretIdNotFound");
});

test("AuthFailure.InvalidSecretId: an unknown SecretId that is not shaped like a Tencent Cloud key", async () => {
  const res = await raw().tc3("ListEmailTemplates", LIST, { secretId: "my-test-key" });
  await expectError(res, "AuthFailure.InvalidSecretId");
});

test("AuthFailure.TokenFailure: an X-TC-Token the credential does not have", async () => {
  const res = await raw().tc3("ListEmailTemplates", LIST, { headers: { "X-TC-Token": "temporary-token" } });
  await expectError(res, "AuthFailure.TokenFailure");
});

test("AuthFailure.TokenFailure: a v1 Token the credential does not have", async () => {
  const res = await raw().v1("ListEmailTemplates", { ...LIST, Token: "temporary-token" });
  await expectError(res, "AuthFailure.TokenFailure");
});

test("InvalidRequest: a multipart/form-data body (no SES action takes one)", async () => {
  const res = await raw().tc3("ListEmailTemplates", LIST, {
    contentType: "multipart/form-data; boundary=x",
    body: "--x\r\nContent-Disposition: form-data; name=\"Limit\"\r\n\r\n10\r\n--x--\r\n",
  });
  await expectError(res, "InvalidRequest");
});

test("AuthFailure.InvalidAuthorization: TC3 Authorization without SignedHeaders/Signature", async () => {
  const res = await raw().tc3("ListEmailTemplates", LIST, {
    authorization: "TC3-HMAC-SHA256 Credential=garbage",
  });
  await expectError(res, "AuthFailure.InvalidAuthorization");
});

test("AuthFailure.InvalidAuthorization: Authorization with an unknown scheme", async () => {
  const res = await raw().tc3("ListEmailTemplates", LIST, { authorization: "Bearer abc.def.ghi" });
  await expectError(res, "AuthFailure.InvalidAuthorization");
});

test("--auth off accepts a bad signature and an unknown SecretId", async () => {
  await withEmulator({ auth: "off" }, async (emu) => {
    const client = rawClient(emu);
    const a = await client.call("ListEmailTemplates", LIST, { secretKey: "wrong-key" });
    assert.equal(a.TotalCount, 2);
    const b = await client.call("ListEmailTemplates", LIST, { secretId: "AKIDWHATEVER", secretKey: "x" });
    assert.equal(b.TotalCount, 2);
    const res = await client.v1("ListEmailTemplates", LIST, { signature: "bm90IGEgc2lnbmF0dXJl" });
    const c = assertApiEnvelope(res);
    assert.equal(c.Error, undefined, res.text);
    assert.equal(c.TotalCount, 2);
  });
});

// ---- schema errors -------------------------------------------------------------------

test("MissingParameter: required parameter absent (message names TemplateID)", async () => {
  const res = await raw().tc3("GetEmailTemplate", {}, { language: "en-US" });
  await expectError(res, "MissingParameter", { message: /TemplateID/ });
});

test("UnknownParameter: a parameter the action does not define (message names it)", async () => {
  const res = await raw().tc3("ListEmailTemplates", { ...LIST, NoSuchField: 1 }, { language: "en-US" });
  await expectError(res, "UnknownParameter", { message: /NoSuchField/ });
});

test('InvalidParameter: wrong JSON type ("Limit":"10") names Limit', async () => {
  const res = await raw().tc3("ListEmailTemplates", { Limit: "10", Offset: 0 }, { language: "en-US" });
  await expectError(res, "InvalidParameter", { message: /Limit/ });
});

test("SendEmail validates before anything else: missing FromEmailAddress → MissingParameter", async () => {
  const res = await raw().tc3(
    "SendEmail",
    { Subject: "hi", Destination: ["a@example.net"], Template: { TemplateID: 1, TemplateData: "{}" } },
    { language: "en-US" },
  );
  await expectError(res, "MissingParameter", { message: /FromEmailAddress/ });
});

test("SendEmail with an unknown parameter → UnknownParameter", async () => {
  const res = await raw().tc3("SendEmail", {
    FromEmailAddress: DEFAULT_ACCOUNT.sender,
    Subject: "hi",
    Destination: ["a@example.net"],
    Bogus: true,
  });
  await expectError(res, "UnknownParameter");
});

test("UnsupportedOperation: a valid call to a not-yet-implemented action (SendEmail) — else it must succeed", async () => {
  const list = await raw().call("ListEmailTemplates", LIST);
  const welcome = list.TemplatesMetadata.find((t) => t.TemplateName === "welcome");
  assert.ok(welcome, "fixture template welcome");
  const res = await raw().tc3("SendEmail", {
    FromEmailAddress: DEFAULT_ACCOUNT.sender,
    Subject: "hello",
    Destination: ["someone@example.net"],
    Template: { TemplateID: welcome.TemplateID, TemplateData: JSON.stringify({ name: "E2E" }) },
  });
  const r = assertApiEnvelope(res);
  if (r.Error) assert.equal(r.Error.Code, "UnsupportedOperation", res.text);
  else assert.equal(typeof r.MessageId, "string", res.text);
});

test("UnknownParameter: an undefined field inside a structure (TemplateContent.Bogus)", async () => {
  const res = await raw().tc3(
    "CreateEmailTemplate",
    { TemplateName: "nested-unknown", TemplateContent: { Text: "eA==", Bogus: 1 } },
    { language: "en-US" },
  );
  await expectError(res, "UnknownParameter", { message: /Bogus/ });
});

test("resource errors name the offending parameter, in English and in Chinese", async () => {
  const cases = [
    ["CreateEmailAddress", { EmailAddress: "x@example.com", EmailSenderName: "a<b" }, "InvalidParameterValue.IllegalSenderName", "EmailSenderName"],
    ["CreateEmailAddress", { EmailAddress: "not-an-address" }, "InvalidParameterValue.IllegalEmailAddress", "EmailAddress"],
    ["UpdateEmailSmtpPassWord", { EmailAddress: DEFAULT_ACCOUNT.sender, Password: "short" }, "InvalidParameterValue.InvalidSmtpPassWord", "Password"],
    ["CreateEmailTemplate", { TemplateName: "", TemplateContent: { Text: "eA==" } }, "InvalidParameterValue.TemplateNameIllegal", "TemplateName"],
    ["CreateEmailTemplate", { TemplateName: "x", TemplateContent: { Text: "***" } }, "InvalidParameterValue.TemplateContentIsWrong", "TemplateContent"],
    ["CreateEmailIdentity", { EmailIdentity: "bad domain" }, "InvalidParameterValue.InvalidEmailIdentity", "EmailIdentity"],
    ["CreateEmailIdentity", { EmailIdentity: "opt.example.net", DKIMOption: 7 }, "InvalidParameterValue", "DKIMOption"],
    ["ListEmailTemplates", { Limit: 101, Offset: 0 }, "FailedOperation.InvalidLimit", "Limit"],
  ];
  for (const [action, params, code, param] of cases) {
    for (const language of ["en-US", "zh-CN"]) {
      const e = await expectError(raw().tc3(action, params, { language }), code);
      assert.ok(e.message.includes(param), `${action} ${code} (${language}) should name ${param}: ${e.message}`);
    }
  }
});

// ---- languages -------------------------------------------------------------------------

test("messages are Chinese by default", async () => {
  const e = await expectError(raw().tc3("NoSuchActionAtAll", {}), "InvalidAction");
  assert.match(e.message, CJK_RE, e.message);
});

test("X-TC-Language zh-CN gives Chinese messages", async () => {
  const e = await expectError(raw().tc3("NoSuchActionAtAll", {}, { language: "zh-CN" }), "InvalidAction");
  assert.match(e.message, CJK_RE, e.message);
});

test("X-TC-Language en-US gives English messages", async () => {
  const e = await expectError(raw().tc3("NoSuchActionAtAll", {}, { language: "en-US" }), "InvalidAction");
  assert.doesNotMatch(e.message, CJK_RE, e.message);
  assert.match(e.message, /[A-Za-z]{3,}/);
});

test("v1 Language=en-US gives English messages, default Chinese", async () => {
  const en = await expectError(raw().v1("NoSuchActionAtAll", {}, { language: "en-US" }), "InvalidAction");
  assert.doesNotMatch(en.message, CJK_RE, en.message);
  const zh = await expectError(raw().v1("NoSuchActionAtAll", {}), "InvalidAction");
  assert.match(zh.message, CJK_RE, zh.message);
});

// ---- raw v1 and TC3 GET ------------------------------------------------------------------

test("raw v1 HmacSHA1 and HmacSHA256, POST and GET, all succeed", async () => {
  for (const signatureMethod of ["HmacSHA1", "HmacSHA256", null]) {
    for (const method of ["POST", "GET"]) {
      const res = await raw().v1("ListEmailTemplates", LIST, { signatureMethod, method });
      const r = assertApiEnvelope(res);
      assert.equal(r.Error, undefined, `${signatureMethod} ${method}: ${res.text}`);
      assert.equal(r.TotalCount, 2);
    }
  }
});

test("raw TC3 GET: numbers from the query string are read as numbers", async () => {
  const r = await raw().call("ListEmailTemplates", { Limit: 1, Offset: 1 }, { method: "GET" });
  assert.equal(r.TotalCount, 2);
  assert.equal(r.TemplatesMetadata.length, 1);
});

test("TC3 GET with array params flattened (TagList.N.TagKey) through the China SDK", async () => {
  const client = chinaClient(h.emu, { reqMethod: "GET" });
  const domain = "get-flat.example.net";
  const tags = [
    { TagKey: "team", TagValue: "mail" },
    { TagKey: "env", TagValue: "e2e" },
  ];
  const created = await client.CreateEmailIdentity({ EmailIdentity: domain, DKIMOption: 1, TagList: tags });
  assert.equal(created.IdentityType, "DOMAIN");
  assert.equal(created.DKIMOption, 1);
  const got = await client.GetEmailIdentity({ EmailIdentity: domain });
  assert.deepEqual(got.TagList, tags);
  assert.equal(got.DKIMOption, 1);
});

test("raw TC3 GET with a hand-built flattened query string", async () => {
  const domain = "raw-get-flat.example.net";
  const q =
    `EmailIdentity=${domain}&DKIMOption=0` +
    "&TagList.0.TagKey=k0&TagList.0.TagValue=v0&TagList.1.TagKey=k1&TagList.1.TagValue=v%201";
  const res = await raw().tc3("CreateEmailIdentity", {}, { method: "GET", query: q });
  const r = assertApiEnvelope(res);
  assert.equal(r.Error, undefined, res.text);
  const got = await raw().call("GetEmailIdentity", { EmailIdentity: domain });
  assert.deepEqual(got.TagList, [
    { TagKey: "k0", TagValue: "v0" },
    { TagKey: "k1", TagValue: "v 1" },
  ]);
});

test("InvalidParameter: a non-numeric Limit in a TC3 GET query string", async () => {
  const res = await raw().tc3("ListEmailTemplates", {}, { method: "GET", query: "Limit=ten&Offset=0", language: "en-US" });
  await expectError(res, "InvalidParameter", { message: /Limit/ });
});

test("TC3 with x-tc-action also signed (content-type;host;x-tc-action) is accepted", async () => {
  const ts = nowSeconds();
  const body = JSON.stringify(LIST);
  const auth = tc3Authorization({
    secretId: DEFAULT_ACCOUNT.secretId,
    secretKey: DEFAULT_ACCOUNT.secretKey,
    method: "POST",
    signedHeaders: { "content-type": "application/json", host: h.emu.endpoint, "x-tc-action": "ListEmailTemplates" },
    payload: body,
    timestamp: ts,
  });
  const res = await raw().tc3("ListEmailTemplates", {}, { body, timestamp: ts, authorization: auth });
  const r = assertApiEnvelope(res);
  assert.equal(r.Error, undefined, res.text);
  assert.equal(r.TotalCount, 2);
});

test("TC3 POST with Content-Type application/json; charset=utf-8 is accepted", async () => {
  const r = await raw().call("ListEmailTemplates", LIST, { contentType: "application/json; charset=utf-8" });
  assert.equal(r.TotalCount, 2);
});

test("v1 through the China SDK (HmacSHA256 POST) with array params flattened", async () => {
  const client = chinaClient(h.emu, { signMethod: "HmacSHA256" });
  const domain = "v1-flat.example.net";
  const tags = [
    { TagKey: "a", TagValue: "1" },
    { TagKey: "b", TagValue: "x y&z" },
  ];
  await client.CreateEmailIdentity({ EmailIdentity: domain, TagList: tags });
  const got = await client.GetEmailIdentity({ EmailIdentity: domain });
  assert.deepEqual(got.TagList, tags);
});

test("boolean NewAPI=true arrives as a string in v1 and TC3 GET and is accepted", async () => {
  await chinaClient(h.emu, { signMethod: "HmacSHA1" }).UpdateEmailIdentity({
    EmailIdentity: DEFAULT_ACCOUNT.domain,
    NewAPI: true,
  });
  await chinaClient(h.emu, { reqMethod: "GET" }).UpdateEmailIdentity({
    EmailIdentity: DEFAULT_ACCOUNT.domain,
    NewAPI: true,
  });
});

test("values with + / = & space and non-ASCII survive v1 and TC3 GET encoding", async () => {
  // base64 of these bytes contains '+' and '/', and ends with '='
  const text = "\u00fb\u00ef\u00bf hi {{name}} \u4f60\u597d ?&=+ \ud83d\udce8";
  const content = { Text: Buffer.from(text, "utf8").toString("base64") };
  assert.match(content.Text, /[+/]/);
  for (const mode of [
    { signMethod: "HmacSHA1", reqMethod: "POST" },
    { signMethod: "HmacSHA256", reqMethod: "GET" },
    { signMethod: "TC3-HMAC-SHA256", reqMethod: "GET" },
  ]) {
    const client = chinaClient(h.emu, mode);
    const name = `enc ${mode.signMethod} ${mode.reqMethod} a&b=c+d/é`;
    const { TemplateID } = await client.CreateEmailTemplate({ TemplateName: name, TemplateContent: content });
    const g = await client.GetEmailTemplate({ TemplateID });
    assert.equal(g.TemplateName, name, JSON.stringify(mode));
    assert.equal(g.TemplateContent.Text, content.Text, JSON.stringify(mode));
    await client.DeleteEmailTemplate({ TemplateID });
  }
});

// ---- official SDKs ---------------------------------------------------------------------------

const CHINA_MODES = [
  { signMethod: "TC3-HMAC-SHA256", reqMethod: "POST" },
  { signMethod: "TC3-HMAC-SHA256", reqMethod: "GET" },
  { signMethod: "HmacSHA1", reqMethod: "POST" },
  { signMethod: "HmacSHA256", reqMethod: "POST" },
  { signMethod: "HmacSHA1", reqMethod: "GET" },
  { signMethod: "HmacSHA256", reqMethod: "GET" },
];

for (const mode of CHINA_MODES) {
  test(`China SDK ${mode.signMethod} ${mode.reqMethod}: ListEmailTemplates succeeds`, async () => {
    const r = await chinaClient(h.emu, mode).ListEmailTemplates(LIST);
    assert.equal(r.TotalCount, 2);
    assert.equal(r.TemplatesMetadata.length, 2);
    assert.match(r.RequestId, UUID_RE);
  });
}

test("China SDK surfaces Error.Code, Message and RequestId of an API error", async () => {
  const client = chinaClient(h.emu);
  let err;
  try {
    await client.GetEmailTemplate({ TemplateID: 987654321 });
  } catch (e) {
    err = e;
  }
  assert.ok(err, "GetEmailTemplate of an unknown id must fail");
  assert.equal(err.code, "InvalidParameterValue.TemplateNotExist", err.message);
  assert.match(err.requestId, UUID_RE);
  assert.ok(err.message);
});

test("China SDK with language en-US gets English messages", async () => {
  const e = await expectError(
    chinaClient(h.emu, { language: "en-US" }).GetEmailTemplate({ TemplateID: 987654321 }),
    "InvalidParameterValue.TemplateNotExist",
  );
  assert.doesNotMatch(e.message, CJK_RE, e.message);
});

test("China SDK with a wrong key (TC3 and v1) gets AuthFailure.SignatureFailure", async () => {
  for (const signMethod of ["TC3-HMAC-SHA256", "HmacSHA256"]) {
    await expectError(
      chinaClient(h.emu, { signMethod, secretKey: "wrong" }).ListEmailTemplates(LIST),
      "AuthFailure.SignatureFailure",
    );
  }
});

test("international SDK, default profile (v1 HmacSHA256): ListEmailTemplates succeeds", async () => {
  const r = await intlClient(h.emu).ListEmailTemplates(LIST);
  assert.equal(r.TotalCount, 2);
  assert.equal(r.TemplatesMetadata.length, 2);
  assert.match(r.RequestId, UUID_RE);
});

test("international SDK with TC3-HMAC-SHA256: ListEmailTemplates succeeds", async () => {
  const r = await intlClient(h.emu, { signMethod: "TC3-HMAC-SHA256" }).ListEmailTemplates(LIST);
  assert.equal(r.TotalCount, 2);
});

test("international SDK (always Language=en-US) gets English error messages", async () => {
  const e = await expectError(
    intlClient(h.emu).GetEmailTemplate({ TemplateID: 987654321 }),
    "InvalidParameterValue.TemplateNotExist",
  );
  assert.doesNotMatch(e.message, CJK_RE, e.message);
});
