/*
 * Sending-domain helpers shared with the fixture loader.
 */
#ifndef SERVER_API_IDENTITY_H
#define SERVER_API_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>

/* Whether `domain` is a syntactically valid domain name with at least two labels. */
bool identity_domain_valid(const char *domain);

/*
 * A fresh DKIM public key (base64 of a DER SubjectPublicKeyInfo shape,
 * random, for display only) for DKIMOption 0 (1024-bit) or 1/2 (2048-bit),
 * into out. Returns false when out is too small (>= 420 bytes is enough).
 */
bool identity_new_dkim_key(int dkim_option, char *out, size_t size);

/* The DNS records a sending domain publishes (SPF, DKIM, MX, DMARC), in this order. */
#define IDENTITY_DNS_RECORDS 4

struct identity_dns_record {
	const char *type; /* "TXT" or "MX", a static string */
	char host[300];   /* the record's name, e.g. "qcloud._domainkey.example.com" */
	char value[600];  /* the value the service expects */
};

/*
 * Record number `index` (0 to IDENTITY_DNS_RECORDS - 1) of `domain`, whose
 * DKIM public key is `dkim_key`, into *out (shared by GetEmailIdentity and
 * the control plane's page). False, with *out unchanged, for another index.
 */
bool identity_dns_record(const char *domain, const char *dkim_key, size_t index, struct identity_dns_record *out);

#endif
