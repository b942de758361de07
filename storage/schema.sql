-- The store's schema as numbered migrations. Each section starts with a
-- line "-- migration N" (N = 1, 2, ... in order) and runs once, in one
-- transaction, when PRAGMA user_version is below N. Never edit a released
-- migration: add a new one. A store with no table yet is not migrated: it
-- gets, in one transaction, the CREATE statements these migrations leave,
-- which storage/gen_schema.py reads off an in-memory database at build time
-- (test_store.c's test_fresh_schema checks both give the same schema).

-- migration 1
CREATE TABLE accounts (
	id INTEGER PRIMARY KEY,
	app_id INTEGER NOT NULL UNIQUE,
	uin TEXT NOT NULL,
	suspended INTEGER NOT NULL DEFAULT 0,
	enterprise_verified INTEGER NOT NULL DEFAULT 1,
	created INTEGER NOT NULL
);

CREATE TABLE credentials (
	secret_id TEXT PRIMARY KEY,
	secret_key TEXT NOT NULL,
	account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	allow TEXT NOT NULL DEFAULT ''
);

-- status: 0 pending verification, 1 verified, 2 failed
CREATE TABLE identities (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	domain TEXT NOT NULL COLLATE NOCASE,
	dkim_option INTEGER NOT NULL DEFAULT 0,
	status INTEGER NOT NULL,
	tags TEXT NOT NULL DEFAULT '[]',
	dkim_key TEXT NOT NULL,
	created INTEGER NOT NULL,
	UNIQUE (account_id, domain)
);
CREATE INDEX identities_domain ON identities(domain);

-- status: 0 pending review, 1 approved, 2 rejected
CREATE TABLE senders (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	address TEXT NOT NULL COLLATE NOCASE,
	name TEXT NOT NULL DEFAULT '',
	domain TEXT NOT NULL COLLATE NOCASE,
	smtp_password_hash TEXT,
	status INTEGER NOT NULL,
	created INTEGER NOT NULL,
	UNIQUE (account_id, address)
);

-- status: 0 approved, 1 pending review, 2 rejected (the API's TemplateStatus)
CREATE TABLE templates (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	html TEXT,
	text TEXT,
	status INTEGER NOT NULL,
	review_reason TEXT NOT NULL DEFAULT '',
	created INTEGER NOT NULL,
	updated INTEGER NOT NULL,
	deleted INTEGER
);
CREATE INDEX templates_account ON templates(account_id, deleted, id);

-- migration 2
-- Recipient groups (the API's "receivers"). status: 1 pending upload,
-- 2 uploading, 3 uploaded (the API's ReceiversStatus). member_count and
-- invalid_count count receiver_members rows, kept by the upload worker.
-- data_keys: NULL while the group has no member; '' when its members carry
-- no template data; else the JSON array of the sorted TemplateData keys
-- every member shares. upload_seen_ms: the real time (ms) the upload worker
-- first saw the current upload, NULL until then.
CREATE TABLE receivers (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	status INTEGER NOT NULL,
	member_count INTEGER NOT NULL DEFAULT 0,
	invalid_count INTEGER NOT NULL DEFAULT 0,
	data_keys TEXT,
	upload_seen_ms INTEGER,
	created INTEGER NOT NULL,
	UNIQUE (account_id, name)
);
CREATE INDEX receivers_uploading ON receivers(status) WHERE status = 2;

-- status: 1 valid, 2 invalid (the API's ReceiverDetail.Status); reason says
-- why an address is invalid. Addresses are unique in a group (duplicates are
-- counted and dropped when submitted).
CREATE TABLE receiver_members (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	receiver_id INTEGER NOT NULL REFERENCES receivers(id) ON DELETE CASCADE,
	account_id INTEGER NOT NULL,
	email TEXT NOT NULL COLLATE NOCASE,
	template_data TEXT,
	status INTEGER NOT NULL,
	reason TEXT NOT NULL DEFAULT '',
	created INTEGER NOT NULL,
	UNIQUE (receiver_id, email)
);
CREATE INDEX receiver_members_page ON receiver_members(receiver_id, id);
CREATE INDEX receiver_members_status ON receiver_members(receiver_id, status);

-- Submitted rows waiting for the upload worker, in submission order; the same
-- columns as receiver_members.
CREATE TABLE receiver_uploads (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	receiver_id INTEGER NOT NULL REFERENCES receivers(id) ON DELETE CASCADE,
	account_id INTEGER NOT NULL,
	email TEXT NOT NULL COLLATE NOCASE,
	template_data TEXT,
	status INTEGER NOT NULL,
	reason TEXT NOT NULL DEFAULT '',
	created INTEGER NOT NULL
);
CREATE INDEX receiver_uploads_email ON receiver_uploads(receiver_id, email);

-- migration 3
-- Sending: messages, one delivery row per recipient, batch tasks, the bounce
-- blacklist. (Migration 2 holds the recipient groups.)

-- One accepted message (SendEmail, or one member of a batch task run).
CREATE TABLE messages (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	message_id TEXT NOT NULL UNIQUE,   -- the API's MessageId
	task_id INTEGER,                   -- the batch task, NULL for SendEmail
	template_id INTEGER,               -- NULL for Simple content
	from_address TEXT NOT NULL,
	from_domain TEXT NOT NULL COLLATE NOCASE,
	subject TEXT NOT NULL,
	recipients TEXT NOT NULL,          -- JSON {"to":[],"cc":[],"bcc":[]}
	reply_to TEXT NOT NULL DEFAULT '',
	attachments TEXT NOT NULL DEFAULT '[]', -- JSON [{"file_name","content_type","size"}]
	created INTEGER NOT NULL,          -- emulator clock, UNIX seconds
	day TEXT NOT NULL,                 -- CST date of `created`, YYYY-MM-DD
	raw BLOB NOT NULL                  -- the RFC 5322 message as built
);
CREATE INDEX messages_account ON messages(account_id, id);
CREATE INDEX messages_task ON messages(task_id);

-- One row per recipient of a message. send_status and deliver_status are
-- the API's SendEmailStatus codes.
CREATE TABLE deliveries (
	id INTEGER PRIMARY KEY,
	message INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
	account_id INTEGER NOT NULL,
	day TEXT NOT NULL,
	address TEXT NOT NULL COLLATE NOCASE,
	mailbox TEXT NOT NULL COLLATE NOCASE,  -- the recipient's domain (ReceivingMailboxType)
	send_status INTEGER NOT NULL,
	deliver_status INTEGER NOT NULL,
	deliver_message TEXT NOT NULL DEFAULT '',
	request_time INTEGER NOT NULL,
	deliver_time INTEGER NOT NULL DEFAULT 0,
	opened INTEGER NOT NULL DEFAULT 0,
	clicked INTEGER NOT NULL DEFAULT 0,
	unsubscribed INTEGER NOT NULL DEFAULT 0,
	complained INTEGER NOT NULL DEFAULT 0,
	bounced INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX deliveries_day ON deliveries(account_id, day);
CREATE INDEX deliveries_message ON deliveries(message);
CREATE INDEX deliveries_recent ON deliveries(account_id, address, request_time);

-- Batch tasks. status: 1 to start, 5 sending, 6 paused today, 7 error, 10 done.
CREATE TABLE tasks (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	receiver_id INTEGER NOT NULL,
	receiver_name TEXT NOT NULL DEFAULT '',
	from_address TEXT NOT NULL,
	subject TEXT NOT NULL,
	reply_to TEXT NOT NULL DEFAULT '',
	template_id INTEGER,
	template_data TEXT NOT NULL DEFAULT '',
	simple_html TEXT,
	simple_text TEXT,
	unsubscribe TEXT NOT NULL DEFAULT '',
	ad_location INTEGER NOT NULL DEFAULT 0,
	task_type INTEGER NOT NULL,
	status INTEGER NOT NULL,
	begin_time INTEGER NOT NULL,       -- first run, emulator clock
	interval_hours INTEGER NOT NULL DEFAULT 0,
	term_cycle INTEGER NOT NULL DEFAULT 0,
	next_run INTEGER,                  -- NULL when no run is due any more
	cursor INTEGER NOT NULL DEFAULT 0, -- last member id sent in the current run
	runs INTEGER NOT NULL DEFAULT 0,
	request_count INTEGER NOT NULL DEFAULT 0,
	send_count INTEGER NOT NULL DEFAULT 0,
	cache_count INTEGER NOT NULL DEFAULT 0,
	err_msg TEXT NOT NULL DEFAULT '',
	created INTEGER NOT NULL,
	updated INTEGER NOT NULL
);
CREATE INDEX tasks_due ON tasks(next_run) WHERE next_run IS NOT NULL;
CREATE INDEX tasks_account ON tasks(account_id, id);

-- The bounce blacklist: addresses that hard-bounced.
CREATE TABLE bounces (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	address TEXT NOT NULL COLLATE NOCASE,
	bounce_time INTEGER NOT NULL,
	isp_desc TEXT NOT NULL DEFAULT '',
	task_id INTEGER,
	message_id TEXT NOT NULL DEFAULT '',
	UNIQUE (account_id, address)
);

ALTER TABLE accounts ADD COLUMN daily_quota INTEGER NOT NULL DEFAULT 500;
ALTER TABLE accounts ADD COLUMN allow_simple INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN allow_attachments INTEGER NOT NULL DEFAULT 1;

-- migration 4
-- Suppression and complaints: the account's own (custom) blacklist, the
-- address-level unsubscribe settings, the recipients who unsubscribed, and
-- the abuse reports (complaints). The bounce blacklist is `bounces`
-- (migration 3).

-- The custom blacklist (CreateCustomBlacklist). expire_date: the CST date
-- (YYYY-MM-DD) from whose first second the entry no longer applies; NULL
-- for a permanent entry. Addresses are unique in an account.
CREATE TABLE custom_blacklist (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	email TEXT NOT NULL COLLATE NOCASE,
	expire_date TEXT,
	created INTEGER NOT NULL,            -- emulator clock, UNIX seconds
	UNIQUE (account_id, email)
);

-- Address-level unsubscribe settings, one per sender address. status: 0 off,
-- 1 on; config: the link language code as the API gives it ("0" to "12").
CREATE TABLE unsubscribe_configs (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	address TEXT NOT NULL COLLATE NOCASE,
	config TEXT NOT NULL,
	status INTEGER NOT NULL,
	created INTEGER NOT NULL,
	updated INTEGER NOT NULL,
	UNIQUE (account_id, address)
);

-- A recipient who followed an unsubscribe link: no more mail to `recipient`
-- from the sender address `sender`. message_id: the message whose link it was.
CREATE TABLE unsubscribes (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	recipient TEXT NOT NULL COLLATE NOCASE,
	sender TEXT NOT NULL COLLATE NOCASE,
	message_id TEXT NOT NULL,
	created INTEGER NOT NULL,
	UNIQUE (account_id, recipient, sender)
);

-- Abuse reports (GetAbuseReport): one per complaining recipient of a
-- message, kept when the message itself is deleted.
CREATE TABLE complaints (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	message_id TEXT NOT NULL,            -- the API MessageId
	header_id TEXT NOT NULL,             -- the message's Message-ID header, without <>
	recipient TEXT NOT NULL COLLATE NOCASE,
	mta TEXT NOT NULL COLLATE NOCASE,    -- the recipient's domain
	from_address TEXT NOT NULL COLLATE NOCASE,
	from_domain TEXT NOT NULL COLLATE NOCASE,
	template_id INTEGER,                 -- NULL for Simple content
	task_id INTEGER,                     -- NULL for SendEmail
	subject TEXT NOT NULL,
	deliver_time INTEGER NOT NULL,       -- when the message was accepted
	complain_time INTEGER NOT NULL,
	day TEXT NOT NULL,                   -- CST date of complain_time
	UNIQUE (message_id, recipient)
);
CREATE INDEX complaints_day ON complaints(account_id, day, id);

-- migration 5
-- The SMTP relay's queue and outcomes (--smtp-relay): one row per message
-- handed to the relay, written in the message's own transaction, kept after
-- the attempt so the message view can show how it went. status: 0 pending
-- (attempts 0) or retrying, 1 sent, 2 failed (no attempt left).
-- next_try_ms: real time (UNIX ms) of the next attempt; a worker that takes
-- the row moves it ahead by a lease, so a row whose worker died is tried again.
-- relayed_at: emulator clock (UNIX seconds) of the attempt the relay accepted.
CREATE TABLE relays (
	message INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
	status INTEGER NOT NULL DEFAULT 0,
	attempts INTEGER NOT NULL DEFAULT 0,
	next_try_ms INTEGER NOT NULL,
	last_error TEXT NOT NULL DEFAULT '',
	relayed_at INTEGER
);
CREATE INDEX relays_due ON relays(next_try_ms) WHERE status = 0;

-- migration 6
-- Fewer indexes on the two tables every send writes (each index is one more
-- b-tree insert and dirty page per message; docs/performance.md measured the
-- three below at a fifth of SendEmail's time in the store):
-- * messages_account and messages_task served no query (the message list
--   filters by account and task over the newest rows, and an account's
--   messages are only ever deleted with the whole store);
-- * deliveries_recent served only the hourly limit of --send-limits on, which
--   now reads the one or two days of deliveries_day the hour spans.
DROP INDEX messages_account;
DROP INDEX messages_task;
DROP INDEX deliveries_recent;

-- migration 7
-- Counters for GetStatisticsReport and for the metrics' messages by outcome,
-- so that neither reads every delivery (docs/performance.md: 78 ms at 60,000
-- deliveries before). Sends do not write them: the scheduler thread counts
-- new rows in batches (store_stats_catch_up), and a reader adds the rows not
-- yet counted, those past stats_progress, to the counters, so every answer
-- is exact.
--
-- delivery_stats: per account, CST day, sender domain and recipient domain,
-- the report's sums: requests every delivery row, accepted send_status 0,
-- delivered deliver_status 1, and the opened, clicked, bounced and
-- unsubscribed flags.
CREATE TABLE delivery_stats (
	account_id INTEGER NOT NULL,
	day TEXT NOT NULL,
	from_domain TEXT NOT NULL COLLATE NOCASE,
	mailbox TEXT NOT NULL COLLATE NOCASE,
	requests INTEGER NOT NULL DEFAULT 0,
	accepted INTEGER NOT NULL DEFAULT 0,
	delivered INTEGER NOT NULL DEFAULT 0,
	opened INTEGER NOT NULL DEFAULT 0,
	clicked INTEGER NOT NULL DEFAULT 0,
	bounced INTEGER NOT NULL DEFAULT 0,
	unsubscribed INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (account_id, day, from_domain, mailbox)
) WITHOUT ROWID;

-- messages.outcome: the message's worst outcome rank among its deliveries
-- (storage/store_metrics.h; NULL without deliveries), set when it is stored;
-- deliveries never change rank afterwards (only their unsubscribed and
-- complained flags are updated). message_outcomes counts messages per rank.
ALTER TABLE messages ADD COLUMN outcome INTEGER;
UPDATE messages SET outcome = (
	SELECT max(CASE WHEN send_status <> 0 THEN 3 WHEN bounced THEN 5 WHEN deliver_status = 1 THEN 0
		    WHEN deliver_status = 8 THEN 2 WHEN deliver_status = 2 THEN 3 WHEN deliver_status = 3 THEN 4
		    ELSE 1 END)
	FROM deliveries WHERE deliveries.message = messages.id);
CREATE TABLE message_outcomes (
	rank INTEGER PRIMARY KEY,
	count INTEGER NOT NULL
);

-- The last delivery and message ids counted (one row; absent counts as 0:
-- a new, wiped or just migrated store, whose rows the scheduler then counts
-- like any new ones). Rows are never deleted one by one, and deleting them
-- all resets the counters and this row, so ids past it are exactly the rows
-- not counted yet.
CREATE TABLE stats_progress (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	deliveries INTEGER NOT NULL,
	messages INTEGER NOT NULL
);

-- An update of a delivery already counted moves its counters too.
CREATE TRIGGER delivery_stats_update
AFTER UPDATE OF send_status, deliver_status, opened, clicked, bounced, unsubscribed ON deliveries
WHEN OLD.id <= coalesce((SELECT deliveries FROM stats_progress), 0) BEGIN
	UPDATE delivery_stats SET
		accepted = accepted + (NEW.send_status = 0) - (OLD.send_status = 0),
		delivered = delivered + (NEW.deliver_status = 1) - (OLD.deliver_status = 1),
		opened = opened + NEW.opened - OLD.opened, clicked = clicked + NEW.clicked - OLD.clicked,
		bounced = bounced + NEW.bounced - OLD.bounced,
		unsubscribed = unsubscribed + NEW.unsubscribed - OLD.unsubscribed
	WHERE account_id = OLD.account_id AND day = OLD.day AND mailbox = OLD.mailbox
	  AND from_domain = (SELECT from_domain FROM messages WHERE id = OLD.message);
END;

-- migration 8
-- A message's deliveries are stored right after it in the same unit, so
-- their ids are consecutive: messages.first_delivery (NULL without any) and
-- delivery_count name them as a rowid range, and the index on
-- deliveries(message) goes (one B-tree fewer written by every send:
-- docs/performance.md, third round). Deleting messages deletes their
-- deliveries first (store_message_delete_all; store_wipe empties deliveries
-- before messages), so the cascade of deliveries.message never scans.
ALTER TABLE messages ADD COLUMN first_delivery INTEGER;
ALTER TABLE messages ADD COLUMN delivery_count INTEGER NOT NULL DEFAULT 0;
UPDATE messages SET first_delivery = d.first, delivery_count = d.n
FROM (SELECT message, min(id) AS first, count(*) AS n FROM deliveries GROUP BY message) AS d
WHERE d.message = messages.id;
DROP INDEX deliveries_message;
