/*
 * Flags and SES_EMULATOR_<NAME> environment variables → one struct config.
 *
 * Owns: parsing and checking every setting before anything starts.
 * Never: opens files, sockets or the store (main does, after parsing), and
 * never exits the process (it returns a status and main decides).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "allocator.h"
#include "version.h"

static const char usage_text[] =
	"Usage: ses-emulator [OPTIONS]\n"
	"A local emulator of the Tencent Cloud SES API 2020-10-02.\n"
	"\n"
	"Each option can also be set by the environment variable SES_EMULATOR_<NAME>\n"
	"(for example SES_EMULATOR_LISTEN=0.0.0.0:4590); a flag wins over its variable.\n"
	"\n"
	"  --listen HOST:PORT   address to serve on (default 127.0.0.1:4590; port 0 picks a\n"
	"                       free port, printed at start; a bare HOST\n"
	"                       keeps port 4590, a bare :PORT keeps 127.0.0.1)\n"
	"  --db PATH            SQLite file that keeps state across restarts\n"
	"                       (default: in memory, lost at exit)\n"
	"  --fixtures PATH      JSON fixture that seeds a new, empty store\n"
	"                       (default: the built-in fixtures/default.json; 'none': seed nothing)\n"
	"  --auth strict|off    check request signatures (default strict)\n"
	"  --review auto|manual approve new templates, domains and senders at once (auto,\n"
	"                       the default) or leave them pending for /_emulator/review\n"
	"  --threads N          worker threads (default: four per core, 1-64)\n"
	"  --send-limits on|off enforce the documented sending limits: the account's daily\n"
	"                       quota and 10 emails an hour to one address (default off)\n"
	"  --rate-limit documented|off\n"
	"                       answer RequestLimitExceeded past each action's documented\n"
	"                       requests per second per account (default off)\n"
	"  --fetch-allow HOSTS  comma-separated hosts SendEmail may fetch Attachment.FileURL\n"
	"                       from (default 127.0.0.1,localhost,::1; '*' allows any)\n"
	"  --log-format text|json|off\n"
	"                       one line per API request on stderr: time (UTC), app_id,\n"
	"                       action, result code, milliseconds, RequestId (default text)\n"
	"  --smtp-relay URL     hand every accepted message to this SMTP server, off the\n"
	"                       request path, with retries: smtp://HOST[:PORT] or\n"
	"                       smtps://HOST[:PORT], optionally smtp://USER:PASSWORD@HOST\n"
	"                       (default: no relay)\n"
	"  --smtp-user NAME     user name for SMTP AUTH on the relay\n"
	"  --smtp-password PASS password for SMTP AUTH on the relay\n"
	"  --smtp-starttls on|off\n"
	"                       require STARTTLS on an smtp:// relay (default off)\n"
	"  --smtp-retries N     attempts after a failed one, 0-20 (default 5)\n"
	"  --smtp-retry-delay MS\n"
	"                       wait before the first retry, doubled for each next one\n"
	"                       (default 1000)\n"
	"  --http-timeout SECONDS\n"
	"                       close a connection that sends nothing for this long,\n"
	"                       1-3600 (default 30)\n"
	"  --help               print this help and exit\n"
	"  --version            print the version and exit\n"
	"  --probe [URL]        check a running emulator instead of serving: GET URL\n"
	"                       (default http://127.0.0.1:PORT/_emulator/health, PORT\n"
	"                       from --listen), exit 0 on HTTP 200 with \"ok\", else 1\n";

const char *config_auth_name(enum config_auth auth)
{
	return auth == CONFIG_AUTH_OFF ? "off" : "strict";
}

const char *config_review_name(enum config_review review)
{
	return review == CONFIG_REVIEW_MANUAL ? "manual" : "auto";
}

const char *config_log_format_name(enum config_log_format format)
{
	switch (format) {
	case CONFIG_LOG_JSON:
		return "json";
	case CONFIG_LOG_OFF:
		return "off";
	case CONFIG_LOG_TEXT:
		break;
	}
	return "text";
}

static bool parse_port(const char *s, uint16_t *port)
{
	char *end;
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > 65535)
		return false;
	*port = (uint16_t)v;
	return true;
}

/* HOST:PORT, HOST, :PORT or [V6]:PORT. */
static bool parse_listen(struct config *cfg, const char *value)
{
	const char *colon;
	if (value[0] == '[') {
		const char *close = strchr(value, ']');
		if (!close || (close[1] && close[1] != ':'))
			return false;
		size_t n = (size_t)(close - value - 1);
		if (n == 0 || n >= sizeof(cfg->listen_host))
			return false;
		memcpy(cfg->listen_host, value + 1, n);
		cfg->listen_host[n] = '\0';
		return close[1] ? parse_port(close + 2, &cfg->port) : true;
	}
	colon = strrchr(value, ':');
	if (!colon) {
		if (!*value || strlen(value) >= sizeof(cfg->listen_host))
			return false;
		memcpy(cfg->listen_host, value, strlen(value) + 1);
		return true;
	}
	if (colon != value) {
		size_t n = (size_t)(colon - value);
		if (n >= sizeof(cfg->listen_host) || memchr(value, ':', n))
			return false;
		memcpy(cfg->listen_host, value, n);
		cfg->listen_host[n] = '\0';
	}
	return parse_port(colon + 1, &cfg->port);
}

