/*
 * The shape of one action's parameters, as data.
 *
 * The tables of these types are generated from server/api/ses_api.json by
 * server/api/gen_api.py (see api_gen.h in the build directory); nothing
 * here is edited by hand per action. validate.c walks them; the docs'
 * coverage table and the tests read the same JSON file.
 */
#ifndef SERVER_API_SCHEMA_H
#define SERVER_API_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

/* The api.json "member" types that reach the wire. */
enum schema_type {
	SCHEMA_STRING,
	SCHEMA_INT64,
	SCHEMA_UINT64,
	SCHEMA_BOOL,
	SCHEMA_DATE,     /* a string "YYYY-MM-DD"; its format is the handler's check */
	SCHEMA_DATETIME, /* a string "YYYY-MM-DD HH:MM:SS"; likewise */
	SCHEMA_STRUCT,   /* a JSON object described by `structure` */
};

struct schema_struct;

/* One named parameter or structure member. */
struct schema_field {
	const char *name;
	enum schema_type type;
	bool required; /* the api.json "required" flag of an input */
	bool array;    /* a JSON array of `type` (flattened as Name.N) */
	/* the members when type == SCHEMA_STRUCT, else NULL */
	const struct schema_struct *structure;
};

/* A structure (or an action's input): its members, in api.json order. */
struct schema_struct {
	const char *name;
	const struct schema_field *fields;
	size_t count;
};

#endif
