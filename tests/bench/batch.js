#!/usr/bin/env node
// Batch fan-out benchmark: a BatchSendEmail to an N-member group (default
// 50,000, from a generated fixture), timed from the call until every message
// is stored and queryable (ListSendTasks status 10 and /_emulator/messages
// counts), while a second client keeps calling GetEmailTemplate and records
// its latencies (p50/p99).
//   node tests/bench/batch.js [members]        (needs ./build/ses-emulator)
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawn } = require("node:child_process");

const ROOT = path.resolve(__dirname, "..", "..");
const SDK = require(path.join(ROOT, "tests/e2e/node_modules/tencentcloud-sdk-nodejs-ses"));
const members = Number(process.argv[2] || 50000);
const bin = process.env.SES_EMULATOR_BIN || path.join(ROOT, "build/ses-emulator");

function fixture(dir) {
  const base = JSON.parse(fs.readFileSync(path.join(ROOT, "fixtures/default.json"), "utf8"));
  const list = [];
  for (let i = 0; i < members; i++) list.push({ email: `member${i}@example.net`, data: { name: `M${i}` } });
  base.accounts[0].receivers = [{ name: "bench", members: list }];
  const file = path.join(dir, "fixture.json");
  fs.writeFileSync(file, JSON.stringify(base));
  return file;
}

function start(dir) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(bin, ["--listen", "127.0.0.1:0", "--db", path.join(dir, "b.db"), "--fixtures", fixture(dir)], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d) => {
      err += d;
      const m = err.match(/listening on http:\/\/[^:]+:(\d+)/);
      if (m) resolve({ child, port: Number(m[1]), startMs: Date.now() - t0 });
    });
    child.on("exit", (code) => reject(new Error(`emulator exited ${code}: ${err}`)));
  });
}

function percentile(values, p) {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ses-batch-"));
  const { child, port, startMs } = await start(dir);
  const client = new SDK.ses.v20201002.Client({
    credential: { secretId: "AKIDLOCALSESEMULATOR", secretKey: "local-ses-emulator-secret-key" },
    region: "ap-guangzhou",
    profile: { httpProfile: { endpoint: `127.0.0.1:${port}`, protocol: "http://" } },
  });
  try {
    const groups = await client.ListReceivers({ Offset: 0, Limit: 10 });
    const group = groups.Data.find((g) => g.ReceiversName === "bench");
    let reading = true;
    const latencies = [];
    const reader = (async () => {
      while (reading) {
        const t = process.hrtime.bigint();
        await client.GetEmailTemplate({ TemplateID: 1 });
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    })();
    const t0 = Date.now();
    const { TaskId } = await client.BatchSendEmail({
      FromEmailAddress: "Example <noreply@example.com>",
      ReceiverId: group.ReceiverId,
      Subject: "Hello {{name}}",
      TaskType: 1,
      Template: { TemplateID: 1, TemplateData: "{}" },
    });
    let task;
    for (;;) {
      task = (await client.ListSendTasks({ Offset: 0, Limit: 1 })).Data[0];
      if (task.TaskStatus === 10 || task.TaskStatus === 7) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const elapsed = (Date.now() - t0) / 1000;
    reading = false;
    await reader;
    const res = await fetch(`http://127.0.0.1:${port}/_emulator/messages?task_id=${TaskId}&limit=1`);
    const newest = (await res.json()).messages[0];
    const rss = fs.readFileSync(`/proc/${child.pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/)[1];
    console.log(`emulator start to listening: ${startMs} ms (fixture of ${members} members)`);
    console.log(`batch of ${members}: status ${task.TaskStatus}, SendCount ${task.SendCount}, ${elapsed.toFixed(2)} s`);
    console.log(`newest message ${newest && newest.id} subject "${newest && newest.subject}"`);
    console.log(`GetEmailTemplate meanwhile: ${latencies.length} calls, p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms`);
    console.log(`RSS ${(rss / 1024).toFixed(1)} MB`);
  } finally {
    child.kill("SIGTERM");
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
