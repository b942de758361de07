"use strict";
// Focus: the fixture format's JSON Schema (fixtures/schema.json, documented in
// docs/fixtures.md) agrees with the loader (server/fixtures.c):
// - every object the loader reads has exactly the keys of one schema object,
//   and every status name list of the loader is an enum of the schema;
// - fixtures/default.json, the docs' example and tests/e2e/fixtures/*.json
//   match the schema and load (every fixture object an e2e test starts an
//   emulator with is checked too, by lib/emulator.js);
// - a fixture broken deep inside is refused by both: the emulator stops
//   before listening with one line naming the offending field's path, and the
//   schema reports an error at that path (or inside it).

const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { REPO_ROOT, runBinary, withEmulator, writeFixture } = require("./lib/emulator");
const { rawRequest } = require("./lib/clients");
const { objectSchemas, stringEnums, validate } = require("./lib/jsonschema");

const SCHEMA = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "fixtures", "schema.json"), "utf8"));
const LOADER = fs.readFileSync(path.join(REPO_ROOT, "server", "fixtures.c"), "utf8");

function readJson(...parts) {
  return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, ...parts), "utf8"));
}

// The string arrays `static const char *const NAME[] = {"a", "b", NULL};` of the loader.
function loaderArrays(pattern) {
  const out = [];
  const re = /static const char \*const (\w+)\[\]\s*=\s*\{([^}]*)\}/g;
  for (const m of LOADER.matchAll(re)) {
    if (!pattern.test(m[1])) continue;
    assert.match(m[2], /NULL\s*$/, `${m[1]} ends with NULL`);
    out.push([...m[2].matchAll(/"([^"]*)"/g)].map((s) => s[1]));
  }
  return out;
}

const setKey = (list) => [...list].sort().join(",");

function docsExample() {
  const docs = fs.readFileSync(path.join(REPO_ROOT, "docs", "fixtures.md"), "utf8");
  const m = docs.match(/```json\n([\s\S]*?)```/);
  assert.ok(m, "docs/fixtures.md has a ```json example");
  return JSON.parse(m[1]);
}

function sampleFixtures() {
  const dir = path.join(REPO_ROOT, "tests", "e2e", "fixtures");
  const samples = [
    ["fixtures/default.json", readJson("fixtures", "default.json")],
    ["docs/fixtures.md example", docsExample()],
  ];
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith(".json")).sort()) {
    samples.push([`tests/e2e/fixtures/${name}`, readJson("tests", "e2e", "fixtures", name)]);
  }
  return samples;
}

test("the schema is draft 2020-12 and uses only keywords the validator implements", () => {
  assert.equal(SCHEMA.$schema, "https://json-schema.org/draft/2020-12/schema");
  assert.deepEqual(validate(SCHEMA, { accounts: [] }), []);
});

test("every key list of the loader is one object of the schema, and the other way round", () => {
  const loader = loaderArrays(/keys$/).map(setKey).sort();
  const schema = objectSchemas(SCHEMA).map((o) => setKey(o.keys)).sort();
  assert.ok(loader.length >= 11, `the loader's key lists were found (${loader.length})`);
  assert.deepEqual(schema, loader);
});

test("every status list of the loader is an enum of the schema", () => {
  const enums = new Set(stringEnums(SCHEMA).map(setKey));
  const lists = loaderArrays(/^(states|names)$/);
  assert.ok(lists.length >= 3, "the loader's status lists were found");
  for (const list of lists) assert.ok(enums.has(setKey(list)), `schema enum for [${list}]`);
});

test("default, documented and test fixtures match the schema and load", async () => {
  for (const [name, fixture] of sampleFixtures()) {
    assert.deepEqual(validate(SCHEMA, fixture), [], `${name} matches the schema`);
    await withEmulator({ fixtures: fixture }, async (emu) => {
      const res = await rawRequest(emu, { path: "/_emulator/fixtures" });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(validate(SCHEMA, res.json), [], `the export of ${name} matches the schema`);
      assert.equal(res.json.accounts.length, fixture.accounts.length);
    });
  }
});

test("the fixture with every key survives export → load → export", async () => {
  const fixture = readJson("tests", "e2e", "fixtures", "every-key.json");
  await withEmulator({ fixtures: fixture }, async (emu) => {
    const first = (await rawRequest(emu, { path: "/_emulator/fixtures" })).json;
    const a = first.accounts[0];
    assert.deepEqual(a.identities.map((i) => i.status), ["verified", "pending", "failed", "verified"]);
    assert.equal(a.identities[3].dkim_option, 1);
    assert.deepEqual(a.identities[3].tags, [{ key: "team", value: "mail" }, { key: "empty", value: "" }]);
    assert.deepEqual(a.templates.map((t) => [t.id, t.status]), [[1, "approved"], [10, "pending"], [11, "rejected"]]);
    assert.equal(a.templates[2].review_reason, "Looks like spam");
    assert.deepEqual(a.receivers.map((g) => [g.id, g.name, g.members.length]), [[5, "customers", 2], [6, "plain", 2], [7, "empty", 0]]);
    assert.deepEqual(a.bounces[0], { email: "gone@example.net", bounce_time: "2024-06-01 09:00:00", reason: "550 5.1.1 no such user" });
    await withEmulator({ fixtures: first }, async (other) => {
      assert.deepEqual((await rawRequest(other, { path: "/_emulator/fixtures" })).json, first);
    });
  });
});