static bool copy_path(char *dst, size_t size, const char *value)
{
	size_t n = strlen(value);
	if (n >= size)
		return false;
	memcpy(dst, value, n + 1);
	return true;
}

enum setting {
	SET_LISTEN,
	SET_DB,
	SET_FIXTURES,
	SET_AUTH,
	SET_REVIEW,
	SET_THREADS,
	SET_SEND_LIMITS,
	SET_FETCH_ALLOW,
	SET_RATE_LIMIT,
	SET_LOG_FORMAT,
	SET_SMTP_RELAY,
	SET_SMTP_USER,
	SET_SMTP_PASSWORD,
	SET_SMTP_STARTTLS,
	SET_SMTP_RETRIES,
	SET_SMTP_RETRY_DELAY,
	SET_HTTP_TIMEOUT,
	SET_COUNT
};

static const char *const setting_names[SET_COUNT] = {
	"listen",           "db",          "fixtures",      "auth",          "review",
	"threads",          "send-limits", "fetch-allow",   "rate-limit",    "log-format",
	"smtp-relay",       "smtp-user",   "smtp-password", "smtp-starttls", "smtp-retries",
	"smtp-retry-delay", "http-timeout"};

static bool parse_on_off(const char *value, bool *out)
{
	if (strcmp(value, "on") == 0)
		*out = true;
	else if (strcmp(value, "off") == 0)
		*out = false;
	else
		return false;
	return true;
}

