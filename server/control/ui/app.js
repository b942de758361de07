"use strict";
// ses-emulator's web page. Reads the JSON routes under /_emulator/ and builds the page
// with DOM calls: every value from user data goes in through textContent (the `el`
// helper appends strings as text nodes), never as HTML. Mail and template HTML is shown
// only in frames with sandbox="" (no scripts, an opaque origin); a message's HTML comes
// from /_emulator/messages/{id}/html, which carries its own sandboxing CSP.
// Live updates: everything shown is polled every POLL_MS.

const POLL_MS = 2000;
const API = "/_emulator";

const state = {
  tab: "inbox",
  appId: null, // the account shown; null until the first /state answer
  selected: null, // the id of the open message
  listKey: "", // what the message list was last built from, to skip identical rebuilds
  sectionKeys: {}, // the same for each tab built from /state
  busy: false,
  again: false,
};

// ---- DOM helpers ------------------------------------------------------------------------------

// el("td", {class: "x"}, "text", node, ...): strings become text nodes, never markup.
function el(tag, props, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "dataset") Object.assign(e.dataset, v);
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

function $(id) {
  return document.getElementById(id);
}

function badge(text, kind) {
  return el("span", { class: `badge ${kind || ""}` }, text);
}

// A sandboxed frame: no scripts, no same-origin access, no forms, no popups.
function sandboxFrame(props) {
  const f = el("iframe", { class: "frame", sandbox: "", referrerpolicy: "no-referrer", ...props });
  return f;
}

function table(headers, rows, props) {
  return el(
    "table",
    props,
    el("thead", null, el("tr", null, headers.map((h) => el("th", null, h)))),
    el("tbody", null, rows),
  );
}

function setStatus(text, bad) {
  const s = $("status");
  s.textContent = text;
  s.classList.toggle("bad", !!bad);
}

async function getJSON(path) {
  const r = await fetch(API + path, { cache: "no-store" });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.error || `HTTP ${r.status}`);
  return body;
}

async function postJSON(path, data) {
  const r = await fetch(API + path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(data),
  });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.error || `HTTP ${r.status}`);
  return body;
}

const OUTCOME_KIND = {
  delivered: "ok",
  queued: "info",
  delayed: "warn",
  dropped: "bad",
  rejected: "bad",
  bounced: "bad",
};
const STATUS_KIND = {
  approved: "ok",
  verified: "ok",
  valid: "ok",
  uploaded: "ok",
  done: "ok",
  pending: "warn",
  uploading: "info",
  to_start: "info",
  sending: "info",
  paused_today: "warn",
  rejected: "bad",
  failed: "bad",
  invalid: "bad",
  error: "bad",
};

function statusBadge(name) {
  return badge(name.replace(/_/g, " "), STATUS_KIND[name]);
}

