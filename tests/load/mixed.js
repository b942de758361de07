#!/usr/bin/env node
"use strict";
// Focus: behaviour under a sustained mixed load (issue 7): sends, batch
// creation on small groups, lists, gets and control-plane reads over many
// keep-alive connections against a file-backed store. Fails (exit 1) when
//   - any call answers something unexpected (an API error, a non-200 status,
//     a transport error), or
//   - the resident memory grows by more than --max-growth MB (default 10)
//     between the end of the warm-up and the end of the run.
// Prints p50/p99 latency per action, the request rate, and RSS every 5 s.
//
// Usage (from the repository root, after ninja -C build):
//   node tests/load/mixed.js                          # 32 connections, 60 s (10 s warm-up)
//   node tests/load/mixed.js --duration 15 --warmup 5 --connections 8
//   node tests/load/mixed.js --json                   # one JSON summary line at the end
// SES_EMULATOR_BIN selects the binary (default build/ses-emulator);
// --memory-db uses an in-memory store instead of a --db file.

const assert = require("node:assert/strict");
const fs = require("node:fs");
const http = require("node:http");
const path = require("node:path");

const lib = path.join(__dirname, "..", "e2e", "lib");
const { startEmulator, DEFAULT_ACCOUNT } = require(path.join(lib, "emulator"));
const { tc3Authorization, API_VERSION } = require(path.join(lib, "clients"));

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}
const flag = (name) => process.argv.includes(`--${name}`);
const DURATION_S = Number(option("duration", 60));
const WARMUP_S = Number(option("warmup", Math.min(10, Math.floor(DURATION_S / 4))));
const CONNECTIONS = Number(option("connections", 32));
const MAX_GROWTH_MB = Number(option("max-growth", 10));
const SAMPLE_MS = 5000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });

