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

#endif
