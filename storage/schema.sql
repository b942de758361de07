-- The store's schema as numbered migrations. Each section starts with a
-- line "-- migration N" (N = 1, 2, ... in order) and runs once, in one
-- transaction, when PRAGMA user_version is below N. Never edit a released
-- migration: add a new one.

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
