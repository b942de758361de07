"use strict";
// Focus: crash safety of the batch fan-out. A task is killed (SIGKILL) in the
// middle of its run; after a restart on the same --db it resumes and ends
// with exactly one message per member: none lost, none doubled. Counts come
// from GetStatisticsReport (one RequestCount per delivery row) and from the
// task's own counters.

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const { startEmulator, REPO_ROOT } = require("./lib/emulator");
const { chinaClient } = require("./lib/clients");

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