// A valid fixture to break: the default one with a second account and a group.
function base() {
  const fixture = readJson("fixtures", "default.json");
  const a = fixture.accounts[0];
  a.credentials.push({ secret_id: "AKIDSECOND0000000000", secret_key: "second" });
  a.receivers = [{ name: "group", members: [{ email: "a@example.net", data: { n: "1" } }, { email: "b@example.net", data: { n: "2" } }] }];
  a.bounces = [{ email: "gone@example.net" }];
  a.blacklist = [{ email: "blocked@example.net" }];
  a.unsubscribe_configs = [{ address: "noreply@example.com", unsubscribe_config: "1" }];
  fixture.accounts.push({ app_id: 1300000002, uin: "2", credentials: [{ secret_id: "AKIDOTHER00000000000", secret_key: "x" }] });
  return fixture;
}

const BROKEN = [
  ["$.accounts[0].credentials[1].secret_id", (f) => (f.accounts[0].credentials[1].secret_id = "")],
  ["$.accounts[0].credentials[0]", (f) => (f.accounts[0].credentials[0].allow = [])],
  ["$.accounts[0].templates[1].status", (f) => (f.accounts[0].templates[1].status = "approve")],
  ["$.accounts[0].templates[0]", (f) => (f.accounts[0].templates[0] = { name: "no body" })],
  ["$.accounts[0].templates[0].id", (f) => (f.accounts[0].templates[0].id = 0)],
  ["$.accounts[0].senders[0].status", (f) => (f.accounts[0].senders[0].status = "ok")],
  ["$.accounts[0].identities[0].status", (f) => (f.accounts[0].identities[0].status = "verified")],
  ["$.accounts[0].identities[0].dkim_option", (f) => (f.accounts[0].identities[0].dkim_option = 3)],
  ["$.accounts[0].identities[0].tags[1].key", (f) => (f.accounts[0].identities[0].tags = [{ key: "a" }, { value: "b" }])],
  ["$.accounts[0].receivers[0].members[1]", (f) => (f.accounts[0].receivers[0].members[1].data.n = "<b>2</b>")],
  ["$.accounts[0].receivers[0].members[0]", (f) => (f.accounts[0].receivers[0].members[0].Email = "x@example.net")],
  ["$.accounts[0].receivers[0].id", (f) => (f.accounts[0].receivers[0].id = -1)],
  ["$.accounts[0].bounces[0]", (f) => (f.accounts[0].bounces[0].bounce_time = "yesterday")],
  ["$.accounts[0].blacklist[0]", (f) => (f.accounts[0].blacklist[0].expire_date = "31/12/2099")],
  ["$.accounts[0].unsubscribe_configs[0]", (f) => (f.accounts[0].unsubscribe_configs[0].status = 2)],
  ["$.accounts[0].daily_quota", (f) => (f.accounts[0].daily_quota = -1)],
  ["$.accounts[1].app_id", (f) => (f.accounts[1].app_id = 1.5)],
  ["$.accounts[1].uin", (f) => delete f.accounts[1].uin],
  ["$.accounts[1]", (f) => (f.accounts[1].apps = [])],
];

test("a fixture broken deep inside: refused at start with the field's path, and by the schema", async () => {
  for (const [where, breakIt] of BROKEN) {
    const fixture = base();
    breakIt(fixture);
    const errors = validate(SCHEMA, fixture);
    const res = await runBinary(["--listen", "127.0.0.1:0", "--fixtures", writeFixture(fixture)]);
    assert.notEqual(res.code, 0, `${where}: the emulator must refuse to start`);
    const lines = res.stderr.trim().split("\n");
    assert.equal(lines.length, 1, `${where}: one line on stderr: ${res.stderr}`);
    assert.doesNotMatch(res.stderr, /listening/);
    const m = lines[0].match(/^ses-emulator: fixture [^:]+: (\$[^:]*): /);
    assert.ok(m, `${where}: the line names a path: ${lines[0]}`);
    assert.equal(m[1], where, `${where}: the loader's path: ${lines[0]}`);
    assert.ok(
      errors.some((e) => e.path.startsWith(where) || where.startsWith(e.path + ".")),
      `${where}: the schema refuses it there too: ${JSON.stringify(errors)}`,
    );
  }
});
