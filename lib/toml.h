/* SPDX-License-Identifier: ISC */
/*
 * A reader for the TOML subset rvpn's files use: [section] and
 * [section.sub] headers, bare (also dotted) keys, basic and literal
 * strings with escapes, booleans, decimal integers, arrays of scalars
 * over several lines, '#' comments.  It knows nothing of any schema: it
 * hands each section and each key with its decoded value to callbacks,
 * with the line it is on, and reports syntax errors the same way.
 */
#ifndef RVPN_TOML_H
#define RVPN_TOML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define TOML_MAX_SECTION	48	/* bytes of a section name */
#define TOML_MAX_KEY		64	/* bytes of a (dotted) key */
#define TOML_MAX_ITEMS		256	/* array elements */
#define TOML_MAX_LINE		8192	/* bytes in one physical line */
#define TOML_VIS_LEN		80	/* a value quoted in a message */

enum toml_type {
	TOML_NONE,
	TOML_STRING,
	TOML_BOOL,
	TOML_INT,
	TOML_ARRAY,
	TOML_BARE,		/* anything else; text kept for the message */
};

/* One decoded value. */
struct toml_value {
	enum toml_type	 type;
	char		*s;		/* string, or the token as written */
	bool		 b;
	long long	 i;		/* saturated at LLONG_MAX */
	char		**items;	/* array elements, decoded */
	unsigned	 nitems;
	bool		 notstr;	/* an array element was not a string */
};

struct toml_ops {
	/*
	 * A section header "[name]" on line; false refuses it (the
	 * callee reports why): its keys are lexed but not handed on.
	 */
	bool	(*section)(void *arg, const char *name, unsigned line);
	/*
	 * "key = value" starting on line; section is "" before the first
	 * header, key may be dotted ("a.b").
	 */
	void	(*key)(void *arg, const char *section, const char *key,
		    const struct toml_value *, unsigned line);
	/* A syntax error: "KEY: 'TEXT': problem" or "problem" alone. */
	void	(*error)(void *arg, unsigned line, const char *msg);
};

/*
 * Read f to its end.  Returns 0, or -1 with errno on a read error;
 * syntax errors go to ops->error and reading goes on at the next line.
 */
int		 toml_read(FILE *f, const struct toml_ops *, void *arg);
/* Printable copy of s, cut with "..." to fit len bytes; returns buf. */
const char	*toml_vis(const char *s, char *buf, size_t len);

#endif
