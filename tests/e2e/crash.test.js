"use strict";
// Focus: crash safety of the batch fan-out. A task is killed (SIGKILL) in the
// middle of its run; after a restart on the same --db it resumes and ends
// with exactly one message per member: none lost, none doubled. Counts come
// from GetStatisticsReport (one RequestCount per delivery row) and from the
// task's own counters. Then the store's disk: a full disk answers InternalError
// without crashing and recovers when space returns; a database on a read-only
// file system is refused at start with one line (both need mount, so root:
// skipped otherwise). The longer kill -9 runs (a 50,000-member batch, a
// stream of SendEmail calls) are in tests/crash/kill9.js.

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const { execFileSync } = require("node:child_process");

const { startEmulator, makeTempDir, runBinary, REPO_ROOT } = require("./lib/emulator");
const { chinaClient, rawClient, rawRequest } = require("./lib/clients");

const MEMBERS = 20000;

function fixture() {
  const base = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "fixtures/default.json"), "utf8"));
  base.accounts[0].receivers = [
    {
      name: "crash",
      members: Array.from({ length: MEMBERS }, (_, i) => ({ email: `m${i}@example.net`, data: { name: `M${i}` } })),
    },
  ];
  return base;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function today(emu) {
  const res = await fetch(`${emu.url}/_emulator/clock`);
  return (await res.json()).now.slice(0, 10);
}

test("a batch killed mid-run resumes after restart with exactly one message per member", async () => {
  const emu = await startEmulator({ db: true, fixtures: fixture() });
  try {
    let api = chinaClient(emu);
    const group = (await api.ListReceivers({ Offset: 0, Limit: 10 })).Data.find((g) => g.ReceiversName === "crash");
    const { TaskId } = await api.BatchSendEmail({
      FromEmailAddress: "Example <noreply@example.com>",
      ReceiverId: group.ReceiverId,
      Subject: "Hello {{name}}",
      TaskType: 1,
      Template: { TemplateID: 1, TemplateData: "{}" },
    });
    // Wait until the run is under way, then kill it without warning.
    let task;
    for (let i = 0; i < 400; i++) {
      task = (await api.ListSendTasks({ Offset: 0, Limit: 1 })).Data[0];
      if (task.SendCount > 0) break;
      await sleep(5);
    }
    assert.ok(task.SendCount > 0 && task.SendCount < MEMBERS, `killed mid-run (SendCount ${task.SendCount})`);
    emu.child.kill("SIGKILL");
    await new Promise((r) => emu.child.once("exit", r));
    emu.child = null;
    await emu.restart();
    api = chinaClient(emu);
    for (let i = 0; i < 600; i++) {
      task = (await api.ListSendTasks({ Offset: 0, Limit: 1 })).Data[0];
      if (task.TaskStatus === 10) break;
      await sleep(50);
    }
    assert.equal(task.TaskId, TaskId);
    assert.equal(task.TaskStatus, 10);
    assert.equal(task.SendCount, MEMBERS);
    const day = await today(emu);
    const stats = await api.GetStatisticsReport({ StartDate: day, EndDate: day });
    assert.equal(stats.OverallVolume.RequestCount, MEMBERS, "one delivery per member: none lost, none doubled");
    const last = await fetch(`${emu.url}/_emulator/messages?to=m${MEMBERS - 1}@example.net`).then((r) => r.json());
    assert.equal(last.messages.length, 1);
    assert.equal(last.messages[0].subject, `Hello M${MEMBERS - 1}`);
  } finally {
    await emu.stop();
  }
});

// Mounts a tmpfs of `size` on a new directory; null when mount is not permitted.
function mountTmpfs(size) {
  const dir = makeTempDir("ses-disk-");
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], { stdio: "ignore" });
    return dir;
  } catch {
    return null;
  }
}

function unmount(dir) {
  try {
    execFileSync("umount", ["-l", dir], { stdio: "ignore" });
  } catch {
    /* already gone */
  }
}

const SEND = {
  FromEmailAddress: "noreply@example.com",
  Destination: ["to@example.net"],
  Subject: "Hi {{name}}",
  Template: { TemplateID: 1, TemplateData: '{"name":"Bob"}' },
};

test("a full disk answers InternalError without crashing, and sending recovers when space returns", async (t) => {
  const dir = mountTmpfs("2m");
  if (!dir) return t.skip("mount -t tmpfs is not permitted (run as root to test a full disk)");
  const emu = await startEmulator({ db: path.join(dir, "ses.db") });
  try {
    const api = rawClient(emu);
    const before = await api.call("SendEmail", SEND);
    // Fill the file system.
    try {
      fs.writeFileSync(path.join(dir, "filler"), Buffer.alloc(4 * 1024 * 1024));
    } catch (e) {
      assert.equal(e.code, "ENOSPC");
    }
    for (let i = 0; i < 5; i++) {
      const r = await api.tc3("SendEmail", SEND);
      assert.equal(r.json.Response.Error && r.json.Response.Error.Code, "InternalError", r.text);
    }
    // Reads still work, and so does the control plane.
    assert.equal((await api.call("GetEmailTemplate", { TemplateID: 1 })).TemplateName, "welcome");
    assert.equal((await rawRequest(emu, { path: "/_emulator/health" })).status, 200);
    // Space returns: sending works again, and nothing refused was stored.
    fs.unlinkSync(path.join(dir, "filler"));
    const after = await api.call("SendEmail", SEND);
    const list = (await rawRequest(emu, { path: "/_emulator/messages?limit=100" })).json.messages.map((m) => m.id);
    assert.deepEqual(list.sort(), [before.MessageId, after.MessageId].sort());
    assert.equal(emu.child.exitCode, null, "still running");
  } finally {
    await emu.stop();
    unmount(dir);
  }
});

test("a database on a read-only file system is refused at start with one line", async (t) => {
  const rw = mountTmpfs("8m");
  if (!rw) return t.skip("mount is not permitted (run as root to test a read-only database)");
  const ro = makeTempDir("ses-ro-");
  try {
    const emu = await startEmulator({ db: path.join(rw, "ses.db") });
    await emu.stop();
    execFileSync("mount", ["--bind", rw, ro]);
    execFileSync("mount", ["-o", "remount,bind,ro", ro]);
    const r = await runBinary(["--listen", "127.0.0.1:0", "--db", path.join(ro, "ses.db")]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^ses-emulator: cannot use database '.*ses\.db': .+\n$/);
  } finally {
    unmount(ro);
    unmount(rw);
  }
});
