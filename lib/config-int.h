/* SPDX-License-Identifier: ISC */
/*
 * Inside the config modules only: config.c (errors, loading, cross-key
 * checks), config-keys.c (the schema: typed setters and key tables),
 * config-clients.c (the authorized-clients file).  toml.c reads.
 */
#ifndef RVPN_CONFIG_INT_H
#define RVPN_CONFIG_INT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "toml.h"

#define CFG_MAX_SECTIONS 16
/* The "line" of a value from the command line: no line in messages. */
#define CFG_LINE_CMDLINE UINT_MAX

/*
 * What a reload (SIGHUP) does with a key: rvpn-server.toml(5) RELOAD
 * lists them, tests/unit/test-config.c holds the two together.
 */
enum cfg_scope {
	CFG_RESTART,		/* a change is logged, the old value kept */
	CFG_RELOAD,		/* the new value applies */
	CFG_RELOAD_IF_SET,	/* also, but setting or unsetting: restart */
};

/* How reload compares a field. */
enum cfg_store {
	CFG_ST_BYTES,		/* bool, integer, enum: byte for byte */
	CFG_ST_STR,		/* char *, NULL or a string */
	CFG_ST_CIDR4,		/* struct config_cidr4 */
};

#define CFG_MAX_ALSO	2

struct cfg_ctx;
struct cfg_key;

typedef bool cfg_set_fn(struct cfg_ctx *, const struct cfg_key *,
    const struct toml_value *);

/* One key of server.toml or client.toml. */
struct cfg_key {
	const char	*section;
	const char	*name;
	enum toml_type	 type;
	const char	*def;		/* default as text; NULL: unset */
	long long	 min, max;	/* integers; arrays: max elements */
	size_t		 off;		/* field */
	size_t		 size;		/* its size */
	size_t		 noff;		/* array count field */
	cfg_set_fn	*set;
	enum cfg_scope	 scope;
	enum cfg_store	 store;
	/* Fields the setter derives from this one (bind_host...). */
	struct cfg_also {
		size_t	 off, size;
	}		 also[CFG_MAX_ALSO];
};

/* The keys of one file and its sections (NULL-terminated). */
struct cfg_schema {
	const struct cfg_key	*keys;
	size_t			 nkeys;
	const char *const	*sections;
};

extern const struct cfg_schema cfg_server_schema;
extern const struct cfg_schema cfg_client_schema;

struct cfg_ops {
	/* A section header; false when reported (its keys are skipped). */
	bool	(*section)(struct cfg_ctx *, const char *);
	/* One key = value line (ctx->keyline is its line). */
	void	(*key)(struct cfg_ctx *, const char *section, const char *key,
		    const struct toml_value *);
};

struct cfg_ctx {
	const char		*path;		/* as given, for messages */
	char			*dir;		/* for relative paths */
	unsigned		 line;		/* of the current section */
	unsigned		 keyline;	/* line of the current key */

	struct cfg_err {
		unsigned	 line;
		char		*msg;		/* "FILE:LINE: ..." */
	}			*errv;		/* collected, CFG_MAX_ERRORS */
	unsigned		 nerrs;
	unsigned		 ndropped;	/* errors past CFG_MAX_ERRORS */

	const struct cfg_ops	*ops;
	void			*obj;		/* server_config, client_config */
	const struct cfg_key	*keys;
	size_t			 nkeys;
	unsigned		*seen;		/* line each key was set on */
	bool			*bad;		/* its value was rejected */
	bool			 opened;	/* the file could be read */
	const char *const	*sections;	/* known section names */
	unsigned		 sectline[CFG_MAX_SECTIONS];
	void			*user;		/* the ops' own state */
};

/* config.c */
void	cfg_error(struct cfg_ctx *, unsigned, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/* "FILE:LINE: KEY: 'VALUE': problem", or without the value if NULL. */
void	cfg_keyerr(struct cfg_ctx *, const char *, const char *,
	    const char *, ...) __attribute__((format(printf, 4, 5)));
/* The same for a file path, quoted whole (up to PATH_MAX). */
void	cfg_patherr(struct cfg_ctx *, const char *, const char *,
	    const char *, ...) __attribute__((format(printf, 4, 5)));
void	cfg_errors_join(struct cfg_ctx *, char **);
void	cfg_parse(struct cfg_ctx *);
void	cfg_ctx_done(struct cfg_ctx *);

/* The field a key sets, in the object being filled. */
#define CFG_FIELD(ctx, k, type)	((type *)((char *)(ctx)->obj + (k)->off))

/* config-keys.c: the generic string setter, also used by config-net.c */
cfg_set_fn	cfg_set_str;
/* config-net.c: setters of values on the wire, named by the key tables */
cfg_set_fn	cfg_set_bind, cfg_set_socks, cfg_set_admin, cfg_set_node,
		cfg_set_ws_path, cfg_set_range, cfg_set_range6,
		cfg_set_prefixes, cfg_set_ports, cfg_set_dns, cfg_set_cidrs,
		cfg_set_upstream, cfg_set_header, cfg_set_sni, cfg_set_url,
		cfg_set_servers, cfg_set_server_key;

/* config-clients.c */
struct server_config;
void	cfg_load_clients(struct server_config *, bool, char **);

#endif
