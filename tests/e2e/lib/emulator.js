"use strict";
// Starts the real ses-emulator binary for end-to-end tests.
//
// Every emulator is started on port 0 (the binary picks a free port) with a
// private temp directory, and is found ready by the line
//   ses-emulator: listening on http://HOST:PORT
// on its stderr. Every child is killed when the test process exits, whatever
// happened, and every temp directory is removed.

const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
const DEFAULT_BIN = path.join(REPO_ROOT, "build", "ses-emulator");
// SES_EMULATOR_TIMEOUT_SCALE multiplies both (tests/valgrind.sh sets it: a
// binary under valgrind starts and stops many times slower).
const TIMEOUT_SCALE = Number(process.env.SES_EMULATOR_TIMEOUT_SCALE) || 1;
const READY_TIMEOUT_MS = 10_000 * TIMEOUT_SCALE;
const STOP_TIMEOUT_MS = 5_000 * TIMEOUT_SCALE;
const LISTEN_RE = /^ses-emulator: listening on http:\/\/(\[[^\]]+\]|[^:\s]+):(\d+)\s*$/;

// The documented default fixture account (fixtures/default.json).
const DEFAULT_ACCOUNT = Object.freeze({
  appId: 1300000001,
  uin: "100000000001",
  secretId: "AKIDLOCALSESEMULATOR",
  secretKey: "local-ses-emulator-secret-key",
  domain: "example.com",
  sender: "noreply@example.com",
  senderName: "Example",
});

function binaryPath() {
  return process.env.SES_EMULATOR_BIN ? path.resolve(process.env.SES_EMULATOR_BIN) : DEFAULT_BIN;
}

function assertBinary() {
  const bin = binaryPath();
  try {
    fs.accessSync(bin, fs.constants.X_OK);
  } catch {
    throw new Error(
      `ses-emulator binary not found or not executable at ${bin}; ` +
        "build it (cd <repo> && meson setup build; ninja -C build) or set SES_EMULATOR_BIN",
    );
  }
  return bin;
}

// ---- cleanup of everything this process started ----------------------------

const liveChildren = new Set();
const tempDirs = new Set();

function cleanup() {
  for (const child of liveChildren) {
    try {
      child.kill("SIGKILL");
    } catch {
      /* already gone */
    }
  }
  for (const dir of tempDirs) {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
  }
}

process.on("exit", cleanup);
// The test runner or a user may stop this process with a signal; the default
// action would skip "exit" handlers and leave emulators running.
for (const [sig, code] of [["SIGTERM", 143], ["SIGINT", 130], ["SIGHUP", 129]]) {
  process.once(sig, () => {
    cleanup();
    process.exit(code);
  });
}