/* Hosts: letters, digits, '.', '-', ':', '*', separated by commas. */
static bool parse_hosts(char *dst, size_t size, const char *value)
{
	for (const char *p = value; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:*,[]", *p))
			return false;
	return copy_path(dst, size, value);
}

/* A whole decimal number from `min` to `max`. */
static bool parse_unsigned(const char *value, long min, long max, unsigned *out)
{
	char *end;
	if (*value < '0' || *value > '9')
		return false;
	errno = 0;
	long n = strtol(value, &end, 10);
	if (errno || end == value || *end || n < min || n > max)
		return false;
	*out = (unsigned)n;
	return true;
}

/* smtp://HOST[:PORT][/EHLO-NAME] or smtps://..., as libcurl reads it; "" turns the relay off. */
static bool parse_smtp_url(char *dst, size_t size, const char *value)
{
	if (!*value) {
		dst[0] = '\0';
		return true;
	}
	CURLU *url = curl_url();
	char *scheme = NULL, *host = NULL;
	bool ok = url && curl_url_set(url, CURLUPART_URL, value, 0) == CURLUE_OK &&
		  curl_url_get(url, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
		  (strcmp(scheme, "smtp") == 0 || strcmp(scheme, "smtps") == 0) &&
		  curl_url_get(url, CURLUPART_HOST, &host, 0) == CURLUE_OK && host[0];
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(url);
	return ok && copy_path(dst, size, value);
}

/* The request log and the SMTP relay. */
static bool apply_output(struct config *cfg, enum setting which, const char *value)
{
	switch (which) {
	case SET_LOG_FORMAT:
		for (int f = CONFIG_LOG_TEXT; f <= CONFIG_LOG_OFF; f++)
			if (strcmp(value, config_log_format_name((enum config_log_format)f)) == 0) {
				cfg->log_format = (enum config_log_format)f;
				return true;
			}
		return false;
	case SET_SMTP_RELAY:
		return parse_smtp_url(cfg->smtp_relay, sizeof(cfg->smtp_relay), value);
	case SET_SMTP_USER:
		return copy_path(cfg->smtp_user, sizeof(cfg->smtp_user), value);
	case SET_SMTP_PASSWORD:
		return copy_path(cfg->smtp_password, sizeof(cfg->smtp_password), value);
	case SET_SMTP_STARTTLS:
		return parse_on_off(value, &cfg->smtp_starttls);
	case SET_SMTP_RETRIES:
		return parse_unsigned(value, 0, 20, &cfg->smtp_retries);
	case SET_SMTP_RETRY_DELAY:
		return parse_unsigned(value, 1, 3600000, &cfg->smtp_retry_delay_ms);
	case SET_HTTP_TIMEOUT:
		return parse_unsigned(value, 1, 3600, &cfg->http_timeout);
	default:
		break;
	}
	return false;
}

static bool apply(struct config *cfg, enum setting which, const char *value)
{
	char *end;
	long n;
	switch (which) {
	case SET_LISTEN:
		return parse_listen(cfg, value);
	case SET_DB:
		return copy_path(cfg->db_path, sizeof(cfg->db_path), value);
	case SET_FIXTURES:
		return *value && copy_path(cfg->fixtures_path, sizeof(cfg->fixtures_path), value);
	case SET_AUTH:
		if (strcmp(value, "strict") == 0)
			cfg->auth = CONFIG_AUTH_STRICT;
		else if (strcmp(value, "off") == 0)
			cfg->auth = CONFIG_AUTH_OFF;
		else
			return false;
		return true;
	case SET_REVIEW:
		if (strcmp(value, "auto") == 0)
			cfg->review = CONFIG_REVIEW_AUTO;
		else if (strcmp(value, "manual") == 0)
			cfg->review = CONFIG_REVIEW_MANUAL;
		else
			return false;
		return true;
	case SET_THREADS:
		if (*value < '0' || *value > '9')
			return false;
		errno = 0;
		n = strtol(value, &end, 10);
		if (errno || end == value || *end || n < 1 || n > 64)
			return false;
		cfg->threads = (unsigned)n;
		return true;
	case SET_SEND_LIMITS:
		return parse_on_off(value, &cfg->send_limits);
	case SET_FETCH_ALLOW:
		return parse_hosts(cfg->fetch_allow, sizeof(cfg->fetch_allow), value);
	case SET_RATE_LIMIT:
		if (strcmp(value, "documented") == 0)
			cfg->rate_limit = true;
		else if (strcmp(value, "off") == 0)
			cfg->rate_limit = false;
		else
			return false;
		return true;
	default:
		return apply_output(cfg, which, value);
	}
}

static void defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	memcpy(cfg->listen_host, "127.0.0.1", sizeof("127.0.0.1"));
	cfg->port = CONFIG_DEFAULT_PORT;
	cfg->auth = CONFIG_AUTH_STRICT;
	cfg->review = CONFIG_REVIEW_AUTO;
	memcpy(cfg->fetch_allow, "127.0.0.1,localhost,::1", sizeof("127.0.0.1,localhost,::1"));
	cfg->log_format = CONFIG_LOG_TEXT;
	cfg->smtp_retries = 5;
	cfg->smtp_retry_delay_ms = 1000;
	cfg->http_timeout = CONFIG_DEFAULT_HTTP_TIMEOUT;
}

/* Apply the environment; a bad variable is remembered in `bad` (its
 * message in `bad_text`) and reported only if no flag sets it. */
static void from_environment(struct config *cfg, bool bad[SET_COUNT], char bad_text[SET_COUNT][160])
{
	for (int i = 0; i < SET_COUNT; i++) {
		char var[64];
		snprintf(var, sizeof(var), "SES_EMULATOR_%s", setting_names[i]);
		for (char *p = var; *p; p++) {
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
			else if (*p == '-')
				*p = '_';
		}
		const char *value = getenv(var);
		bad[i] = value && !apply(cfg, (enum setting)i, value);
		if (bad[i])
			snprintf(bad_text[i], 160, "invalid value '%.60s' in %s (see --help)", value, var);
	}
}

/* --probe's URL: the one given, else the health route where --listen serves. */
static enum config_status set_probe_url(struct config *cfg, const char *given, FILE *err)
{
	const char *host = cfg->listen_host;
	if (strcmp(host, "0.0.0.0") == 0 || !*host)
		host = "127.0.0.1";
	else if (strcmp(host, "::") == 0)
		host = "::1";
	bool v6 = strchr(host, ':') != NULL;
	int n = *given ? snprintf(cfg->probe_url, sizeof(cfg->probe_url), "%s", given)
		       : snprintf(cfg->probe_url, sizeof(cfg->probe_url), "http://%s%s%s:%u/_emulator/health",
				  v6 ? "[" : "", host, v6 ? "]" : "", (unsigned)cfg->port);
	if (n < 0 || (size_t)n >= sizeof(cfg->probe_url)) {
		fprintf(err, "ses-emulator: --probe URL too long\n");
		return CONFIG_ERROR;
	}
	return CONFIG_PROBE;
}

enum config_status config_parse(struct config *cfg, int argc, char **argv, FILE *out, FILE *err)
{
	static const struct option options[] = {
		{"listen", required_argument, NULL, SET_LISTEN},
		{"db", required_argument, NULL, SET_DB},
		{"fixtures", required_argument, NULL, SET_FIXTURES},
		{"auth", required_argument, NULL, SET_AUTH},
		{"review", required_argument, NULL, SET_REVIEW},
		{"threads", required_argument, NULL, SET_THREADS},
		{"send-limits", required_argument, NULL, SET_SEND_LIMITS},
		{"fetch-allow", required_argument, NULL, SET_FETCH_ALLOW},
		{"rate-limit", required_argument, NULL, SET_RATE_LIMIT},
		{"log-format", required_argument, NULL, SET_LOG_FORMAT},
		{"smtp-relay", required_argument, NULL, SET_SMTP_RELAY},
		{"smtp-user", required_argument, NULL, SET_SMTP_USER},
		{"smtp-password", required_argument, NULL, SET_SMTP_PASSWORD},
		{"smtp-starttls", required_argument, NULL, SET_SMTP_STARTTLS},
		{"smtp-retries", required_argument, NULL, SET_SMTP_RETRIES},
		{"smtp-retry-delay", required_argument, NULL, SET_SMTP_RETRY_DELAY},
		{"http-timeout", required_argument, NULL, SET_HTTP_TIMEOUT},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{"probe", optional_argument, NULL, 'P'},
		{NULL, 0, NULL, 0},
	};
	int opt;
	const char *probe = NULL;
	bool bad_env[SET_COUNT];
	char bad_text[SET_COUNT][160];

	defaults(cfg);
	from_environment(cfg, bad_env, bad_text);

	optind = 0; /* 0, not 1: also resets glibc's state inside option clusters */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":", options, NULL)) != -1) {
		if (opt == 'h') {
			fputs(usage_text, out);
			return CONFIG_EXIT_OK;
		}
		if (opt == 'P') {
			/* "--probe URL" as well as "--probe=URL": a next word that is no flag */
			probe = optarg ? optarg : optind < argc && argv[optind][0] != '-' ? argv[optind++] : "";
			continue;
		}
		if (opt == 'V') {
			fprintf(out, "ses-emulator %s (SES API 2020-10-02; %s)\n", SES_EMULATOR_VERSION,
				allocator_name());
			return CONFIG_EXIT_OK;
		}
		if (opt == ':') {
			fprintf(err, "ses-emulator: %s needs a value (see --help)\n", argv[optind - 1]);
			return CONFIG_ERROR;
		}
		if (opt == '?' || opt < 0 || opt >= SET_COUNT) {
			if (optopt > 0 && optopt < 128)
				fprintf(err, "ses-emulator: unknown option '-%c' (see --help)\n", optopt);
			else
				fprintf(err, "ses-emulator: unknown option '%s' (see --help)\n", argv[optind - 1]);
			return CONFIG_ERROR;
		}
		bad_env[opt] = false; /* the flag wins over its variable */
		if (!apply(cfg, (enum setting)opt, optarg)) {
			fprintf(err, "ses-emulator: invalid value '%s' for --%s (see --help)\n", optarg,
				setting_names[opt]);
			return CONFIG_ERROR;
		}
	}
	if (optind < argc) {
		fprintf(err, "ses-emulator: unexpected argument '%s' (see --help)\n", argv[optind]);
		return CONFIG_ERROR;
	}
	for (int i = 0; i < SET_COUNT; i++) {
		if (bad_env[i]) {
			fprintf(err, "ses-emulator: %s\n", bad_text[i]);
			return CONFIG_ERROR;
		}
	}
	return probe ? set_probe_url(cfg, probe, err) : CONFIG_OK;
}
