"use strict";
// Recipient groups: CreateReceiver, CreateReceiverDetail, CreateReceiverDetailWithData,
// ListReceivers, ListReceiverDetails, DeleteReceiver; the asynchronous upload
// (status 1 pending → 2 uploading → 3 uploaded) and `receivers` fixtures.
// Every test that creates a group in the shared emulator deletes it again, so
// that the per-account limit of 20 groups is never reached by accident.

const { test } = require("node:test");
const assert = require("node:assert/strict");
const { sharedEmulator, withEmulator, fixtureAccount } = require("./lib/emulator");
const { chinaClient, expectError, intlClient, rawClient, sortedKeys } = require("./lib/clients");

const h = sharedEmulator();
const api = () => rawClient(h.emu);
const UNKNOWN_ID = 987654321;
const GROUP_KEYS = ["Count", "CreateTime", "Desc", "InvalidCount", "ReceiverId", "ReceiversName", "ReceiversStatus"];
const DETAIL_KEYS = ["CreateTime", "Email", "EmailId", "Reason", "Status", "TemplateData"];
const COUNTER_KEYS = ["EmptyEmailCount", "RepeatCount", "RequestId", "TooLongCount", "TotalCount", "ValidCount"];
const DATETIME_RE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const UPLOAD_TIMEOUT_MS = 20_000;

// ---- helpers -------------------------------------------------------------------------------