function request(emu, { method = "GET", path: p = "/", headers = {}, body }) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: emu.host, port: emu.port, method, path: p, headers, agent }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${p}: no answer in 30 s`)));
    req.on("error", reject);
    req.end(body);
  });
}

// One signed TC3 call; resolves with the Response object, rejects on an API error.
async function call(emu, action, params) {
  const body = JSON.stringify(params);
  const timestamp = Math.floor(Date.now() / 1000);
  const headers = {
    Host: emu.endpoint,
    "Content-Type": "application/json",
    "X-TC-Action": action,
    "X-TC-Version": API_VERSION,
    "X-TC-Region": "ap-guangzhou",
    "X-TC-Timestamp": String(timestamp),
    "Content-Length": Buffer.byteLength(body),
  };
  headers.Authorization = tc3Authorization({
    secretId: DEFAULT_ACCOUNT.secretId,
    secretKey: DEFAULT_ACCOUNT.secretKey,
    method: "POST",
    signedHeaders: { "content-type": "application/json", host: emu.endpoint },
    payload: body,
    timestamp,
  });
  const r = await request(emu, { method: "POST", headers, body });
  if (r.status !== 200) throw new Error(`${action}: HTTP ${r.status}`);
  const resp = JSON.parse(r.text).Response;
  if (resp.Error) throw new Error(`${action}: ${resp.Error.Code}: ${resp.Error.Message}`);
  return resp;
}

async function control(emu, p) {
  const r = await request(emu, { path: p });
  if (r.status !== 200) throw new Error(`GET ${p}: HTTP ${r.status}: ${r.text.slice(0, 200)}`);
  return r.text;
}

function rssMB(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

function today() {
  return new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
}

// ---- the workload ----------------------------------------------------------------------------

const state = { messageIds: [], groups: [], templateId: 1 };

// [weight, name, run(emu, n)]: run throws on anything unexpected.
const WORKLOAD = [
  [30, "SendEmail", async (emu, n) => {
    const r = await call(emu, "SendEmail", {
      FromEmailAddress: DEFAULT_ACCOUNT.sender,
      Destination: [`load${n % 500}@example.net`],
      Subject: `Load {{name}} ${n}`,
      Template: { TemplateID: 1, TemplateData: JSON.stringify({ name: `N${n}` }) },
    });
    if (state.messageIds.length < 1000) state.messageIds.push(r.MessageId);
    else state.messageIds[n % 1000] = r.MessageId;
  }],
  [2, "BatchSendEmail", (emu, n) =>
    call(emu, "BatchSendEmail", {
      FromEmailAddress: DEFAULT_ACCOUNT.sender,
      ReceiverId: state.groups[n % state.groups.length],
      Subject: "Batch {{name}}",
      TaskType: 1,
      Template: { TemplateID: 1, TemplateData: "{}" },
    })],
  [12, "GetEmailTemplate", (emu, n) => call(emu, "GetEmailTemplate", { TemplateID: 1 + (n % 2) })],
  [10, "ListEmailTemplates", (emu) => call(emu, "ListEmailTemplates", { Limit: 20, Offset: 0 })],
  [4, "ListReceivers", (emu) => call(emu, "ListReceivers", { Limit: 20, Offset: 0 })],
  [4, "ListReceiverDetails", (emu, n) =>
    call(emu, "ListReceiverDetails", { ReceiverId: state.groups[n % state.groups.length], Limit: 20, Offset: 0 })],
  [4, "ListSendTasks", (emu) => call(emu, "ListSendTasks", { Limit: 20, Offset: 0 })],
  [4, "ListEmailAddress", (emu) => call(emu, "ListEmailAddress", {})],
  [4, "ListEmailIdentities", (emu) => call(emu, "ListEmailIdentities", {})],
  [4, "GetSendEmailStatus", (emu, n) =>
    call(emu, "GetSendEmailStatus", { RequestDate: today(), Limit: 20, Offset: 0, ToEmailAddress: `load${n % 500}@example.net` })],
  [3, "GetStatisticsReport", (emu) => call(emu, "GetStatisticsReport", { StartDate: today(), EndDate: today() })],
  [5, "control health", (emu) => control(emu, "/_emulator/health")],
  [5, "control messages", (emu) => control(emu, "/_emulator/messages?limit=20")],
  [5, "control message", (emu, n) =>
    state.messageIds.length ? control(emu, `/_emulator/messages/${state.messageIds[n % state.messageIds.length]}`) : null],
  [2, "control metrics", (emu) => control(emu, "/_emulator/metrics")],
];
const TOTAL_WEIGHT = WORKLOAD.reduce((s, [w]) => s + w, 0);

function pick(n) {
  // A fixed, well-mixed sequence: n * a large odd constant, modulo the total weight.
  let x = (n * 2654435761) % TOTAL_WEIGHT;
  for (const entry of WORKLOAD) {
    if (x < entry[0]) return entry;
    x -= entry[0];
  }
  return WORKLOAD[0];
}

// Small groups for the batches: 5 groups of 20 members, uploaded before the run.
async function setup(emu) {
  for (let g = 0; g < 5; g++) {
    const { ReceiverId } = await call(emu, "CreateReceiver", { ReceiversName: `load-${g}` });
    await call(emu, "CreateReceiverDetailWithData", {
      ReceiverId,
      Datas: Array.from({ length: 20 }, (_, i) => ({
        Email: `g${g}m${i}@example.net`,
        TemplateData: JSON.stringify({ name: `G${g}M${i}` }),
      })),
    });
    state.groups.push(ReceiverId);
  }
  for (let i = 0; i < 100; i++) {
    const groups = (await call(emu, "ListReceivers", { Limit: 20, Offset: 0 })).Data;
    if (groups.every((x) => x.ReceiversStatus === 3)) return;
    await sleep(100);
  }
  throw new Error("the load groups were not uploaded within 10 s");
}

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] : NaN;
}

async function main() {
  const emu = await startEmulator({
    db: flag("memory-db") ? undefined : true,
    args: ["--log-format", "off"],
  });
  const pid = emu.child.pid;
  const latencies = new Map(WORKLOAD.map(([, name]) => [name, []]));
  const errors = [];
  let n = 0;
  let done = 0;
  try {
    await setup(emu);
    const started = Date.now();
    const endAt = started + DURATION_S * 1000;
    const rss = [{ t: 0, mb: rssMB(pid) }];
    let warmRss = null;
    const sampler = setInterval(() => {
      const t = Math.round((Date.now() - started) / 1000);
      const mb = rssMB(pid);
      rss.push({ t, mb });
      if (warmRss === null && t >= WARMUP_S) warmRss = mb;
      console.log(`  t=${String(t).padStart(3)} s  RSS ${mb.toFixed(1)} MB  ${done} calls`);
    }, SAMPLE_MS);
    const worker = async () => {
      while (Date.now() < endAt) {
        const i = n++;
        const [, name, run] = pick(i);
        const t = process.hrtime.bigint();
        try {
          await run(emu, i);
          latencies.get(name).push(Number(process.hrtime.bigint() - t) / 1e6);
        } catch (e) {
          if (errors.length < 20) errors.push(`${name}: ${e.message}`);
          else errors.length++;
        }
        done++;
      }
    };
    await Promise.all(Array.from({ length: CONNECTIONS }, worker));
    clearInterval(sampler);
    const elapsed = (Date.now() - started) / 1000;
    const endRss = rssMB(pid);
    if (warmRss === null) warmRss = rss.length > 1 ? rss[1].mb : rss[0].mb;
    const growth = endRss - warmRss;

    console.log(`\n${done} calls in ${elapsed.toFixed(1)} s over ${CONNECTIONS} connections: ${Math.round(done / elapsed)}/s`);
    console.log("action                 calls     p50 ms   p99 ms");
    const table = {};
    for (const [name, list] of latencies) {
      list.sort((a, b) => a - b);
      table[name] = { calls: list.length, p50: percentile(list, 50), p99: percentile(list, 99) };
      console.log(
        `${name.padEnd(22)} ${String(list.length).padStart(6)} ${percentile(list, 50).toFixed(2).padStart(9)} ${percentile(list, 99)
          .toFixed(2)
          .padStart(8)}`,
      );
    }
    const all = [...latencies.values()].flat().sort((a, b) => a - b);
    console.log(`${"all".padEnd(22)} ${String(all.length).padStart(6)} ${percentile(all, 50).toFixed(2).padStart(9)} ${percentile(all, 99).toFixed(2).padStart(8)}`);
    console.log(`RSS: ${rss[0].mb.toFixed(1)} MB at start, ${warmRss.toFixed(1)} MB after the ${WARMUP_S} s warm-up, ${endRss.toFixed(1)} MB at the end (growth ${growth.toFixed(1)} MB, limit ${MAX_GROWTH_MB} MB)`);
    console.log(`unexpected errors: ${errors.length}`);
    for (const e of errors.slice(0, 20)) console.log(`  ${e}`);
    if (flag("json")) {
      console.log(JSON.stringify({ calls: done, seconds: elapsed, connections: CONNECTIONS, errors: errors.length, rss: { start: rss[0].mb, warm: warmRss, end: endRss, growth }, actions: table }));
    }
    assert.equal(errors.length, 0, "no unexpected error");
    assert.ok(growth <= MAX_GROWTH_MB, `RSS grew ${growth.toFixed(1)} MB after warm-up (limit ${MAX_GROWTH_MB} MB)`);
    assert.equal(emu.child.exitCode, null, "the emulator is still running");
  } finally {
    agent.destroy();
    await emu.stop();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`load: FAILED: ${e.message}`);
    process.exit(1);
  },
);
