/*
 * The emulator's configuration: command-line flags and their
 * SES_EMULATOR_<NAME> environment variables, read once at start.
 */
#ifndef SERVER_CONFIG_H
#define SERVER_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define CONFIG_DEFAULT_PORT 4590
#define CONFIG_DEFAULT_HTTP_TIMEOUT 30 /* seconds; docs/limits.md, "Connections" */

enum config_auth {
	CONFIG_AUTH_STRICT, /* every API call must be signed by a known credential */
	CONFIG_AUTH_OFF,    /* signatures are not checked; any SecretId is the first account */
};

enum config_log_format {
	CONFIG_LOG_TEXT, /* one space-separated line per API request on stderr */
	CONFIG_LOG_JSON, /* one JSON object per line */
	CONFIG_LOG_OFF,  /* no request log */
};

enum config_review {
	CONFIG_REVIEW_AUTO,   /* new templates, domains and senders are approved at once */
	CONFIG_REVIEW_MANUAL, /* they stay pending until the control plane decides */
};

struct config {
	char listen_host[256];
	uint16_t port;
	char db_path[PATH_MAX];       /* "" means an in-memory store */
	char fixtures_path[PATH_MAX]; /* "" means the built-in default; "none" seeds nothing */
	enum config_auth auth;
	enum config_review review;
	unsigned threads; /* MHD worker threads; 0 means one per core */
	/* --http-timeout: seconds a connection may stay silent before it is closed */
	unsigned http_timeout;
	/* --rate-limit documented: each action's documented requests per second per account */
	bool rate_limit;
	/* enforce the documented sending limits (daily quota, 10 an hour to one address) */
	bool send_limits;
	/* hosts SendEmail may fetch Attachment.FileURL from, comma separated */
	char fetch_allow[512];
	/* --log-format: how each API request is logged on stderr */
	enum config_log_format log_format;
	/* --smtp-relay: "smtp://HOST[:PORT]" or "smtps://..." that receives every
	 * accepted message (server/mail/relay.c); "" relays nothing */
	char smtp_relay[512];
	char smtp_user[256];     /* "" for none (the URL's userinfo still counts) */
	char smtp_password[256]; /* used with smtp_user */
	bool smtp_starttls;      /* smtp:// must upgrade with STARTTLS, or the attempt fails */
	unsigned smtp_retries;   /* attempts after the first failed one (0-20, default 5) */
	/* wait before the first retry, doubled before each next one (1-3600000, default 1000) */
	unsigned smtp_retry_delay_ms;
	/* "http://host:port" the emulator is reached at, for links in mail;
	 * set by main once the port is bound */
	char base_url[300];
	/* --probe [URL]: the health URL to check instead of serving (CONFIG_PROBE) */
	char probe_url[600];
};

enum config_status {
	CONFIG_OK,
	CONFIG_EXIT_OK, /* --help or --version was printed: exit 0 */
	CONFIG_PROBE,   /* --probe: check cfg->probe_url instead of serving (server/probe.h) */
	CONFIG_ERROR,   /* a one-line message was written to `err` */
};

/*
 * Fill `cfg` from the environment, then from argv (flags win). On
 * CONFIG_ERROR one line naming the bad flag or variable has been written to
 * `err`; on CONFIG_EXIT_OK the help or version text went to `out`.
 */
enum config_status config_parse(struct config *cfg, int argc, char **argv, FILE *out, FILE *err);

/* "strict"/"off", "auto"/"manual": for logs and the health route. */
const char *config_auth_name(enum config_auth auth);
const char *config_review_name(enum config_review review);
/* "text"/"json"/"off". */
const char *config_log_format_name(enum config_log_format format);

#endif
