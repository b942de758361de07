#!/usr/bin/env node
// Memory with many stored messages: resident memory after 10,000 stored
// messages and again after 1,000,000 (batch tasks to a 50,000-member group),
// on a file-backed store. The budget: flat within 10 MB.
//   node tests/bench/memory.js [total]          (default 1000000)
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawn } = require("node:child_process");

const ROOT = path.resolve(__dirname, "..", "..");
const SDK = require(path.join(ROOT, "tests/e2e/node_modules/tencentcloud-sdk-nodejs-ses"));
const total = Number(process.argv[2] || 1000000);
const bin = process.env.SES_EMULATOR_BIN || path.join(ROOT, "build/ses-emulator");

function fixture(dir) {
  const base = JSON.parse(fs.readFileSync(path.join(ROOT, "fixtures/default.json"), "utf8"));
  const group = (name, n) => ({
    name,
    members: Array.from({ length: n }, (_, i) => ({ email: `${name}${i}@example.net`, data: { name: `M${i}` } })),
  });
  base.accounts[0].receivers = [group("small", 10000), group("big", 50000)];
  const file = path.join(dir, "fixture.json");
  fs.writeFileSync(file, JSON.stringify(base));
  return file;
}

const rss = (pid) => Number(fs.readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/)[1]) / 1024;

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ses-mem-"));
  const child = spawn(bin, ["--listen", "127.0.0.1:0", "--db", path.join(dir, "m.db"), "--fixtures", fixture(dir)], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  const port = await new Promise((resolve) => {
    let err = "";
    child.stderr.on("data", (d) => {
      err += d;
      const m = err.match(/listening on http:\/\/[^:]+:(\d+)/);
      if (m) resolve(Number(m[1]));
    });
  });
  const client = new SDK.ses.v20201002.Client({
    credential: { secretId: "AKIDLOCALSESEMULATOR", secretKey: "local-ses-emulator-secret-key" },
    region: "ap-guangzhou",
    profile: { httpProfile: { endpoint: `127.0.0.1:${port}`, protocol: "http://" } },
  });
  const groups = (await client.ListReceivers({ Offset: 0, Limit: 10 })).Data;
  const id = (name) => groups.find((g) => g.ReceiversName === name).ReceiverId;
  const run = async (receiver) => {
    await client.BatchSendEmail({
      FromEmailAddress: "Example <noreply@example.com>", ReceiverId: receiver, Subject: "Hello {{name}}", TaskType: 1,
      Template: { TemplateID: 1, TemplateData: "{}" },
    });
    for (;;) {
      const t = (await client.ListSendTasks({ Offset: 0, Limit: 1 })).Data[0];
      if (t.TaskStatus === 10) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  try {
    const t0 = Date.now();
    await run(id("small"));
    const at10k = rss(child.pid);
    let sent = 10000;
    while (sent < total) {
      await run(id("big"));
      sent += 50000;
    }
    const atEnd = rss(child.pid);
    const size = fs.statSync(path.join(dir, "m.db")).size / 1048576;
    console.log(`RSS after 10,000 messages: ${at10k.toFixed(1)} MB; after ${sent.toLocaleString("en")}: ${atEnd.toFixed(1)} MB (growth ${(atEnd - at10k).toFixed(1)} MB)`);
    console.log(`store ${size.toFixed(0)} MB, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    child.kill("SIGTERM");
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