function makeTempDir(prefix = "ses-e2e-") {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

// Writes `fixture` (an object, or a raw string) into a temp file; returns its path.
function writeFixture(fixture, dir = makeTempDir()) {
  const file = path.join(dir, `fixture-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, typeof fixture === "string" ? fixture : JSON.stringify(fixture, null, 2));
  return file;
}

// Every fixture object a test starts an emulator with must match the
// documented schema (fixtures/schema.json): a fixture the loader takes but
// the schema refuses is a disagreement between them. Raw strings (meant to
// be broken) are passed through.
function checkFixture(fixture) {
  if (typeof fixture !== "object") return fixture;
  const { validate } = require("./jsonschema");
  const schema = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "fixtures", "schema.json"), "utf8"));
  const errors = validate(schema, fixture);
  if (errors.length) {
    throw new Error(`the test fixture does not match fixtures/schema.json: ${errors.map((e) => `${e.path}: ${e.message}`).join("; ")}`);
  }
  return fixture;
}

// One fixture account in the documented shape. Overrides replace fields.
function fixtureAccount(over = {}) {
  return {
    app_id: 1300000999,
    uin: "100000000999",
    credentials: [{ secret_id: "AKIDTESTACCOUNT0000000", secret_key: "test-account-secret-key" }],
    identities: [],
    senders: [],
    templates: [],
    ...over,
  };
}

// ---- running the binary ------------------------------------------------------

// Runs the binary to completion (for --help, bad flags and the like).
function runBinary(args, { env = {}, timeoutMs = READY_TIMEOUT_MS } = {}) {
  const bin = assertBinary();
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...env },
    });
    liveChildren.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(`ses-emulator ${args.join(" ")} did not exit within ${timeoutMs} ms; stderr: ${stderr}`),
      );
    }, timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      liveChildren.delete(child);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      liveChildren.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function waitForExit(child, timeoutMs) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode, timedOut: false });
      return;
    }
    const timer = setTimeout(() => resolve({ code: null, signal: null, timedOut: true }), timeoutMs);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut: false });
    });
  });
}

function spawnAndWait(args, env) {
  const bin = assertBinary();
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...env },
    });
    liveChildren.add(child);
    const log = { stdout: "", stderr: "" };
    let pending = "";
    let ready = false;
    const keep = (s) => (s.length > 200_000 ? s.slice(-100_000) : s);
    child.stdout.setEncoding("utf8").on("data", (d) => (log.stdout = keep(log.stdout + d)));
    child.stderr.setEncoding("utf8").on("data", (d) => {
      log.stderr = keep(log.stderr + d);
      if (ready) return;
      pending += d;
      let nl;
      while ((nl = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, nl).replace(/\r$/, "");
        pending = pending.slice(nl + 1);
        const m = LISTEN_RE.exec(line);
        if (m) {
          ready = true;
          clearTimeout(timer);
          const host = m[1].replace(/^\[|\]$/g, "");
          resolve({ child, log, host, port: Number(m[2]), line });
          return;
        }
      }
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(
          `ses-emulator ${args.join(" ")} printed no listening line within ${READY_TIMEOUT_MS} ms; ` +
            `stderr: ${log.stderr}`,
        ),
      );
    }, READY_TIMEOUT_MS);
    child.on("error", (e) => {
      clearTimeout(timer);
      liveChildren.delete(child);
      if (!ready) reject(e);
    });
    child.on("exit", (code, signal) => {
      liveChildren.delete(child);
      if (!ready) {
        clearTimeout(timer);
        reject(
          new Error(
            `ses-emulator ${args.join(" ")} exited (code ${code}, signal ${signal}) before listening; ` +
              `stderr: ${log.stderr}`,
          ),
        );
      }
    });
  });
}

/*
 * Starts the emulator. Options:
 *   listen   "HOST:PORT" (default "127.0.0.1:0"); null passes no --listen flag
 *   db       true: a file in the temp dir; a string: that path; false: in memory;
 *            absent: in memory (a file in the temp dir when SES_E2E_DB=file)
 *   fixtures an object or raw string (written to a temp file), a path string
 *            via fixturesPath, or "none"; absent: the built-in default
 *   auth     "strict" | "off";  review "auto" | "manual"
 *   args     extra flags;  env extra environment variables
 * Returns { url, host, port, endpoint, dir, dbPath, args, log, stop(), restart() }.
 */
async function startEmulator(opts = {}) {
  const dir = makeTempDir();
  const args = [];
  if (opts.listen !== null) args.push("--listen", opts.listen || "127.0.0.1:0");
  let dbPath = null;
  // SES_E2E_DB=file: a store file for every emulator that asks for none, so
  // that the suite also covers the file store's paths (run_all.py does this
  // for the sanitizer pass; opts.db === false keeps a test in memory).
  const fileByDefault = opts.db === undefined && process.env.SES_E2E_DB === "file";
  if (opts.db === true || fileByDefault) dbPath = path.join(dir, "ses.db");
  else if (typeof opts.db === "string") dbPath = opts.db;
  if (dbPath) args.push("--db", dbPath);
  if (opts.fixtures === "none") args.push("--fixtures", "none");
  else if (opts.fixtures !== undefined) args.push("--fixtures", writeFixture(checkFixture(opts.fixtures), dir));
  else if (opts.fixturesPath) args.push("--fixtures", opts.fixturesPath);
  if (opts.auth) args.push("--auth", opts.auth);
  if (opts.review) args.push("--review", opts.review);
  if (opts.args) args.push(...opts.args);
  const env = opts.env || {};

  const emu = { dir, dbPath, args, child: null, log: null };

  function adopt(started) {
    emu.child = started.child;
    emu.log = started.log;
    emu.host = started.host;
    emu.port = started.port;
    emu.listenLine = started.line;
    const urlHost = emu.host.includes(":") ? `[${emu.host}]` : emu.host;
    emu.endpoint = `${urlHost}:${emu.port}`;
    emu.url = `http://${emu.endpoint}`;
  }

  // SIGTERM, wait, SIGKILL if needed. Resolves with { code, signal, timedOut }.
  emu.stop = async function stop() {
    const child = emu.child;
    if (!child) return { code: null, signal: null, timedOut: false };
    emu.child = null;
    if (child.exitCode !== null || child.signalCode !== null) {
      return { code: child.exitCode, signal: child.signalCode, timedOut: false };
    }
    child.kill("SIGTERM");
    const res = await waitForExit(child, STOP_TIMEOUT_MS);
    if (res.timedOut) {
      child.kill("SIGKILL");
      await waitForExit(child, STOP_TIMEOUT_MS);
    }
    liveChildren.delete(child);
    return res;
  };

  // Stops and starts again with the same flags (same --db); host/port/url are updated.
  emu.restart = async function restart() {
    await emu.stop();
    adopt(await spawnAndWait(args, env));
    return emu;
  };

  adopt(await spawnAndWait(args, env));
  return emu;
}

// Runs fn(emu) with a fresh emulator and always stops it afterwards.
async function withEmulator(opts, fn) {
  const emu = await startEmulator(opts);
  try {
    return await fn(emu);
  } finally {
    await emu.stop();
  }
}

// Registers before/after hooks of node:test that share one emulator in a file.
// Returns a holder whose .emu is set once `before` ran.
function sharedEmulator(opts = {}) {
  const { before, after } = require("node:test");
  const holder = { emu: null };
  before(async () => {
    holder.emu = await startEmulator(opts);
  });
  after(async () => {
    if (holder.emu) await holder.emu.stop();
  });
  return holder;
}

module.exports = {
  DEFAULT_ACCOUNT,
  LISTEN_RE,
  REPO_ROOT,
  binaryPath,
  fixtureAccount,
  makeTempDir,
  runBinary,
  sharedEmulator,
  startEmulator,
  withEmulator,
  writeFixture,
};
