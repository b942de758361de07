"use strict";
// Clients for the emulator: the two official Node SDKs, and a raw HTTP client
// with its own TC3-HMAC-SHA256 and v1 (HmacSHA1/HmacSHA256) signers, so tests
// can send what an SDK never would.

const assert = require("node:assert/strict");
const crypto = require("node:crypto");
const http = require("node:http");
const { DEFAULT_ACCOUNT } = require("./emulator");

// The SDKs send every request through $http_proxy when it is set; test traffic
// must only ever go to the loopback emulator.
for (const v of ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"]) delete process.env[v];

const API_VERSION = "2020-10-02";
const DEFAULT_REGION = "ap-guangzhou";
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CJK_RE = /[\u3400-\u9fff]/;
// The SDKs' request timeout in seconds; SES_EMULATOR_TIMEOUT_SCALE stretches it
// (and the raw client's) for slow binaries (tests/valgrind.sh).
const TIMEOUT_SCALE = Number(process.env.SES_EMULATOR_TIMEOUT_SCALE) || 1;
const SDK_TIMEOUT_S = 10 * TIMEOUT_SCALE;

function creds(opts) {
  return {
    secretId: opts.secretId || DEFAULT_ACCOUNT.secretId,
    secretKey: opts.secretKey || DEFAULT_ACCOUNT.secretKey,
  };
}

// ---- official SDKs -----------------------------------------------------------

/*
 * China SDK client (tencentcloud-sdk-nodejs-ses). Methods return promises.
 * opts: signMethod "TC3-HMAC-SHA256"|"HmacSHA1"|"HmacSHA256", reqMethod "POST"|"GET",
 *       secretId, secretKey, region, language "zh-CN"|"en-US".
 */
function chinaClient(emu, opts = {}) {
  const { ses } = require("tencentcloud-sdk-nodejs-ses");
  const profile = {
    signMethod: opts.signMethod || "TC3-HMAC-SHA256",
    httpProfile: {
      endpoint: emu.endpoint,
      protocol: "http://",
      reqMethod: opts.reqMethod || "POST",
      reqTimeout: SDK_TIMEOUT_S,
    },
  };
  if (opts.language) profile.language = opts.language;
  return new ses.v20201002.Client({
    credential: creds(opts),
    region: opts.region === undefined ? DEFAULT_REGION : opts.region,
    profile,
  });
}

/*
 * International SDK client (tencentcloud-sdk-nodejs-intl-en). Its methods take
 * callbacks; the returned object wraps every method so that it returns a promise
 * of the plain deserialised response object.
 * opts: signMethod (default: the SDK's own default, v1 HmacSHA256), reqMethod,
 *       secretId, secretKey, region (default ap-singapore).
 */
function intlClient(emu, opts = {}) {
  const tc = require("tencentcloud-sdk-nodejs-intl-en");
  const { Credential } = tc.common;
  const ClientProfile = tc.common.ClientProfile;
  const HttpProfile = tc.common.HttpProfile;
  const c = creds(opts);
  const httpProfile = new HttpProfile("http://", emu.endpoint, opts.reqMethod || "POST", SDK_TIMEOUT_S);
  const profile = new ClientProfile(opts.signMethod, httpProfile);
  const client = new tc.ses.v20201002.Client(
    new Credential(c.secretId, c.secretKey),
    opts.region === undefined ? "ap-singapore" : opts.region,
    profile,
  );
  return new Proxy(client, {
    get(target, prop) {
      const v = target[prop];
      if (typeof v !== "function" || typeof prop !== "string" || !/^[A-Z]/.test(prop)) return v;
      return (req) =>
        new Promise((resolve, reject) => {
          v.call(target, req, (err, resp) => (err ? reject(err) : resolve(resp)));
        });
    },
  });
}

// ---- raw HTTP ------------------------------------------------------------------

function sha256hex(data) {
  return crypto.createHash("sha256").update(data).digest("hex");
}

function hmac(algo, key, data, enc) {
  return crypto.createHmac(algo, key).update(data).digest(enc);
}

/*
 * One HTTP request to the emulator. Resolves with
 *   { status, headers, text, json }  (json undefined when the body is not JSON).
 * body may be a string or Buffer. Unless headers has a content-length, one is
 * set from the body. If the server answers before the whole body was written
 * (large bodies), the answer still counts.
 */
function rawRequest(emu, { method = "GET", path = "/", headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const hdrs = { ...headers };
    const hasHeader = (n) => Object.keys(hdrs).some((k) => k.toLowerCase() === n);
    if (!hasHeader("host")) hdrs.Host = emu.endpoint;
    const buf = body === undefined ? null : Buffer.isBuffer(body) ? body : Buffer.from(body, "utf8");
    if (buf && !hasHeader("content-length")) hdrs["Content-Length"] = String(buf.length);
    let answered = false;
    const req = http.request(
      { host: emu.host, port: emu.port, method, path, headers: hdrs, setHost: false, agent: false },
      (res) => {
        answered = true;
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode, headers: res.headers, text, json });
        });
      },
    );
    req.setTimeout(15_000 * TIMEOUT_SCALE, () => req.destroy(new Error(`${method} ${path}: no answer in 15 s`)));
    req.on("error", (e) => {
      if (!answered) reject(e);
    });
    if (buf) req.end(buf);
    else req.end();
  });
}

