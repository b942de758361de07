"use strict";
// Focus: the web page at /_emulator/ui, driven in headless Debian Chromium with
// playwright-core (issue 5 item 7). A message sent through the official Node SDK
// appears in the open inbox without a reload; opened, its HTML renders inside a
// sandboxed frame (its scripts never run), its text sits beside it, and its
// attachment downloads. User data is shown as text: a subject that is an HTML tag
// creates no element. Search narrows the list. A scheduled BatchSendEmail task (TaskType 2, BeginTime one
// hour ahead, a fixture group) completes in the tasks tab after the "+1 h" button.
// Screenshots are kept in tests/e2e/artifacts/ (gitignored): ui.png (the inbox with
// the message open) and ui-tasks.png.
//
// Needs /usr/bin/chromium (Debian package chromium; dev.sh installs it): without it
// the whole file is skipped with a message. Never downloads a browser.

const { describe, test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const { DEFAULT_ACCOUNT, REPO_ROOT, makeTempDir, startEmulator } = require("./lib/emulator");
const { b64, chinaClient, rawRequest } = require("./lib/clients");

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = path.join(__dirname, "artifacts");
const WAIT_MS = 15_000;
const GROUP = "customers";
const MEMBERS = [
  { email: "ann@example.net", data: { name: "Ann" } },
  { email: "bob@example.net", data: { name: "Bob" } },
  { email: "cid@example.net", data: { name: "Cid" } },
];
const XSS_SUBJECT = "<img src=x onerror=alert(1)>";

const skip = fs.existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium, or ./dev.sh test) to run the web page tests`;

// The default fixture with one recipient group added.
function fixture() {
  const f = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "fixtures", "default.json"), "utf8"));
  f.accounts[0].receivers = [{ name: GROUP, description: "UI test group", members: MEMBERS }];
  return f;
}

// Seconds since the epoch → "YYYY-MM-DD HH:MM:SS" in China Standard Time.
function cst(seconds) {
  return new Date((seconds + 8 * 3600) * 1000).toISOString().replace("T", " ").slice(0, 19);
}

describe("web page in headless Chromium", { skip }, () => {
  let emu;
  let context;
  let page;
  const dialogs = [];
  const pageErrors = [];

  before(async () => {
    emu = await startEmulator({ fixtures: fixture() });
    const { chromium } = require("playwright-core");
    context = await chromium.launchPersistentContext(makeTempDir("ses-ui-chromium-"), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 900 },
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    page = context.pages()[0] || (await context.newPage());
    page.setDefaultTimeout(WAIT_MS);
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      d.dismiss().catch(() => {});
    });
    page.on("pageerror", (e) => pageErrors.push(e.message));
    // A browser's plain GET / lands on the page.
    await page.goto(`${emu.url}/`);
    assert.equal(new URL(page.url()).pathname, "/_emulator/ui");
    await page.waitForSelector("#messages li.empty");
  });

  after(async () => {
    if (context) await context.close();
    if (emu) await emu.stop();
  });

  test("a message sent through the SDK appears live; opened, its HTML renders in a sandboxed frame beside its text", async () => {
    const r = await chinaClient(emu).SendEmail({
      FromEmailAddress: `${DEFAULT_ACCOUNT.senderName} <${DEFAULT_ACCOUNT.sender}>`,
      Destination: ["reader@example.net"],
      Subject: "Quarterly report",
      Simple: {
        Html: b64(
          '<h1 id="greeting" style="color:#0b6bcb">Hello Reader</h1><p>Your <b>report</b> is attached.</p>' +
            '<script>document.body.dataset.ran = "yes"; parent.document.title = "pwned";</script>',
        ),
        Text: b64("Hello Reader\nYour report is attached."),
      },
      Attachments: [{ FileName: "report.csv", Content: b64("region,total\nnorth,42\n") }],
    });
    const id = r.MessageId;
    // No reload: the page polls.
    const item = page.locator(`#messages li[data-id="${id}"] button`);
    await item.waitFor();
    assert.equal(await item.locator(".subject").textContent(), "Quarterly report");
    await item.click();
    await page.waitForSelector("#message-subject");
    assert.equal(await page.textContent("#message-subject"), "Quarterly report");

    const frameEl = page.locator("#message-html");
    assert.equal(await frameEl.getAttribute("sandbox"), "", "the frame allows nothing: no scripts, no same origin");
    const frame = page.frameLocator("#message-html");
    assert.equal(await frame.locator("#greeting").textContent(), "Hello Reader");
    assert.equal(await frame.locator("b").textContent(), "report");
    assert.equal(await frame.locator("body").getAttribute("data-ran"), null, "the message's script did not run");
    assert.equal(await page.title(), "ses-emulator");
    assert.equal(await page.textContent("#message-text"), "Hello Reader\nYour report is attached.");

    // The attachment link downloads the decoded bytes.
    const link = page.locator(".attachments a").first();
    assert.equal(await link.getAttribute("href"), `/_emulator/messages/${id}/attachments/0`);
    const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
    assert.equal(download.suggestedFilename(), "report.csv");
    const saved = await download.path();
    assert.equal(fs.readFileSync(saved, "utf8"), "region,total\nnorth,42\n");

    // Recipients with their status; headers; raw source on demand.
    assert.match(await page.textContent("table.recipients"), /reader@example\.net\s*delivered/);
    assert.match(await page.textContent("table.headers"), /Message-ID/);
    await page.click("text=Raw source");
    await page.waitForFunction(() => document.querySelector("#message-raw").dataset.loaded === "1");
    assert.match(await page.textContent("#message-raw"), /^Date: .*\r?\nFrom: /);

    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.click("text=Raw source"); // closed again for the screenshot
    await page.screenshot({ path: path.join(ARTIFACTS, "ui.png") });
  });

  test("user data is shown as text: an HTML subject creates no element and runs nothing", async () => {
    const r = await chinaClient(emu).SendEmail({
      FromEmailAddress: DEFAULT_ACCOUNT.sender,
      Destination: ["victim@example.net"],
      Subject: XSS_SUBJECT,
      Simple: { Text: b64(`text with ${XSS_SUBJECT}`) },
    });
    const item = page.locator(`#messages li[data-id="${r.MessageId}"] button`);
    await item.waitFor();
    assert.equal(await item.locator(".subject").textContent(), XSS_SUBJECT);
    await item.click();
    await page.waitForFunction((id) => document.querySelector("#message").dataset.id === id, r.MessageId);
    assert.equal(await page.textContent("#message-subject"), XSS_SUBJECT);
    assert.equal(await page.textContent("#message-text"), `text with ${XSS_SUBJECT}`);
    // Outside the frames, the page never holds an <img>: the subject stayed text.
    assert.equal(await page.locator("#messages img, #message img").count(), 0);
    assert.equal(await page.evaluate(() => document.querySelectorAll("img").length), 0);
    assert.deepEqual(dialogs, [], "no alert() ran");
    assert.deepEqual(pageErrors, []);
  });

  test("search narrows the inbox by recipient, sender and subject", async () => {
    const subjects = () => page.$$eval("#messages li[data-id] .subject", (els) => els.map((e) => e.textContent));
    // Waits until the list shows exactly `want` (the search is debounced, then polled).
    const showing = (want) =>
      page.waitForFunction(
        (w) => JSON.stringify([...document.querySelectorAll("#messages li[data-id] .subject")].map((e) => e.textContent)) === w,
        JSON.stringify(want),
      );
    const all = await subjects();
    assert.deepEqual(all, [XSS_SUBJECT, "Quarterly report"], "newest first");
    try {
      await page.fill("#search-subject", "Quarterly");
      await showing(["Quarterly report"]);
      await page.fill("#search-subject", "");
      await page.fill("#search-to", "VICTIM@example.net"); // addresses match with letter case ignored
      await showing([XSS_SUBJECT]);
      await page.fill("#search-from", "nobody@example.com");
      await page.locator("#messages li.empty").waitFor();
      await page.fill("#search-to", "");
      await page.fill("#search-from", DEFAULT_ACCOUNT.sender);
      await showing(all);
    } finally {
      for (const f of ["to", "from", "subject"]) await page.fill(`#search-${f}`, "");
    }
  });

  test("advancing the clock with the button completes a scheduled BatchSendEmail task in the tasks tab", async () => {
    const clock = (await rawRequest(emu, { path: "/_emulator/clock" })).json;
    const state = (await rawRequest(emu, { path: "/_emulator/state" })).json;
    const group = state.receivers.find((g) => g.name === GROUP);
    const welcome = state.templates.find((t) => t.name === "welcome");
    const { TaskId } = await chinaClient(emu).BatchSendEmail({
      FromEmailAddress: DEFAULT_ACCOUNT.sender,
      ReceiverId: group.id,
      Subject: "Hello {{name}}",
      TaskType: 2,
      TimedParam: { BeginTime: cst(clock.timestamp + 3600) },
      Template: { TemplateID: welcome.id, TemplateData: "{}" },
    });

    await page.click('.tabs button[data-tab="tasks"]');
    const row = page.locator(`#tasks tr[data-task-id="${TaskId}"]`);
    await row.waitFor();
    assert.equal(await row.getAttribute("data-status"), "to_start");
    assert.equal(await row.locator(".progress .mono").textContent(), "0 / 0");

    await page.click("#clock-hour");
    await page.waitForSelector(`#tasks tr[data-task-id="${TaskId}"][data-status="done"]`);
    assert.equal(await row.locator(".task-status").textContent(), "done");
    assert.equal(await row.locator(".progress .mono").textContent(), "3 / 3");
    // the header shows the moved clock (to the second, give or take the time this takes)
    const shown = Date.parse(`${(await page.textContent("#clock-now")).replace(" ", "T")}+08:00`) / 1000;
    const now = (await rawRequest(emu, { path: "/_emulator/clock" })).json.timestamp;
    assert.ok(shown >= clock.timestamp + 3600 && Math.abs(shown - now) <= 3, `shown ${shown}, clock ${now}`);
    await page.screenshot({ path: path.join(ARTIFACTS, "ui-tasks.png") });

    // The task's mail is in the inbox.
    await page.click('.tabs button[data-tab="inbox"]');
    for (const { data } of MEMBERS) await page.locator(".messages .subject", { hasText: `Hello ${data.name}` }).waitFor();
  });

  test("the other tabs show templates (sandboxed preview), domains with DNS records, groups, suppression lists, the clock", async () => {
    await page.click('.tabs button[data-tab="templates"]');
    const card = page.locator(".template", { hasText: "welcome" });
    await card.waitFor();
    const preview = card.locator("iframe");
    assert.equal(await preview.getAttribute("sandbox"), "");
    assert.equal(await card.frameLocator("iframe").locator("p").textContent(), "Hi {{name}}");

    await page.click('.tabs button[data-tab="domains"]');
    await page.locator("#tab-domains", { hasText: "qcloud._domainkey.example.com" }).waitFor();
    assert.match(await page.textContent("#tab-domains"), /v=spf1 include:qcloudmail\.com ~all/);

    await page.click('.tabs button[data-tab="groups"]');
    await page.locator("#tab-groups", { hasText: GROUP }).waitFor();
    assert.match(await page.textContent("#tab-groups"), /3 members, 0 invalid/);

    await page.click('.tabs button[data-tab="suppression"]');
    await page.locator("#tab-suppression", { hasText: "Bounce list" }).waitFor();

    await page.click('.tabs button[data-tab="clock"]');
    await page.fill("#clock-input", "2031-05-06 07:08:09");
    await page.click('#clock-form button[type="submit"]');
    await page.locator("#clock-big", { hasText: "2031-05-06 07:08" }).waitFor();
    assert.equal((await rawRequest(emu, { path: "/_emulator/clock" })).json.now.slice(0, 16), "2031-05-06 07:08");
    await page.click("#clock-reset");
    await page.locator("#clock-offset", { hasText: "real time" }).waitFor();
    assert.deepEqual(pageErrors, []);
  });
});