function formatSize(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

// ---- tabs ---------------------------------------------------------------------------------------

function showTab(name) {
  if (!document.getElementById(`tab-${name}`)) name = "inbox";
  state.tab = name;
  for (const b of document.querySelectorAll(".tabs button")) {
    b.setAttribute("aria-selected", String(b.dataset.tab === name));
  }
  for (const s of document.querySelectorAll("main > .tab")) s.hidden = s.id !== `tab-${name}`;
  if (location.hash !== `#${name}`) history.replaceState(null, "", `#${name}`);
  refresh();
}

// ---- inbox --------------------------------------------------------------------------------------

function listQuery() {
  const q = new URLSearchParams({ limit: "200" });
  if (state.appId) q.set("app_id", String(state.appId));
  for (const name of ["to", "from", "subject"]) {
    const v = $(`search-${name}`).value.trim();
    if (v) q.set(name, v);
  }
  return q.toString();
}

async function refreshInbox() {
  const body = await getJSON(`/messages?${listQuery()}`);
  const key = JSON.stringify(body.messages.map((m) => [m.id, m.status]));
  $("inbox-count").textContent = String(body.messages.length);
  if (key === state.listKey) return;
  state.listKey = key;
  const list = $("messages");
  list.replaceChildren(
    ...body.messages.map((m) =>
      el(
        "li",
        { dataset: { id: m.id } },
        el(
          "button",
          {
            type: "button",
            "aria-current": String(m.id === state.selected),
            onclick: () => openMessage(m.id),
          },
          el(
            "div",
            { class: "row1" },
            el("span", { class: "subject" }, m.subject || "(no subject)"),
            badge(m.status, OUTCOME_KIND[m.status]),
          ),
          el(
            "div",
            { class: "row2" },
            el("span", { class: "when" }, m.created_at),
            " · ",
            el("span", { class: "from" }, m.from),
            " → ",
            el("span", { class: "to" }, [...m.to, ...m.cc, ...m.bcc].join(", ")),
          ),
        ),
      ),
    ),
  );
  if (!body.messages.length) list.append(el("li", { class: "empty" }, "No messages yet."));
}

// The relay's outcome (--smtp-relay), when the message was handed to one.
function relayText(r) {
  if (!r || r.status === "off") return "";
  const when = r.relayed_at ? ` at ${r.relayed_at}` : "";
  const error = r.last_error ? ` (${r.last_error})` : "";
  return `${r.status}${when}, ${r.attempts} attempt${r.attempts === 1 ? "" : "s"}${error}`;
}

function metaList(m) {
  const rows = [
    ["From", m.from],
    ["To", m.to.join(", ")],
    ["Cc", m.cc.join(", ")],
    ["Bcc", m.bcc.join(", ")],
    ["Reply-To", m.reply_to],
    ["Date", `${m.created_at} (CST)`],
    ["MessageId", m.id],
    ["Account", String(m.app_id)],
    ["Template", m.template_id === null ? "" : String(m.template_id)],
    ["Task", m.task_id === null ? "" : String(m.task_id)],
    ["SMTP relay", relayText(m.relay)],
  ].filter(([, v]) => v);
  return el("dl", { class: "meta" }, rows.map(([k, v]) => [el("dt", null, k), el("dd", null, v)]));
}

function recipientsTable(m) {
  return table(
    ["Recipient", "Outcome", "SendStatus", "DeliverStatus", "Message"],
    m.recipients.map((r) =>
      el(
        "tr",
        null,
        el("td", { class: "wrap" }, r.address),
        el("td", null, badge(r.outcome, OUTCOME_KIND[r.outcome])),
        el("td", null, String(r.send_status)),
        el("td", null, String(r.deliver_status)),
        el("td", null, r.deliver_message),
      ),
    ),
    { class: "recipients" },
  );
}

function attachmentList(m) {
  const base = `${API}/messages/${encodeURIComponent(m.id)}/attachments/`;
  return el(
    "ul",
    { class: "attachments" },
    m.attachments.map((a, i) =>
      el(
        "li",
        null,
        el(
          "a",
          { href: base + i, download: a.file_name || `attachment-${i}` },
          a.file_name || `attachment-${i}`,
          el("span", { class: "muted" }, ` · ${a.content_type || "?"} · ${formatSize(a.size || 0)}`),
        ),
      ),
    ),
  );
}

function bodies(m) {
  const html = m.html === null
    ? el("p", { class: "empty" }, "No HTML part.")
    : sandboxFrame({ id: "message-html", title: "HTML body", src: `${API}/messages/${encodeURIComponent(m.id)}/html` });
  return el(
    "div",
    { class: "bodies" },
    el("div", { class: "body-box" }, el("h3", null, "HTML"), html),
    el(
      "div",
      { class: "body-box" },
      el("h3", null, "Text"),
      m.text === null ? el("p", { class: "empty" }, "No text part.") : el("pre", { class: "text-body", id: "message-text" }, m.text),
    ),
  );
}

function headersTable(m) {
  return table(
    ["Field", "Value"],
    Object.entries(m.headers).map(([k, v]) => el("tr", null, el("td", null, k), el("td", { class: "wrap" }, v))),
    { class: "headers" },
  );
}

function rawSource(m) {
  const pre = el("pre", { class: "raw", id: "message-raw" }, "Loading…");
  const details = el("details", null, el("summary", null, "Raw source"), pre);
  details.addEventListener("toggle", async () => {
    if (!details.open || pre.dataset.loaded) return;
    const r = await fetch(`${API}/messages/${encodeURIComponent(m.id)}/raw`, { cache: "no-store" });
    pre.textContent = r.ok ? await r.text() : `HTTP ${r.status}`;
    pre.dataset.loaded = "1";
  });
  return details;
}

async function openMessage(id) {
  state.selected = id;
  for (const b of document.querySelectorAll("#messages button")) {
    b.setAttribute("aria-current", String(b.parentElement.dataset.id === id));
  }
  const pane = $("message");
  let m;
  try {
    m = await getJSON(`/messages/${encodeURIComponent(id)}`);
  } catch (e) {
    pane.replaceChildren(el("p", { class: "error" }, `Cannot read the message: ${e.message}`));
    return;
  }
  if (state.selected !== id) return;
  const parts = [
    el("div", { class: "card-head" }, el("h2", { id: "message-subject" }, m.subject || "(no subject)"), badge(m.status, OUTCOME_KIND[m.status])),
    metaList(m),
    m.attachments.length ? [el("h3", null, "Attachments"), attachmentList(m)] : null,
    bodies(m),
    el("h3", null, "Recipients"),
    recipientsTable(m),
    el("details", null, el("summary", null, "Headers"), headersTable(m)),
    rawSource(m),
  ];
  pane.replaceChildren(...parts.flat().filter(Boolean));
  pane.dataset.id = id;
}

// ---- tabs built from /_emulator/state -----------------------------------------------------------

function emptyNote(list, text) {
  return list.length ? null : el("p", { class: "empty" }, text);
}

function progressCell(t) {
  const pct = t.request_count ? Math.min(100, Math.round((t.send_count * 100) / t.request_count)) : 0;
  const bar = el("div", { class: "bar" }, el("span", { style: null }));
  bar.firstChild.style.width = `${pct}%`; // a style property, not an attribute: allowed by the page's CSP
  return el(
    "div",
    { class: "progress", title: "SendCount / RequestCount" },
    bar,
    el("span", { class: "mono" }, `${t.send_count} / ${t.request_count}`),
  );
}

function renderTasks(s) {
  const rows = s.tasks.map((t) =>
    el(
      "tr",
      { dataset: { taskId: String(t.id), status: t.status_name } },
      el("td", null, String(t.id)),
      el("td", null, t.task_type_name),
      el("td", { class: "task-status" }, statusBadge(t.status_name)),
      el("td", null, t.subject),
      el("td", { class: "wrap" }, t.from),
      el("td", null, t.receiver_name, el("span", { class: "muted" }, ` #${t.receiver_id}`)),
      el("td", { class: "mono" }, t.begin_time || ""),
      el("td", { class: "mono" }, t.next_run || "—"),
      el("td", null, progressCell(t)),
      el("td", null, t.err_msg || ""),
    ),
  );
  return [
    el("h2", null, "Batch sending tasks"),
    el("p", { class: "hint" }, "Progress is SendCount / RequestCount. Scheduled and recurring tasks run on the emulator's clock: advance it to run them."),
    s.tasks.length
      ? table(["ID", "Type", "Status", "Subject", "From", "Group", "BeginTime", "Next run", "Progress", "Error"], rows, { id: "tasks" })
      : emptyNote(s.tasks, "No tasks yet. BatchSendEmail creates them."),
  ];
}

function renderTemplates(s) {
  return [
    el("h2", null, "Templates"),
    emptyNote(s.templates, "No templates."),
    s.templates.map((t) =>
      el(
        "div",
        { class: "card template", dataset: { templateId: String(t.id) } },
        el(
          "div",
          { class: "card-head" },
          el("h2", null, t.name),
          el("span", { class: "muted" }, `TemplateID ${t.id}`),
          statusBadge(t.status_name),
          t.review_reason ? el("span", { class: "muted" }, t.review_reason) : null,
          el("span", { class: "muted" }, `updated ${t.updated_at}`),
        ),
        el(
          "div",
          { class: "previews" },
          el(
            "div",
            { class: "body-box" },
            el("h3", null, "HTML preview"),
            t.html === null ? el("p", { class: "empty" }, "No HTML part.") : templateFrame(t),
          ),
          el(
            "div",
            { class: "body-box" },
            el("h3", null, "Text"),
            t.text === null ? el("p", { class: "empty" }, "No text part.") : el("pre", { class: "text-body" }, t.text),
          ),
        ),
      ),
    ),
  ];
}

function templateFrame(t) {
  const f = sandboxFrame({ title: `Preview of ${t.name}` });
  f.srcdoc = t.html; // sandboxed: the template's markup renders, its scripts never run
  return f;
}

function renderDomains(s) {
  return [
    el("h2", null, "Sending domains"),
    emptyNote(s.identities, "No sending domains."),
    s.identities.map((d) =>
      el(
        "div",
        { class: "card" },
        el(
          "div",
          { class: "card-head" },
          el("h2", null, d.domain),
          statusBadge(d.status_name),
          el("span", { class: "muted" }, `DKIMOption ${d.dkim_option} · added ${d.created_at}`),
        ),
        table(
          ["Type", "Host", "Value"],
          d.dns_records.map((r) =>
            el("tr", null, el("td", null, r.type), el("td", { class: "mono wrap" }, r.host), el("td", { class: "mono wrap" }, r.value)),
          ),
        ),
      ),
    ),
    el("h2", null, "Sender addresses"),
    s.senders.length
      ? table(
          ["Address", "Name", "Status", "Added"],
          s.senders.map((a) =>
            el("tr", null, el("td", null, a.address), el("td", null, a.name || ""), el("td", null, statusBadge(a.status_name)), el("td", { class: "mono" }, a.created_at)),
          ),
        )
      : emptyNote(s.senders, "No sender addresses."),
  ];
}

function renderGroups(s) {
  return [
    el("h2", null, "Recipient groups"),
    emptyNote(s.receivers, "No recipient groups."),
    s.receivers.map((g) =>
      el(
        "div",
        { class: "card", dataset: { receiverId: String(g.id) } },
        el(
          "div",
          { class: "card-head" },
          el("h2", null, g.name),
          el("span", { class: "muted" }, `ReceiverId ${g.id}`),
          statusBadge(g.status_name),
          el("span", { class: "muted" }, `${g.member_count} members, ${g.invalid_count} invalid · created ${g.created_at}`),
        ),
        g.description ? el("p", { class: "hint" }, g.description) : null,
        g.members.length
          ? el(
              "details",
              null,
              el("summary", null, g.member_count > g.members.length ? `First ${g.members.length} members` : "Members"),
              table(
                ["Email", "Status", "TemplateData", "Reason"],
                g.members.map((m) =>
                  el("tr", null, el("td", null, m.email), el("td", null, statusBadge(m.status_name)), el("td", { class: "mono wrap" }, m.template_data || ""), el("td", null, m.reason || "")),
                ),
              ),
            )
          : null,
      ),
    ),
  ];
}

function renderSuppression(s) {
  const sections = [
    el("h2", null, "Suppression lists"),
    el("p", { class: "hint" }, "Mail to an address on these lists is not delivered."),
    el("h3", null, "Bounce list (ListBlackEmailAddress)"),
    s.bounces.length
      ? table(
          ["Address", "Bounced", "Reason"],
          s.bounces.map((b) => el("tr", null, el("td", null, b.address), el("td", { class: "mono" }, b.bounce_time), el("td", null, b.reason || ""))),
          { id: "bounces" },
        )
      : emptyNote(s.bounces, "No bounced addresses."),
    el("h3", null, "Custom blacklist"),
    s.blacklist.length
      ? table(
          ["Email", "Expires", "State", "Added"],
          s.blacklist.map((b) =>
            el(
              "tr",
              null,
              el("td", null, b.email),
              el("td", { class: "mono" }, b.expire_date || "never"),
              el("td", null, b.active ? badge("active", "bad") : badge("expired")),
              el("td", { class: "mono" }, b.created_at),
            ),
          ),
          { id: "blacklist" },
        )
      : emptyNote(s.blacklist, "The custom blacklist is empty."),
    el("h3", null, "Unsubscribe settings of sender addresses"),
    s.unsubscribe_configs.length
      ? table(
          ["Sender address", "Link language", "State"],
          s.unsubscribe_configs.map((u) =>
            el("tr", null, el("td", null, u.address), el("td", null, u.config || ""), el("td", null, u.status ? badge("on", "ok") : badge("off"))),
          ),
        )
      : emptyNote(s.unsubscribe_configs, "No unsubscribe settings."),
  ];
  if (Array.isArray(s.unsubscribes)) {
    sections.push(
      el("h3", null, "Recipients who unsubscribed"),
      s.unsubscribes.length
        ? table(
            ["Recipient", "Unsubscribed from", "When"],
            s.unsubscribes.map((u) => el("tr", null, el("td", null, u.recipient), el("td", null, u.sender), el("td", { class: "mono" }, u.created_at || ""))),
          )
        : emptyNote(s.unsubscribes, "Nobody unsubscribed."),
    );
  }
  if (Array.isArray(s.complaints)) {
    sections.push(
      el("h3", null, "Abuse reports (GetAbuseReport)"),
      s.complaints.length
        ? table(
            ["Recipient", "From", "Subject", "Reported"],
            s.complaints.map((c) =>
              el("tr", null, el("td", null, c.recipient), el("td", null, c.from || ""), el("td", null, c.subject || ""), el("td", { class: "mono" }, c.complain_time || "")),
            ),
          )
        : emptyNote(s.complaints, "No abuse reports."),
    );
  }
  return sections;
}

const RENDERERS = {
  tasks: [renderTasks, (s) => s.tasks],
  templates: [renderTemplates, (s) => s.templates],
  domains: [renderDomains, (s) => [s.identities, s.senders]],
  groups: [renderGroups, (s) => s.receivers],
  suppression: [renderSuppression, (s) => [s.bounces, s.blacklist, s.unsubscribe_configs, s.unsubscribes, s.complaints]],
};

function renderAccounts(s) {
  const select = $("account");
  const key = JSON.stringify(s.accounts);
  if (select.dataset.key !== key) {
    select.dataset.key = key;
    select.replaceChildren(...s.accounts.map((a) => el("option", { value: String(a.app_id) }, `${a.app_id} (uin ${a.uin})`)));
  }
  if (s.app_id !== null) select.value = String(s.app_id);
  if (state.appId === null) state.appId = s.app_id;
}

async function refreshState() {
  const s = await getJSON(state.appId ? `/state?app_id=${state.appId}` : "/state");
  renderAccounts(s);
  const entry = RENDERERS[state.tab];
  if (!entry) return;
  const [render, pick] = entry;
  const key = JSON.stringify([s.app_id, pick(s)]);
  if (state.sectionKeys[state.tab] === key) return; // unchanged: keep frames and open details as they are
  state.sectionKeys[state.tab] = key;
  $(`tab-${state.tab}`).replaceChildren(...render(s).flat().filter(Boolean));
}

// ---- clock --------------------------------------------------------------------------------------

function showClock(c) {
  $("clock-now").textContent = c.now;
  $("clock-big").textContent = c.now;
  const h = c.offset_seconds / 3600;
  $("clock-offset").textContent = c.offset_seconds
    ? `(${h >= 0 ? "+" : ""}${Number.isInteger(h) ? h : h.toFixed(2)} h from real time)`
    : "(real time)";
}

async function moveClock(body) {
  const err = $("clock-error");
  try {
    showClock(await postJSON("/clock", body));
    err.hidden = true;
    state.sectionKeys = {};
    await refresh();
  } catch (e) {
    err.textContent = e.message;
    err.hidden = false;
    setStatus(e.message, true);
  }
}

// ---- polling ------------------------------------------------------------------------------------

// One refresh at a time; a refresh asked for meanwhile runs right after it.
async function refresh() {
  if (state.busy) {
    state.again = true;
    return;
  }
  state.busy = true;
  try {
    do {
      state.again = false;
      try {
        showClock(await getJSON("/clock"));
        await refreshState();
        await refreshInbox();
        setStatus(`live · polled every ${POLL_MS / 1000} s`);
      } catch (e) {
        setStatus(`emulator not reachable: ${e.message}`, true);
      }
    } while (state.again);
  } finally {
    state.busy = false;
  }
}

function debounce(fn, ms) {
  let t = null;
  return () => {
    clearTimeout(t);
    t = setTimeout(fn, ms);
  };
}

function start() {
  for (const b of document.querySelectorAll(".tabs button")) b.addEventListener("click", () => showTab(b.dataset.tab));
  for (const b of document.querySelectorAll("button.advance")) {
    b.addEventListener("click", () => moveClock({ advance_seconds: Number(b.dataset.seconds) }));
  }
  $("clock-form").addEventListener("submit", (e) => {
    e.preventDefault();
    moveClock({ now: $("clock-input").value.trim() });
  });
  $("clock-reset").addEventListener("click", () => moveClock({ reset: true }));
  $("account").addEventListener("change", (e) => {
    state.appId = Number(e.target.value);
    state.selected = null;
    state.listKey = "";
    state.sectionKeys = {};
    $("message").replaceChildren(el("p", { class: "empty" }, "Select a message to read it."));
    refresh();
  });
  const search = debounce(() => {
    state.listKey = "";
    refresh();
  }, 250);
  $("search").addEventListener("input", search);
  $("search").addEventListener("submit", (e) => e.preventDefault());
  window.addEventListener("hashchange", () => showTab(location.hash.slice(1)));
  showTab(location.hash.slice(1) || "inbox");
  setInterval(refresh, POLL_MS);
}

document.addEventListener("DOMContentLoaded", start);