// Flattens nested params the way the SDKs do for query strings / forms:
// {A:[{B:1}], C:{D:"x"}} → {"A.0.B":1, "C.D":"x"}.
function flatten(obj, prefix = "", out = {}) {
  for (const [k, v] of Object.entries(obj)) {
    if (v === null || v === undefined) continue;
    if (typeof v === "object") flatten(v, `${prefix}${k}.`, out);
    else out[`${prefix}${k}`] = v;
  }
  return out;
}

function encodeRFC3986(s) {
  return encodeURIComponent(String(s)).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

function formEncode(flat) {
  return Object.entries(flat)
    .map(([k, v]) => `${encodeRFC3986(k)}=${encodeRFC3986(v)}`)
    .join("&");
}

function utcDate(timestamp) {
  return new Date(timestamp * 1000).toISOString().slice(0, 10);
}

/*
 * TC3-HMAC-SHA256 Authorization header value (SPEC.md §2.3).
 * signedHeaders: object of lowercase name → value, e.g. {"content-type":..., host:...}.
 */
function tc3Authorization({ secretId, secretKey, method, query = "", signedHeaders, payload, timestamp, service = "ses" }) {
  const names = Object.keys(signedHeaders)
    .map((n) => n.toLowerCase())
    .sort();
  const lower = Object.fromEntries(Object.entries(signedHeaders).map(([k, v]) => [k.toLowerCase(), v]));
  const canonicalHeaders = names.map((n) => `${n}:${String(lower[n]).trim().toLowerCase()}\n`).join("");
  const signedNames = names.join(";");
  const canonicalRequest = [method, "/", query, canonicalHeaders, signedNames, sha256hex(payload)].join("\n");
  const date = utcDate(timestamp);
  const scope = `${date}/${service}/tc3_request`;
  const stringToSign = ["TC3-HMAC-SHA256", String(timestamp), scope, sha256hex(canonicalRequest)].join("\n");
  const kDate = hmac("sha256", "TC3" + secretKey, date);
  const kService = hmac("sha256", kDate, service);
  const kSigning = hmac("sha256", kService, "tc3_request");
  const signature = hmac("sha256", kSigning, stringToSign, "hex");
  return `TC3-HMAC-SHA256 Credential=${secretId}/${scope}, SignedHeaders=${signedNames}, Signature=${signature}`;
}

// v1 signature (SPEC.md §2.4): base64 HMAC over METHOD + host + "/?" + sorted raw k=v.
function v1Signature({ secretKey, method, host, params, signatureMethod = "HmacSHA1" }) {
  const joined = Object.keys(params)
    .filter((k) => k !== "Signature")
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join("&");
  const algo = signatureMethod === "HmacSHA256" ? "sha256" : "sha1";
  return hmac(algo, secretKey, `${method.toUpperCase()}${host}/?${joined}`, "base64");
}

function nowSeconds() {
  return Math.floor(Date.now() / 1000);
}

/*
 * A raw API caller bound to one emulator and one credential.
 *   raw.tc3(action, params, opts)  → response ({status, headers, text, json})
 *   raw.v1(action, params, opts)   → response
 *   raw.call(action, params, opts) → Response object of a successful TC3 call
 *                                     (fails the test on an API error)
 */
class RawClient {
  constructor(emu, opts = {}) {
    this.emu = emu;
    this.secretId = opts.secretId || DEFAULT_ACCOUNT.secretId;
    this.secretKey = opts.secretKey || DEFAULT_ACCOUNT.secretKey;
    this.region = opts.region === undefined ? DEFAULT_REGION : opts.region;
    this.language = opts.language;
  }

  /*
   * opts: method "POST"|"GET"|other, timestamp, region (null: no header),
   * version, language, body (raw string/Buffer replacing the JSON of params),
   * contentType, headers (extra/overriding, added after signing),
   * authorization (replaces the computed header; null: none), secretId, secretKey,
   * service, query (raw query string for GET instead of the flattened params),
   * omitHeaders (names to drop after signing), signHost (the host the
   * signature covers, when not the Host header sent).
   */
  tc3(action, params = {}, opts = {}) {
    const method = (opts.method || "POST").toUpperCase();
    const timestamp = opts.timestamp !== undefined ? opts.timestamp : nowSeconds();
    const host = this.emu.endpoint;
    let query = "";
    let body;
    let contentType;
    if (method === "GET") {
      query = opts.query !== undefined ? opts.query : formEncode(flatten(params));
      contentType = opts.contentType || "application/x-www-form-urlencoded";
      body = opts.body;
    } else {
      body = opts.body !== undefined ? opts.body : JSON.stringify(params);
      contentType = opts.contentType || "application/json";
    }
    const payload = body === undefined ? "" : body;
    const headers = {
      Host: host,
      "Content-Type": contentType,
      "X-TC-Action": action,
      "X-TC-Version": opts.version || API_VERSION,
      "X-TC-Timestamp": String(timestamp),
    };
    const region = opts.region !== undefined ? opts.region : this.region;
    if (region !== null) headers["X-TC-Region"] = region;
    const language = opts.language !== undefined ? opts.language : this.language;
    if (language) headers["X-TC-Language"] = language;
    const auth =
      opts.authorization !== undefined
        ? opts.authorization
        : tc3Authorization({
            secretId: opts.secretId || this.secretId,
            secretKey: opts.secretKey || this.secretKey,
            method,
            query,
            signedHeaders: { "content-type": contentType, host: opts.signHost !== undefined ? opts.signHost : host },
            payload,
            timestamp,
            service: opts.service || "ses",
          });
    if (auth !== null) headers.Authorization = auth;
    Object.assign(headers, opts.headers || {});
    for (const name of opts.omitHeaders || []) {
      for (const k of Object.keys(headers)) if (k.toLowerCase() === name.toLowerCase()) delete headers[k];
    }
    return rawRequest(this.emu, { method, path: query ? `/?${query}` : "/", headers, body });
  }

  /*
   * opts: method "POST" (form body, default) | "GET" (query string),
   * signatureMethod "HmacSHA1"|"HmacSHA256"|null (null: no SignatureMethod param),
   * timestamp, region (null: none), version, language, secretId, secretKey,
   * signature (replaces the computed one), extra (params added after signing).
   */
  v1(action, params = {}, opts = {}) {
    const method = (opts.method || "POST").toUpperCase();
    const all = {
      ...flatten(params),
      Action: action,
      Version: opts.version || API_VERSION,
      Timestamp: opts.timestamp !== undefined ? opts.timestamp : nowSeconds(),
      Nonce: crypto.randomInt(1, 2 ** 31 - 1),
      SecretId: opts.secretId || this.secretId,
    };
    const region = opts.region !== undefined ? opts.region : this.region;
    if (region !== null) all.Region = region;
    const language = opts.language !== undefined ? opts.language : this.language;
    if (language) all.Language = language;
    const sm = opts.signatureMethod === undefined ? "HmacSHA256" : opts.signatureMethod;
    if (sm) all.SignatureMethod = sm;
    all.Signature =
      opts.signature !== undefined
        ? opts.signature
        : v1Signature({
            secretKey: opts.secretKey || this.secretKey,
            method,
            host: this.emu.endpoint,
            params: all,
            signatureMethod: sm || "HmacSHA1",
          });
    Object.assign(all, opts.extra || {});
    const encoded = formEncode(all);
    if (method === "GET") {
      return rawRequest(this.emu, { method, path: `/?${encoded}`, headers: { Host: this.emu.endpoint } });
    }
    return rawRequest(this.emu, {
      method,
      path: "/",
      headers: { Host: this.emu.endpoint, "Content-Type": "application/x-www-form-urlencoded" },
      body: encoded,
    });
  }

  async call(action, params = {}, opts = {}) {
    const res = await this.tc3(action, params, opts);
    const r = assertApiEnvelope(res);
    if (r.Error) {
      assert.fail(`${action} ${JSON.stringify(params).slice(0, 300)} answered ${r.Error.Code}: ${r.Error.Message}`);
    }
    return r;
  }
}

function rawClient(emu, opts) {
  return new RawClient(emu, opts);
}

// Checks the envelope every API answer must have; returns json.Response.
function assertApiEnvelope(res) {
  assert.equal(res.status, 200, `HTTP status must be 200, got ${res.status}: ${res.text.slice(0, 300)}`);
  assert.equal(res.headers["content-type"], "application/json", "Content-Type must be exactly application/json");
  assert.ok(res.json && typeof res.json === "object", `body must be JSON: ${res.text.slice(0, 300)}`);
  assert.deepEqual(Object.keys(res.json), ["Response"], `top level must be only {"Response"}: ${res.text.slice(0, 300)}`);
  const r = res.json.Response;
  assert.ok(r && typeof r === "object", "Response must be an object");
  assert.match(String(r.RequestId), UUID_RE, `RequestId must be a UUID: ${res.text.slice(0, 300)}`);
  if (r.Error !== undefined) {
    assert.deepEqual(Object.keys(r).sort(), ["Error", "RequestId"], `error Response keys: ${res.text.slice(0, 300)}`);
    assert.equal(typeof r.Error.Code, "string");
    assert.equal(typeof r.Error.Message, "string");
    assert.ok(r.Error.Message.length > 0, "Error.Message must not be empty");
  }
  return r;
}

/*
 * Awaits `p` (a promise or a function returning one) and checks it failed with
 * API error `code`. Works with SDK calls (rejections carrying .code) and raw
 * responses (resolved {status, headers, json}). Returns {code, message, requestId}.
 */
async function expectError(p, code, { message } = {}) {
  let result;
  let err;
  try {
    result = await (typeof p === "function" ? p() : p);
  } catch (e) {
    err = e;
  }
  let got;
  if (err) {
    if (err.code === undefined) throw err; // a transport or assertion error, not an API error
    got = { code: err.code, message: err.message, requestId: err.requestId };
  } else if (result && result.status !== undefined && result.headers && "text" in result) {
    const r = assertApiEnvelope(result);
    if (!r.Error) assert.fail(`expected error ${code}, got success: ${result.text.slice(0, 500)}`);
    got = { code: r.Error.Code, message: r.Error.Message, requestId: r.RequestId };
  } else {
    assert.fail(`expected error ${code}, got success: ${JSON.stringify(result).slice(0, 500)}`);
  }
  assert.equal(got.code, code, `expected ${code}, got ${got.code}: ${got.message}`);
  if (message) assert.match(got.message, message);
  return got;
}

function b64(s) {
  return Buffer.from(s, "utf8").toString("base64");
}

function unb64(s) {
  return Buffer.from(s, "base64").toString("utf8");
}

function sortedKeys(o) {
  return Object.keys(o).sort();
}

// A stream of SendEmail calls from `clients` concurrent loops, until
// stop() is called on what it returns: each answered MessageId goes to `acked` (subject
// -> MessageId), the subject of each send not answered once stopping (in
// flight at a kill or refused by a stopping server) to `unacked` when given.
// Subjects are subject(w) for loop w. An unexpected answer before stopping
// fails. Returns { stop(), done } (done: a promise of every loop's end).
function streamSends(api, clients, subject, acked, unacked) {
  let stopped = false;
  const loop = async (w) => {
    while (!stopped) {
      const s = subject(w);
      try {
        const r = await api.tc3("SendEmail", {
          FromEmailAddress: "noreply@example.com",
          Destination: [`w${w}@example.net`],
          Subject: s,
          Template: { TemplateID: 1, TemplateData: '{"name":"S"}' },
        });
        const id = r.json && r.json.Response && r.json.Response.MessageId;
        if (id) acked.set(s, id);
        else if (!stopped) throw new Error(`unexpected answer: ${r.text.slice(0, 300)}`);
        else if (unacked) unacked.add(s);
      } catch (e) {
        if (!stopped) throw e;
        if (unacked) unacked.add(s);
      }
    }
  };
  const done = Promise.all(Array.from({ length: clients }, (_, w) => loop(w)));
  return {
    stop() {
      stopped = true;
    },
    done,
  };
}

module.exports = {
  API_VERSION,
  CJK_RE,
  DEFAULT_REGION,
  RawClient,
  UUID_RE,
  assertApiEnvelope,
  b64,
  chinaClient,
  expectError,
  flatten,
  formEncode,
  intlClient,
  nowSeconds,
  rawClient,
  rawRequest,
  streamSends,
  sortedKeys,
  tc3Authorization,
  unb64,
  v1Signature,
};
