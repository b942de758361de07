/*
 * Email address rules shared by the handlers.
 */
#ifndef SERVER_API_ADDRESS_H
#define SERVER_API_ADDRESS_H

#include <stdbool.h>

/* Whether `address` is a plain addr-spec we accept (local@domain.tld, at most 128 bytes). */
bool address_valid(const char *address);

#endif
