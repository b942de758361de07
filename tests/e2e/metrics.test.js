"use strict";
// Focus: GET /_emulator/metrics (Prometheus text format 0.0.4,
// server/metrics.c + server/control/metrics_route.c) and the request log
// (--log-format text|json|off, server/request_log.c): every API request is
// counted by action and result code (unknown actions under "-", injected 5xx
// and drops under "HTTP5xx" and "Dropped"), its latency lands in a valid
// histogram, stored messages and tasks are counted by status; each API
// request, and nothing else, writes one line on stderr with its time, app_id,
// action, code, milliseconds and RequestId.

const { test } = require("node:test");
const assert = require("node:assert/strict");
const { DEFAULT_ACCOUNT, withEmulator } = require("./lib/emulator");
const { chinaClient, expectError, rawClient, rawRequest } = require("./lib/clients");

const APP_ID = DEFAULT_ACCOUNT.appId;
const TEXT_LINE_RE =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z) (\d+|-) ([A-Za-z]+|-) ([A-Za-z.0-9]+) (\d+\.\d{2})ms ([0-9a-f-]{36})$/;

// ---- helpers -------------------------------------------------------------------------------

async function scrape(emu) {
  const r = await rawRequest(emu, { path: "/_emulator/metrics" });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
  return r.text;
}

/*
 * Parses the exposition, checking every line's syntax, that each sample's
 * family has a TYPE, and that each histogram's buckets are cumulative with
 * _count equal to the +Inf bucket. Returns Map "name{labels}" → value.
 */