// "YYYY-MM-DD HH:MM:SS" in China Standard Time, and back.
function cst(ms) {
  return new Date(ms + 8 * 3600_000).toISOString().replace("T", " ").slice(0, 19);
}
function cstMs(text) {
  return Date.parse(`${text.replace(" ", "T")}+08:00`);
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function createGroup(name, desc, client = api()) {
  const params = { ReceiversName: name };
  if (desc !== undefined) params.Desc = desc;
  return (await client.call("CreateReceiver", params)).ReceiverId;
}

async function groupOf(id, client = api()) {
  const r = await client.call("ListReceivers", { Offset: 0, Limit: 100 });
  return r.Data.find((g) => g.ReceiverId === id);
}

// Polls ListReceivers until the group is uploaded (3); returns every status seen.
async function waitUploaded(id, client = api()) {
  const seen = [];
  const deadline = Date.now() + UPLOAD_TIMEOUT_MS;
  for (;;) {
    const g = await groupOf(id, client);
    assert.ok(g, `group ${id} listed`);
    if (seen[seen.length - 1] !== g.ReceiversStatus) seen.push(g.ReceiversStatus);
    if (g.ReceiversStatus === 3) return seen;
    assert.ok(Date.now() < deadline, `group ${id} still in status ${g.ReceiversStatus} after ${UPLOAD_TIMEOUT_MS} ms`);
    await sleep(50);
  }
}

async function details(id, params = {}, client = api()) {
  return client.call("ListReceiverDetails", { ReceiverId: id, Offset: 0, Limit: 100, ...params });
}

// Runs fn(id) with a new group and deletes the group afterwards.
async function withGroup(name, fn, client = api()) {
  const id = await createGroup(name, undefined, client);
  try {
    return await fn(id);
  } finally {
    await client.call("DeleteReceiver", { ReceiverId: id });
  }
}

function emails(prefix, n, domain = "example.net") {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}@${domain}`);
}

// ---- CreateReceiver / ListReceivers ---------------------------------------------------------------

test("CreateReceiver (China SDK): answers ReceiverId; listed pending (1), empty, CreateTime in CST", async () => {
  const client = chinaClient(h.emu);
  const before = Date.now();
  const r = await client.CreateReceiver({ ReceiversName: "sdk-group", Desc: "made by the SDK" });
  assert.deepEqual(sortedKeys(r), ["ReceiverId", "RequestId"]);
  assert.ok(Number.isInteger(r.ReceiverId) && r.ReceiverId > 0);
  try {
    const list = await client.ListReceivers({ Offset: 0, Limit: 100 });
    assert.deepEqual(sortedKeys(list), ["Data", "RequestId", "TotalCount"]);
    const g = list.Data.find((x) => x.ReceiverId === r.ReceiverId);
    assert.ok(g, "listed");
    assert.deepEqual(sortedKeys(g), GROUP_KEYS);
    assert.equal(g.ReceiversName, "sdk-group");
    assert.equal(g.Desc, "made by the SDK");
    assert.equal(g.ReceiversStatus, 1);
    assert.equal(g.Count, 0);
    assert.equal(g.InvalidCount, 0);
    assert.match(g.CreateTime, DATETIME_RE);
    const at = cstMs(g.CreateTime);
    assert.ok(at >= Math.floor(before / 1000) * 1000 - 2000 && at <= Date.now() + 2000, `${g.CreateTime} is now in CST`);
  } finally {
    await client.DeleteReceiver({ ReceiverId: r.ReceiverId });
  }
});

test("CreateReceiver: Desc is optional (listed as \"\"); ids are distinct", async () => {
  const a = await createGroup("no-desc-a");
  const b = await createGroup("no-desc-b");
  try {
    assert.notEqual(a, b);
    assert.equal((await groupOf(a)).Desc, "");
  } finally {
    await api().call("DeleteReceiver", { ReceiverId: a });
    await api().call("DeleteReceiver", { ReceiverId: b });
  }
});

test("CreateReceiver accepts a 200-character name (Chinese characters count as one) and a 300-character Desc", async () => {
  const name = "组".repeat(200);
  const id = await createGroup(name, "d".repeat(300));
  try {
    const g = await groupOf(id);
    assert.equal(g.ReceiversName, name);
    assert.equal(g.Desc.length, 300);
  } finally {
    await api().call("DeleteReceiver", { ReceiverId: id });
  }
});

test("ListReceivers: KeyWord (substring, case ignored), Status, Limit and Offset, newest first", async () => {
  const ids = [];
  try {
    ids.push(await createGroup("Page-Alpha"));
    ids.push(await createGroup("page-beta"));
    ids.push(await createGroup("unrelated"));
    await api().call("CreateReceiverDetail", { ReceiverId: ids[1], Emails: ["p@example.net"] });

    const byWord = await api().call("ListReceivers", { Offset: 0, Limit: 100, KeyWord: "PAGE-" });
    assert.equal(byWord.TotalCount, 2);
    assert.deepEqual(byWord.Data.map((g) => g.ReceiverId), [ids[1], ids[0]]);

    const pending = await api().call("ListReceivers", { Offset: 0, Limit: 100, KeyWord: "page-", Status: 1 });
    assert.deepEqual(pending.Data.map((g) => g.ReceiverId), [ids[0]]);
    assert.equal(pending.TotalCount, 1);

    const first = await api().call("ListReceivers", { Offset: 0, Limit: 1, KeyWord: "page-" });
    const second = await api().call("ListReceivers", { Offset: 1, Limit: 1, KeyWord: "page-" });
    const past = await api().call("ListReceivers", { Offset: 2, Limit: 1, KeyWord: "page-" });
    assert.deepEqual([first.TotalCount, second.TotalCount, past.TotalCount], [2, 2, 2]);
    assert.deepEqual([...first.Data, ...second.Data].map((g) => g.ReceiverId), [ids[1], ids[0]]);
    assert.deepEqual(past.Data, []);

    const none = await api().call("ListReceivers", { Offset: 0, Limit: 100, KeyWord: "no-such-group-name" });
    assert.deepEqual(none, { TotalCount: 0, Data: [], RequestId: none.RequestId });
    await waitUploaded(ids[1]);
    const uploaded = await api().call("ListReceivers", { Offset: 0, Limit: 100, KeyWord: "page-", Status: 3 });
    assert.deepEqual(uploaded.Data.map((g) => g.ReceiverId), [ids[1]]);
  } finally {
    for (const id of ids) await api().call("DeleteReceiver", { ReceiverId: id });
  }
});

test("ListReceivers accepts Limit 100", async () => {
  await api().call("ListReceivers", { Offset: 0, Limit: 100 });
});

// ---- uploads ---------------------------------------------------------------------------------------

test("CreateReceiverDetail: exact counters, status 2 (uploading) then 3 (uploaded), members listed", async () => {
  await withGroup("upload-counters", async (id) => {
    const tooLong = `${"x".repeat(117)}@example.net`; // 129 bytes
    const r = await api().call("CreateReceiverDetail", {
      ReceiverId: id,
      Emails: ["a@example.net", "A@EXAMPLE.NET", "", "   ", "not-an-address", tooLong, " b@example.net "],
    });
    assert.deepEqual(sortedKeys(r), COUNTER_KEYS);
    assert.deepEqual(
      [r.TotalCount, r.ValidCount, r.TooLongCount, r.EmptyEmailCount, r.RepeatCount],
      [7, 3, 1, 2, 1],
    );
    // Uploading for at least 500 ms of real time, so this is always observed.
    assert.equal((await groupOf(id)).ReceiversStatus, 2);
    const seen = await waitUploaded(id);
    assert.deepEqual(seen, [2, 3]);
    const g = await groupOf(id);
    assert.equal(g.Count, 3);
    assert.equal(g.InvalidCount, 1);

    const d = await details(id);
    assert.deepEqual(sortedKeys(d), ["Data", "InvalidCount", "RequestId", "TotalCount", "ValidCount"]);
    assert.deepEqual([d.TotalCount, d.ValidCount, d.InvalidCount], [3, 2, 1]);
    assert.deepEqual(d.Data.map((m) => m.Email), ["a@example.net", "not-an-address", "b@example.net"]);
    for (const m of d.Data) {
      assert.deepEqual(sortedKeys(m), DETAIL_KEYS);
      assert.match(m.CreateTime, DATETIME_RE);
      assert.equal(m.TemplateData, "");
    }
    assert.deepEqual(d.Data.map((m) => m.Status), [1, 2, 1]);
    assert.deepEqual(d.Data.map((m) => m.Reason), ["", "invalid email address", ""]);
    const idsOf = d.Data.map((m) => m.EmailId);
    assert.ok(idsOf.every(Number.isInteger));
    assert.deepEqual([...idsOf].sort((x, y) => x - y), idsOf, "EmailId grows in upload order");
  });
});

test("CreateReceiverDetail appends to an uploaded group: addresses already there count as RepeatCount", async () => {
  await withGroup("append", async (id) => {
    await api().call("CreateReceiverDetail", { ReceiverId: id, Emails: ["one@example.net", "two@example.net"] });
    await waitUploaded(id);
    const r = await api().call("CreateReceiverDetail", {
      ReceiverId: id,
      Emails: ["TWO@example.net", "three@example.net", "three@example.net"],
    });
    assert.deepEqual([r.TotalCount, r.ValidCount, r.RepeatCount], [3, 1, 2]);
    assert.deepEqual(await waitUploaded(id), [2, 3]);
    assert.equal((await groupOf(id)).Count, 3);
  });
});

test("CreateReceiverDetail where nothing is stored still answers the counters and finishes", async () => {
  await withGroup("nothing-stored", async (id) => {
    const r = await api().call("CreateReceiverDetail", { ReceiverId: id, Emails: ["", " "] });
    assert.deepEqual([r.TotalCount, r.ValidCount, r.EmptyEmailCount], [2, 0, 2]);
    await waitUploaded(id);
    assert.equal((await groupOf(id)).Count, 0);
  });
});

test("CreateReceiverDetail (China SDK) accepts exactly 20000 addresses", async () => {
  const client = chinaClient(h.emu);
  await withGroup("twenty-thousand", async (id) => {
    const r = await client.CreateReceiverDetail({ ReceiverId: id, Emails: emails("bulk", 20000) });
    assert.deepEqual([r.TotalCount, r.ValidCount, r.RepeatCount], [20000, 20000, 0]);
    await waitUploaded(id);
    const g = await groupOf(id);
    assert.equal(g.Count, 20000);
    const last = await details(id, { Offset: 19999, Limit: 10 });
    assert.equal(last.TotalCount, 20000);
    assert.deepEqual(last.Data.map((m) => m.Email), ["bulk19999@example.net"]);
  });
});

test("CreateReceiverDetailWithData: TemplateData round trip, counters, keys in any order", async () => {
  await withGroup("with-data", async (id) => {
    const data = [
      { Email: "p1@example.net", TemplateData: JSON.stringify({ name: "Ann", code: "1" }) },
      { Email: "p2@example.net", TemplateData: '{"code": 2, "name": "Bob"}' },
      { Email: "P1@example.net", TemplateData: JSON.stringify({ name: "again", code: "3" }) },
      { Email: "", TemplateData: JSON.stringify({ name: "nobody", code: "4" }) },
    ];
    const r = await api().call("CreateReceiverDetailWithData", { ReceiverId: id, Datas: data });
    assert.deepEqual(sortedKeys(r), COUNTER_KEYS);
    assert.deepEqual(
      [r.TotalCount, r.ValidCount, r.TooLongCount, r.EmptyEmailCount, r.RepeatCount],
      [4, 2, 0, 1, 1],
    );
    await waitUploaded(id);
    const d = await details(id);
    assert.deepEqual(
      d.Data.map((m) => [m.Email, m.TemplateData, m.Status]),
      [
        ["p1@example.net", data[0].TemplateData, 1],
        ["p2@example.net", data[1].TemplateData, 1],
      ],
    );
    // Appending with the same keys is fine.
    await api().call("CreateReceiverDetailWithData", {
      ReceiverId: id,
      Datas: [{ Email: "p3@example.net", TemplateData: '{"name":"Cy","code":"5"}' }],
    });
    await waitUploaded(id);
    assert.equal((await groupOf(id)).Count, 3);
  });
});

test("CreateReceiverDetailWithData through the international SDK (v1 signature, flattened Datas.N)", async () => {
  const client = intlClient(h.emu);
  await withGroup("intl-with-data", async (id) => {
    const r = await client.CreateReceiverDetailWithData({
      ReceiverId: id,
      Datas: [
        { Email: "i1@example.net", TemplateData: '{"v":"1"}' },
        { Email: "i2@example.net", TemplateData: '{"v":"2"}' },
      ],
    });
    assert.equal(r.ValidCount, 2);
    await waitUploaded(id);
    const d = await details(id);
    assert.deepEqual(d.Data.map((m) => m.TemplateData), ['{"v":"1"}', '{"v":"2"}']);
  });
});

test("CreateReceiverDetailWithData accepts a TemplateData of exactly 800 bytes", async () => {
  const text = JSON.stringify({ v: "x".repeat(800 - '{"v":""}'.length) });
  assert.equal(Buffer.byteLength(text), 800);
  await withGroup("data-800", async (id) => {
    const r = await api().call("CreateReceiverDetailWithData", {
      ReceiverId: id,
      Datas: [{ Email: "long@example.net", TemplateData: text }],
    });
    assert.equal(r.ValidCount, 1);
  });
});

// ---- ListReceiverDetails ---------------------------------------------------------------------------

test("ListReceiverDetails: paging, Email (substring, case ignored), Status, CreateTimeBegin/End", async () => {
  await withGroup("detail-filters", async (id) => {
    await api().call("CreateReceiverDetail", {
      ReceiverId: id,
      Emails: ["user1@example.net", "user2@example.net", "bad", "user3@example.org", "other@example.net"],
    });
    await waitUploaded(id);
    const all = await details(id);
    assert.deepEqual([all.TotalCount, all.ValidCount, all.InvalidCount], [5, 4, 1]);

    const pages = [];
    for (let off = 0; off < 5; off += 2) pages.push(...(await details(id, { Offset: off, Limit: 2 })).Data);
    assert.deepEqual(pages.map((m) => m.EmailId), all.Data.map((m) => m.EmailId));
    assert.equal(new Set(pages.map((m) => m.EmailId)).size, 5);

    const byEmail = await details(id, { Email: "USER" });
    assert.deepEqual(byEmail.Data.map((m) => m.Email), ["user1@example.net", "user2@example.net", "user3@example.org"]);
    assert.deepEqual([byEmail.TotalCount, byEmail.ValidCount, byEmail.InvalidCount], [3, 3, 0]);
    assert.equal((await details(id, { Email: "@example.org" })).TotalCount, 1);
    assert.equal((await details(id, { Email: "" })).TotalCount, 5);
    assert.equal((await details(id, { Email: "e".repeat(50) })).TotalCount, 0);

    const invalid = await details(id, { Status: 2 });
    assert.deepEqual(invalid.Data.map((m) => m.Email), ["bad"]);
    assert.deepEqual([invalid.TotalCount, invalid.ValidCount, invalid.InvalidCount], [1, 0, 1]);
    assert.equal((await details(id, { Status: 1 })).TotalCount, 4);

    const created = all.Data[0].CreateTime;
    const at = cstMs(created);
    assert.equal((await details(id, { CreateTimeBegin: created, CreateTimeEnd: created })).TotalCount, 5);
    assert.equal((await details(id, { CreateTimeBegin: cst(at + 1000) })).TotalCount, 0);
    assert.equal((await details(id, { CreateTimeEnd: cst(at - 1000) })).TotalCount, 0);
    assert.equal((await details(id, { CreateTimeBegin: "", CreateTimeEnd: "" })).TotalCount, 5);
  });
});

test("ListReceiverDetails of a group still uploading lists only what was processed (never more)", async () => {
  await withGroup("detail-uploading", async (id) => {
    await api().call("CreateReceiverDetail", { ReceiverId: id, Emails: emails("u", 50) });
    const d = await details(id);
    assert.ok(d.TotalCount <= 50);
    await waitUploaded(id);
    assert.equal((await details(id)).TotalCount, 50);
  });
});

// ---- DeleteReceiver --------------------------------------------------------------------------------

test("DeleteReceiver: answers only RequestId; the group and its members are gone", async () => {
  const id = await createGroup("to-delete");
  await api().call("CreateReceiverDetail", { ReceiverId: id, Emails: ["gone@example.net"] });
  const r = await api().call("DeleteReceiver", { ReceiverId: id });
  assert.deepEqual(sortedKeys(r), ["RequestId"]);
  assert.equal(await groupOf(id), undefined);
  await expectError(
    api().tc3("ListReceiverDetails", { ReceiverId: id, Offset: 0, Limit: 10 }),
    "OperationDenied.ReceiverNotExist",
  );
  // The name is free again.
  const again = await createGroup("to-delete");
  await api().call("DeleteReceiver", { ReceiverId: again });
});

// ---- fixtures ---------------------------------------------------------------------------------------

test("fixture receivers: loaded uploaded (3), members with data, invalid addresses marked", async () => {
  const creds = { secret_id: "AKIDRECEIVERFIXTURE000", secret_key: "receiver-fixture-key" };
  const fixture = {
    accounts: [
      fixtureAccount({
        credentials: [creds],
        receivers: [
          {
            name: "customers",
            description: "from the fixture",
            members: [
              { email: "ann@example.net", data: { name: "Ann", code: 1 } },
              { email: "not-an-address", data: { code: 2, name: "Nobody" } },
            ],
          },
          { name: "empty" },
        ],
      }),
    ],
  };
  await withEmulator({ fixtures: fixture }, async (emu) => {
    const c = rawClient(emu, { secretId: creds.secret_id, secretKey: creds.secret_key });
    const list = await c.call("ListReceivers", { Offset: 0, Limit: 100 });
    const byName = Object.fromEntries(list.Data.map((g) => [g.ReceiversName, g]));
    assert.deepEqual(Object.keys(byName).sort(), ["customers", "empty"]);
    assert.equal(byName.customers.ReceiversStatus, 3);
    assert.equal(byName.customers.Desc, "from the fixture");
    assert.equal(byName.customers.Count, 2);
    assert.equal(byName.customers.InvalidCount, 1);
    assert.equal(byName.empty.ReceiversStatus, 3);
    assert.equal(byName.empty.Count, 0);
    const d = await details(byName.customers.ReceiverId, {}, c);
    assert.deepEqual(
      d.Data.map((m) => [m.Email, JSON.parse(m.TemplateData), m.Status]),
      [
        ["ann@example.net", { name: "Ann", code: 1 }, 1],
        ["not-an-address", { code: 2, name: "Nobody" }, 2],
      ],
    );
    // New members must bring the same keys.
    await expectError(
      c.tc3("CreateReceiverDetailWithData", {
        ReceiverId: byName.customers.ReceiverId,
        Datas: [{ Email: "new@example.net", TemplateData: '{"name":"New"}' }],
      }),
      "InvalidParameterValue.TemplateDataInconsistent",
    );
  });
});

test("fixture receivers with different data keys in one group stop the emulator with the member's path", async () => {
  const fixture = {
    accounts: [
      fixtureAccount({
        receivers: [{ name: "mixed", members: [{ email: "a@example.net", data: { a: "1" } }, { email: "b@example.net" }] }],
      }),
    ],
  };
  await assert.rejects(withEmulator({ fixtures: fixture }, async () => {}), /receivers\[0\]\.members\[1\]/);
});

// ---- errors -----------------------------------------------------------------------------------------

test("InvalidParameterValue.ReceiverNameIllegal: CreateReceiver with an empty name", async () => {
  await expectError(api().tc3("CreateReceiver", { ReceiversName: "" }), "InvalidParameterValue.ReceiverNameIllegal");
});

test("InvalidParameterValue.ReceiverNameIllegal: CreateReceiver with a 201-character name", async () => {
  await expectError(
    api().tc3("CreateReceiver", { ReceiversName: "n".repeat(201) }),
    "InvalidParameterValue.ReceiverNameIllegal",
  );
});

test("InvalidParameterValue.ReceiverNameIllegal: CreateReceiver with a control character in the name", async () => {
  await expectError(
    api().tc3("CreateReceiver", { ReceiversName: "tab\there" }),
    "InvalidParameterValue.ReceiverNameIllegal",
  );
});

test("InvalidParameterValue.ReceiverDescIllegal: CreateReceiver with a 301-character Desc", async () => {
  await expectError(
    api().tc3("CreateReceiver", { ReceiversName: "long-desc", Desc: "d".repeat(301) }),
    "InvalidParameterValue.ReceiverDescIllegal",
  );
});

test("InvalidParameterValue.ReceiverDescIllegal: CreateReceiver with '<' in Desc", async () => {
  await expectError(
    api().tc3("CreateReceiver", { ReceiversName: "html-desc", Desc: "<b>bold</b>" }),
    "InvalidParameterValue.ReceiverDescIllegal",
  );
});

test("InvalidParameterValue.RepeatReceiverName: CreateReceiver with a name the account already has", async () => {
  await withGroup("twice", async () => {
    await expectError(api().tc3("CreateReceiver", { ReceiversName: "twice" }), "InvalidParameterValue.RepeatReceiverName");
  });
});

test("LimitExceeded.ExceedReceiverLimit: the 21st group of an account; other accounts see none of them", async () => {
  const owner = { secret_id: "AKIDRECEIVERLIMIT00000", secret_key: "receiver-limit-key" };
  const other = { secret_id: "AKIDRECEIVEROTHER00000", secret_key: "receiver-other-key" };
  const fixture = {
    accounts: [
      fixtureAccount({
        credentials: [owner],
        receivers: Array.from({ length: 19 }, (_, i) => ({ name: `fixture-${i}` })),
      }),
      fixtureAccount({ app_id: 1300000998, uin: "100000000998", credentials: [other] }),
    ],
  };
  await withEmulator({ fixtures: fixture }, async (emu) => {
    const c = rawClient(emu, { secretId: owner.secret_id, secretKey: owner.secret_key });
    const twentieth = await createGroup("twentieth", undefined, c);
    await expectError(c.tc3("CreateReceiver", { ReceiversName: "twenty-first" }), "LimitExceeded.ExceedReceiverLimit");
    const list = await c.call("ListReceivers", { Offset: 0, Limit: 100 });
    assert.equal(list.TotalCount, 20);

    const o = rawClient(emu, { secretId: other.secret_id, secretKey: other.secret_key });
    assert.equal((await o.call("ListReceivers", { Offset: 0, Limit: 100 })).TotalCount, 0);
    await expectError(
      o.tc3("ListReceiverDetails", { ReceiverId: twentieth, Offset: 0, Limit: 10 }),
      "OperationDenied.ReceiverNotExist",
    );
    await expectError(o.tc3("DeleteReceiver", { ReceiverId: twentieth }), "OperationDenied.ReceiverNotExist");
    // The other account may use the same name.
    await createGroup("twentieth", undefined, o);
    // After a delete the owner may create one again.
    await c.call("DeleteReceiver", { ReceiverId: twentieth });
    await createGroup("replacement", undefined, c);
  });
});

test("MissingParameter.EmailsNecessary: CreateReceiverDetail with an empty Emails list", async () => {
  await withGroup("no-emails", async (id) => {
    await expectError(
      api().tc3("CreateReceiverDetail", { ReceiverId: id, Emails: [] }),
      "MissingParameter.EmailsNecessary",
    );
  });
});

test("MissingParameter.EmailsNecessary: CreateReceiverDetailWithData with an empty Datas list", async () => {
  await withGroup("no-datas", async (id) => {
    await expectError(
      api().tc3("CreateReceiverDetailWithData", { ReceiverId: id, Datas: [] }),
      "MissingParameter.EmailsNecessary",
    );
  });
});

test("MissingParameter: CreateReceiverDetail without Emails", async () => {
  await expectError(api().tc3("CreateReceiverDetail", { ReceiverId: 1 }), "MissingParameter");
});

test("MissingParameter.ReceiverIdNecessary: CreateReceiverDetail with ReceiverId 0", async () => {
  await expectError(
    api().tc3("CreateReceiverDetail", { ReceiverId: 0, Emails: ["a@example.net"] }),
    "MissingParameter.ReceiverIdNecessary",
  );
});

test("MissingParameter.ReceiverIdNecessary: DeleteReceiver with ReceiverId 0", async () => {
  await expectError(api().tc3("DeleteReceiver", { ReceiverId: 0 }), "MissingParameter.ReceiverIdNecessary");
});

test("OperationDenied.ReceiverNotExist: CreateReceiverDetail to an unknown group", async () => {
  await expectError(
    api().tc3("CreateReceiverDetail", { ReceiverId: UNKNOWN_ID, Emails: ["a@example.net"] }),
    "OperationDenied.ReceiverNotExist",
  );
});

test("OperationDenied.ReceiverNotExist: CreateReceiverDetailWithData to an unknown group (or 0)", async () => {
  for (const id of [UNKNOWN_ID, 0]) {
    await expectError(
      api().tc3("CreateReceiverDetailWithData", {
        ReceiverId: id,
        Datas: [{ Email: "a@example.net", TemplateData: "{}" }],
      }),
      "OperationDenied.ReceiverNotExist",
    );
  }
});

test("OperationDenied.ReceiverNotExist: ListReceiverDetails of an unknown group", async () => {
  await expectError(
    api().tc3("ListReceiverDetails", { ReceiverId: UNKNOWN_ID, Offset: 0, Limit: 10 }),
    "OperationDenied.ReceiverNotExist",
  );
});

test("OperationDenied.ReceiverNotExist: DeleteReceiver of an unknown group", async () => {
  await expectError(api().tc3("DeleteReceiver", { ReceiverId: UNKNOWN_ID }), "OperationDenied.ReceiverNotExist");
});

test("OperationDenied.ReceiverIsOperating: a second upload while the first is still uploading", async () => {
  await withGroup("busy", async (id) => {
    await api().call("CreateReceiverDetail", { ReceiverId: id, Emails: ["first@example.net"] });
    await expectError(
      api().tc3("CreateReceiverDetail", { ReceiverId: id, Emails: ["second@example.net"] }),
      "OperationDenied.ReceiverIsOperating",
    );
    await expectError(
      api().tc3("CreateReceiverDetailWithData", {
        ReceiverId: id,
        Datas: [{ Email: "second@example.net", TemplateData: "{}" }],
      }),
      "OperationDenied.ReceiverIsOperating",
    );
    await waitUploaded(id);
    await api().call("CreateReceiverDetail", { ReceiverId: id, Emails: ["second@example.net"] });
  });
});

test("LimitExceeded.ReceiverDetailRequestLimit: 20001 addresses in one call", async () => {
  await withGroup("too-many", async (id) => {
    await expectError(
      api().tc3("CreateReceiverDetail", { ReceiverId: id, Emails: emails("r", 20001) }),
      "LimitExceeded.ReceiverDetailRequestLimit",
    );
    await expectError(
      api().tc3("CreateReceiverDetailWithData", {
        ReceiverId: id,
        Datas: emails("r", 20001).map((e) => ({ Email: e, TemplateData: "{}" })),
      }),
      "LimitExceeded.ReceiverDetailRequestLimit",
    );
    assert.equal((await groupOf(id)).ReceiversStatus, 1, "nothing was accepted");
  });
});

test("LimitExceeded.ReceiverDetailCountLimit: a group of 49999 takes one more address, not two", async () => {
  const creds = { secret_id: "AKIDRECEIVERCOUNT00000", secret_key: "receiver-count-key" };
  const members = emails("m", 49999).map((email) => ({ email }));
  const fixture = { accounts: [fixtureAccount({ credentials: [creds], receivers: [{ name: "almost-full", members }] })] };
  await withEmulator({ fixtures: fixture }, async (emu) => {
    const c = rawClient(emu, { secretId: creds.secret_id, secretKey: creds.secret_key });
    const id = (await c.call("ListReceivers", { Offset: 0, Limit: 10 })).Data[0].ReceiverId;
    await expectError(
      c.tc3("CreateReceiverDetail", { ReceiverId: id, Emails: ["x1@example.net", "x2@example.net"] }),
      "LimitExceeded.ReceiverDetailCountLimit",
    );
    // Repeated and empty addresses do not count.
    const r = await c.call("CreateReceiverDetail", { ReceiverId: id, Emails: ["x1@example.net", "m0@example.net", ""] });
    assert.deepEqual([r.ValidCount, r.RepeatCount, r.EmptyEmailCount], [1, 1, 1]);
    await waitUploaded(id, c);
    assert.equal((await groupOf(id, c)).Count, 50000);
    await expectError(
      c.tc3("CreateReceiverDetail", { ReceiverId: id, Emails: ["x2@example.net"] }),
      "LimitExceeded.ReceiverDetailCountLimit",
    );
    await expectError(
      c.tc3("CreateReceiverDetailWithData", { ReceiverId: id, Datas: [{ Email: "x2@example.net", TemplateData: "{}" }] }),
      "InvalidParameterValue.TemplateDataInconsistent",
    );
  });
});

test("InvalidParameterValue.ReceiverEmailInvalid: CreateReceiverDetailWithData with a malformed address", async () => {
  await withGroup("bad-address", async (id) => {
    await expectError(
      api().tc3("CreateReceiverDetailWithData", {
        ReceiverId: id,
        Datas: [
          { Email: "ok@example.net", TemplateData: "{}" },
          { Email: "not an address", TemplateData: "{}" },
        ],
      }),
      "InvalidParameterValue.ReceiverEmailInvalid",
    );
    assert.equal((await groupOf(id)).ReceiversStatus, 1, "the whole call was refused");
  });
});

test("InvalidParameterValue.TemplateDataError: TemplateData that is not a JSON object", async () => {
  await withGroup("data-error", async (id) => {
    for (const text of ["not json", "[1,2]", '"text"', '{"a":"1"} trailing', ""]) {
      await expectError(
        api().tc3("CreateReceiverDetailWithData", {
          ReceiverId: id,
          Datas: [{ Email: "a@example.net", TemplateData: text }],
        }),
        "InvalidParameterValue.TemplateDataError",
      );
    }
  });
});

test("InvalidParameterValue.TemplateDataLenLimit: a TemplateData of 801 bytes", async () => {
  const text = JSON.stringify({ v: "x".repeat(801 - '{"v":""}'.length) });
  assert.equal(Buffer.byteLength(text), 801);
  await withGroup("data-801", async (id) => {
    await expectError(
      api().tc3("CreateReceiverDetailWithData", { ReceiverId: id, Datas: [{ Email: "a@example.net", TemplateData: text }] }),
      "InvalidParameterValue.TemplateDataLenLimit",
    );
  });
});

test("InvalidParameterValue.InValidTemplateData: an HTML tag or a nested object as a value", async () => {
  await withGroup("data-html", async (id) => {
    for (const value of ["<b>bold</b>", { nested: "x" }, ["a"]]) {
      await expectError(
        api().tc3("CreateReceiverDetailWithData", {
          ReceiverId: id,
          Datas: [{ Email: "a@example.net", TemplateData: JSON.stringify({ v: value }) }],
        }),
        "InvalidParameterValue.InValidTemplateData",
      );
    }
    // A lone '<' or '>' is plain text.
    await api().call("CreateReceiverDetailWithData", {
      ReceiverId: id,
      Datas: [{ Email: "a@example.net", TemplateData: JSON.stringify({ v: "1 < 2" }) }],
    });
  });
});

test("InvalidParameterValue.TemplateDataInconsistent: different keys in one call", async () => {
  await withGroup("keys-call", async (id) => {
    await expectError(
      api().tc3("CreateReceiverDetailWithData", {
        ReceiverId: id,
        Datas: [
          { Email: "a@example.net", TemplateData: '{"name":"A"}' },
          { Email: "b@example.net", TemplateData: '{"nom":"B"}' },
        ],
      }),
      "InvalidParameterValue.TemplateDataInconsistent",
    );
  });
});

test("InvalidParameterValue.TemplateDataInconsistent: plain addresses to a group whose members have data, and back", async () => {
  await withGroup("keys-data", async (id) => {
    await api().call("CreateReceiverDetailWithData", {
      ReceiverId: id,
      Datas: [{ Email: "a@example.net", TemplateData: '{"name":"A"}' }],
    });
    await waitUploaded(id);
    await expectError(
      api().tc3("CreateReceiverDetail", { ReceiverId: id, Emails: ["b@example.net"] }),
      "InvalidParameterValue.TemplateDataInconsistent",
    );
  });
  await withGroup("keys-plain", async (id) => {
    await api().call("CreateReceiverDetail", { ReceiverId: id, Emails: ["a@example.net"] });
    await waitUploaded(id);
    await expectError(
      api().tc3("CreateReceiverDetailWithData", {
        ReceiverId: id,
        Datas: [{ Email: "b@example.net", TemplateData: '{"name":"B"}' }],
      }),
      "InvalidParameterValue.TemplateDataInconsistent",
    );
  });
});

test("FailedOperation.InvalidLimit: ListReceivers with Limit 101", async () => {
  await expectError(api().tc3("ListReceivers", { Offset: 0, Limit: 101 }), "FailedOperation.InvalidLimit");
});

test("FailedOperation.InvalidLimit: ListReceiverDetails with Limit 101", async () => {
  await withGroup("limit-101", async (id) => {
    await expectError(
      api().tc3("ListReceiverDetails", { ReceiverId: id, Offset: 0, Limit: 101 }),
      "FailedOperation.InvalidLimit",
    );
    await details(id, { Limit: 100 });
  });
});

test("InvalidParameterValue: ListReceivers with Limit 0 or a Status other than 1, 2, 3", async () => {
  await expectError(api().tc3("ListReceivers", { Offset: 0, Limit: 0 }), "InvalidParameterValue");
  for (const Status of [0, 4]) {
    await expectError(api().tc3("ListReceivers", { Offset: 0, Limit: 10, Status }), "InvalidParameterValue");
  }
});

test("InvalidParameterValue: ListReceiverDetails with a bad Email, CreateTimeBegin/End or Status", async () => {
  await withGroup("detail-bad", async (id) => {
    const cases = [
      { Email: "e".repeat(51) },
      { CreateTimeBegin: "2024-01-01" },
      { CreateTimeEnd: "2024-13-01 00:00:00" },
      { CreateTimeBegin: "2023-02-29 00:00:00" },
      { CreateTimeEnd: "2024-01-01T00:00:00" },
      { Status: 3 },
      { Limit: 0 },
    ];
    for (const c of cases) {
      await expectError(
        api().tc3("ListReceiverDetails", { ReceiverId: id, Offset: 0, Limit: 10, ...c }),
        "InvalidParameterValue",
      );
    }
    assert.equal((await details(id, { CreateTimeBegin: "2024-02-29 23:59:59" })).TotalCount, 0);
  });
});