function parse(text) {
  assert.ok(text.endsWith("\n"), "the text ends with a newline");
  const samples = new Map();
  const types = new Map();
  for (const line of text.slice(0, -1).split("\n")) {
    let m;
    if ((m = /^# TYPE ([a-z_]+) (counter|gauge|histogram)$/.exec(line))) {
      assert.ok(!types.has(m[1]), `one TYPE for ${m[1]}`);
      types.set(m[1], m[2]);
      continue;
    }
    if (/^# HELP [a-z_]+ \S.*$/.test(line)) continue;
    m = /^([a-z_]+)(\{(?:[a-z_]+="[^"\\\n]*",?)*\})? (-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)$/.exec(line);
    assert.ok(m, `a valid sample line: ${JSON.stringify(line)}`);
    const family = m[1].replace(/_(bucket|sum|count)$/, "");
    assert.ok(types.has(m[1]) || types.get(family) === "histogram", `a TYPE before ${m[1]}`);
    samples.set(m[1] + (m[2] || ""), Number(m[3]));
  }
  for (const [key, count] of samples) {
    const m = /^ses_emulator_request_duration_seconds_count(\{.*\})$/.exec(key);
    if (!m) continue;
    const action = m[1];
    const buckets = [...samples]
      .filter(([k]) => k.startsWith(`ses_emulator_request_duration_seconds_bucket${action.slice(0, -1)},le=`))
      .map(([, v]) => v);
    assert.equal(buckets.length, 12, `12 buckets for ${action}`);
    for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i] >= buckets[i - 1], `cumulative ${action}`);
    assert.equal(buckets[buckets.length - 1], count, `+Inf = _count for ${action}`);
  }
  return samples;
}

function logLines(emu) {
  return emu.log.stderr.split("\n").filter((l) => l && !l.startsWith("ses-emulator: "));
}

// The stderr of a running emulator is read asynchronously: wait for `n` request lines.
async function waitForLines(emu, n) {
  const until = Date.now() + 5000;
  while (logLines(emu).length < n && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  return logLines(emu);
}

async function welcomeId(emu) {
  const r = await chinaClient(emu).ListEmailTemplates({ Limit: 100, Offset: 0 });
  return r.TemplatesMetadata.find((m) => m.TemplateName === "welcome").TemplateID;
}

async function send(emu, to) {
  return chinaClient(emu).SendEmail({
    FromEmailAddress: DEFAULT_ACCOUNT.sender,
    Destination: to,
    Subject: "Hi",
    Template: { TemplateID: await welcomeId(emu), TemplateData: JSON.stringify({ name: "Ann" }) },
  });
}

async function faults(emu, body) {
  const r = await rawRequest(emu, {
    method: "POST",
    path: "/_emulator/faults",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  assert.ok(r.status === 200 || r.status === 201, r.text);
}

// ---- metrics ----------------------------------------------------------------------------------

test("metrics: requests by action and code, latency histograms, messages, tasks, relay, uptime, build", async () => {
  await withEmulator({ args: ["--log-format", "off"] }, async (emu) => {
    const fresh = parse(await scrape(emu));
    assert.equal([...fresh.keys()].filter((k) => k.startsWith("ses_emulator_requests_total")).length, 0);
    assert.equal(fresh.get('ses_emulator_messages{status="delivered"}'), 0);

    const api = chinaClient(emu);
    const template = await welcomeId(emu); // ListEmailTemplates OK
    await api.GetEmailTemplate({ TemplateID: template });
    await api.GetEmailTemplate({ TemplateID: template });
    await expectError(api.GetEmailTemplate({ TemplateID: 987654321 }), "InvalidParameterValue.TemplateNotExist");
    await rawClient(emu).tc3("NoSuchAction", {});
    await rawClient(emu, { secretKey: "wrong-key" }).tc3("ListEmailAddress", {});
    await send(emu, ["user@example.net"]); // delivered
    await send(emu, ["user@example.net", "bounce@ses-simulator.test"]); // bounced (worst)
    await faults(emu, { action: "ListEmailAddress", http_status: 503, count: 1 });
    await assert.rejects(api.ListEmailAddress({}));
    await faults(emu, { action: "ListEmailAddress", drop: true, count: 1 });
    await assert.rejects(api.ListEmailAddress({}));

    const s = parse(await scrape(emu));
    const requests = (action, code) => s.get(`ses_emulator_requests_total{action="${action}",code="${code}"}`);
    assert.equal(requests("GetEmailTemplate", "OK"), 2);
    assert.equal(requests("ListEmailTemplates", "OK"), 3); // welcomeId() here and in each send()
    assert.equal(requests("-", "InvalidAction"), 1);
    assert.equal(requests("ListEmailAddress", "AuthFailure.SignatureFailure"), 1);
    assert.equal(requests("SendEmail", "OK"), 2);
    assert.equal(requests("ListEmailAddress", "HTTP5xx"), 1);
    assert.equal(requests("ListEmailAddress", "Dropped"), 1);
    assert.equal(requests("GetEmailTemplate", "InvalidParameterValue.TemplateNotExist"), 1);
    assert.equal(s.get('ses_emulator_request_duration_seconds_count{action="GetEmailTemplate"}'), 3);
    assert.ok(s.get('ses_emulator_request_duration_seconds_sum{action="GetEmailTemplate"}') > 0);
    assert.equal(s.get('ses_emulator_request_duration_seconds_count{action="-"}'), 1);
    assert.equal(s.get('ses_emulator_messages{status="delivered"}'), 1);
    assert.equal(s.get('ses_emulator_messages{status="bounced"}'), 1);
    for (const status of ["queued", "delayed", "dropped", "rejected"]) {
      assert.equal(s.get(`ses_emulator_messages{status="${status}"}`), 0, status);
    }
    for (const status of [1, 5, 6, 7, 10]) assert.equal(s.get(`ses_emulator_tasks{status="${status}"}`), 0);
    for (const outcome of ["sent", "failed", "retry"]) {
      assert.equal(s.get(`ses_emulator_relay_total{outcome="${outcome}"}`), 0);
    }
    assert.ok(s.get("ses_emulator_uptime_seconds") >= 0);
    const build = [...s.keys()].find((k) => k.startsWith("ses_emulator_build_info{"));
    assert.match(
      build,
      /^ses_emulator_build_info\{version="\d+\.\d+\.\d+",api_version="2020-10-02",allocator="(jemalloc \d+\.\d+\.\d+|system malloc)"\}$/,
    );
    assert.equal(s.get(build), 1);
    // 12 API requests; the control routes (faults, metrics) are not counted.
    const total = [...s].filter(([k]) => k.startsWith("ses_emulator_requests_total{")).reduce((a, [, v]) => a + v, 0);
    assert.equal(total, 12);
  });
});

test("metrics: a finished batch task is counted by its status", async () => {
  await withEmulator({ args: ["--log-format", "off"] }, async (emu) => {
    const api = chinaClient(emu);
    const { ReceiverId } = await api.CreateReceiver({ ReceiversName: "metrics-group", Desc: "" });
    await api.CreateReceiverDetail({ ReceiverId, Emails: ["one@example.net"] });
    for (const until = Date.now() + 5000; Date.now() < until; ) {
      const r = await api.ListReceivers({ Offset: 0, Limit: 10 });
      if (r.Data.find((g) => g.ReceiverId === ReceiverId).ReceiversStatus === 3) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await api.BatchSendEmail({
      FromEmailAddress: DEFAULT_ACCOUNT.sender,
      ReceiverId,
      Subject: "Batch",
      TaskType: 1,
      Template: { TemplateID: await welcomeId(emu), TemplateData: JSON.stringify({ name: "All" }) },
    });
    let s;
    for (const until = Date.now() + 5000; Date.now() < until; ) {
      s = parse(await scrape(emu));
      if (s.get('ses_emulator_tasks{status="10"}') === 1) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(s.get('ses_emulator_tasks{status="10"}'), 1);
    assert.equal(s.get('ses_emulator_messages{status="delivered"}'), 1);
  });
});

test("metrics: wrong method 405, a query 400, both as JSON errors", async () => {
  await withEmulator({}, async (emu) => {
    const post = await rawRequest(emu, { method: "POST", path: "/_emulator/metrics", body: "" });
    assert.equal(post.status, 405);
    assert.match(post.json.error, /GET/);
    const query = await rawRequest(emu, { path: "/_emulator/metrics?name=x" });
    assert.equal(query.status, 400);
    assert.match(query.json.error, /query/);
  });
});

// ---- request log ------------------------------------------------------------------------------

test("request log (text, the default): one line per API request, with its RequestId", async () => {
  await withEmulator({}, async (emu) => {
    const before = Date.now();
    const listed = await chinaClient(emu).ListEmailTemplates({ Limit: 10, Offset: 0 });
    const bad = await rawClient(emu, { secretKey: "wrong-key" }).tc3("ListEmailAddress", {});
    const unknown = await rawClient(emu).tc3("NoSuchAction", {});
    await rawRequest(emu, { path: "/_emulator/health" }); // not an API request: no line
    const lines = await waitForLines(emu, 3);
    assert.equal(lines.length, 3, lines.join("\n"));
    const parsed = lines.map((l) => {
      const m = TEXT_LINE_RE.exec(l);
      assert.ok(m, `a text log line: ${l}`);
      return { time: m[1], app: m[2], action: m[3], code: m[4], ms: Number(m[5]), id: m[6] };
    });
    assert.deepEqual(
      parsed.map((p) => [p.app, p.action, p.code, p.id]),
      [
        [String(APP_ID), "ListEmailTemplates", "OK", listed.RequestId],
        ["-", "ListEmailAddress", "AuthFailure.SignatureFailure", bad.json.Response.RequestId],
        ["-", "-", "InvalidAction", unknown.json.Response.RequestId],
      ],
    );
    for (const p of parsed) {
      assert.ok(Math.abs(Date.parse(p.time) - before) < 10_000, `time ${p.time} is now, in UTC`);
      assert.ok(p.ms >= 0 && p.ms < 5000);
    }
  });
});

test("request log: --log-format json writes one object per line; SES_EMULATOR_LOG_FORMAT too", async () => {
  for (const opts of [{ args: ["--log-format", "json"] }, { env: { SES_EMULATOR_LOG_FORMAT: "json" } }]) {
    await withEmulator(opts, async (emu) => {
      const sent = await send(emu, ["user@example.net"]); // ListEmailTemplates, then SendEmail
      const unknown = await rawClient(emu).tc3("NoSuchAction", {});
      const lines = await waitForLines(emu, 3);
      assert.equal(lines.length, 3, lines.join("\n"));
      for (const l of lines) assert.match(l, /,"ms":\d+\.\d{2},/, "milliseconds with two decimals");
      const objects = lines.map((l) => JSON.parse(l));
      for (const o of objects) {
        assert.deepEqual(Object.keys(o), ["time", "app_id", "action", "code", "ms", "request_id"]);
        assert.match(o.time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        assert.equal(typeof o.ms, "number");
      }
      assert.deepEqual(
        objects.map((o) => [o.app_id, o.action, o.code]),
        [
          [APP_ID, "ListEmailTemplates", "OK"],
          [APP_ID, "SendEmail", "OK"],
          [null, null, "InvalidAction"],
        ],
      );
      assert.equal(objects[1].request_id, sent.RequestId);
      assert.equal(objects[2].request_id, unknown.json.Response.RequestId);
    });
  }
});

test("request log: --log-format off writes nothing but the start and stop lines", async () => {
  await withEmulator({ args: ["--log-format", "off"] }, async (emu) => {
    await chinaClient(emu).ListEmailTemplates({ Limit: 10, Offset: 0 });
    await rawClient(emu).tc3("NoSuchAction", {});
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(logLines(emu), []);
  });
});

// ---- README -------------------------------------------------------------------------------

test("README: the curl example of /_emulator/metrics runs as written", async () => {
  const fs = require("node:fs");
  const path = require("node:path");
  const { execFileSync } = require("node:child_process");
  const { REPO_ROOT } = require("./lib/emulator");
  const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
  const section = readme.split("### Metrics")[1];
  assert.ok(section, "README.md has the section");
  const commands = section.match(/```sh\n([\s\S]*?)```/)[1].split("\n").filter((l) => l.startsWith("curl "));
  assert.ok(commands.some((c) => c.includes("/_emulator/metrics")));
  await withEmulator({}, async (emu) => {
    await chinaClient(emu).ListEmailTemplates({ Limit: 10, Offset: 0 });
    for (const command of commands) {
      const out = execFileSync("bash", ["-c", command.replaceAll("127.0.0.1:4590", emu.endpoint)], {
        encoding: "utf8",
        timeout: 15_000,
        env: { ...process.env, http_proxy: "", HTTP_PROXY: "" },
      });
      const samples = parse(out);
      assert.equal(samples.get('ses_emulator_requests_total{action="ListEmailTemplates",code="OK"}'), 1);
    }
  });
});
