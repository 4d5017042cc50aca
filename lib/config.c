/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <net/if.h>
#include <pwd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ini.h>

#include "compat.h"
#include "config.h"
#include "ipaddr.h"
#include "key.h"
#include "log.h"
#include "xmalloc.h"

/*
 * inih splits lines into sections and keys, but knows nothing of TOML:
 * its inline comment character is ';' (Debian builds it with
 * INI_ALLOW_INLINE_COMMENTS and ";"), indented lines continue the
 * previous value (INI_ALLOW_MULTILINE), lines are cut at INI_MAX_LINE and
 * it stops counting lines we join.  So our reader (cfg_reader) reads the
 * file, counts lines, lexes each TOML line itself (strings with escapes,
 * '#' comments, arrays over several lines) and hands inih a canonical
 * "[section]" or "key=x" line; the decoded value waits in the context
 * for the handler inih calls next.
 */

#define CFG_MAX_SECTION	48	/* inih keeps 50 bytes of a section name */
#define CFG_MAX_KEY	64
#define CFG_MAX_SECTIONS 16
#define CFG_MAX_ITEMS	256	/* array elements, before per-key limits */
#define CFG_VIS_LEN	80	/* a value quoted in a message */
#define CFG_VIS_PATH_LEN (PATH_MAX + 4)	/* a path: whole, or it is no help */
#define CFG_POOL_LIMIT	1024	/* default max_clients cap */
#define CFG_MAX_LINE	8192	/* bytes in one physical line */
#define CFG_MAX_ERRORS	100	/* reported; the rest are counted */

enum cfg_vtype {
	CFG_V_NONE,
	CFG_V_STRING,
	CFG_V_BOOL,
	CFG_V_INT,
	CFG_V_ARRAY,
	CFG_V_BARE,		/* anything else; text kept for the message */
};

/* One decoded TOML value. */
struct cfg_value {
	enum cfg_vtype	 type;
	char		*s;		/* string, or the token as written */
	bool		 b;
	long long	 i;
	char		**items;	/* array elements, decoded */
	unsigned	 nitems;
	bool		 notstr;	/* an array element was not a string */
};

/* Which keys a reload (SIGHUP) may change: none yet, see the man page. */
enum cfg_scope {
	CFG_RESTART,
	CFG_RELOAD,
};

struct cfg_ctx;
struct cfg_key;

typedef bool cfg_set_fn(struct cfg_ctx *, const struct cfg_key *,
    const struct cfg_value *);

/* One key of server.toml or client.toml. */
struct cfg_key {
	const char	*section;
	const char	*name;
	enum cfg_vtype	 type;
	const char	*def;		/* default as text; NULL: unset */
	long long	 min, max;	/* integers; arrays: max elements */
	size_t		 off;		/* field */
	size_t		 noff;		/* array count field */
	cfg_set_fn	*set;
	enum cfg_scope	 scope;
};

struct cfg_ops {
	/* A section header; false when reported (its keys are skipped). */
	bool	(*section)(struct cfg_ctx *, const char *);
	/* One key = value line. */
	void	(*key)(struct cfg_ctx *, const char *section, const char *key,
		    const struct cfg_value *);
};

struct cfg_ctx {
	const char		*path;		/* as given, for messages */
	char			*dir;		/* for relative paths */
	FILE			*f;
	char			*line;		/* current physical line */
	size_t			 linesz;
	unsigned		 lineno;	/* physical line number */
	unsigned		 keyline;	/* line of the current key */
	char			 key[CFG_MAX_KEY + 1];
	struct cfg_value	 cur;		/* value for the handler */
	bool			 skip;		/* in an unknown section */

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

	/* authorized-clients file */
	struct server_config	*sc;
	unsigned		*cl_line;	/* section line per client */
	unsigned		*cl_publine;
	bool			*cl_pubok;
	unsigned		*cl_addrline;
	bool			 cl_range_ok;
};

static void	cfg_value_clear(struct cfg_value *);

/* Printable, bounded copy of a value for a message. */
static const char *
cfg_vis(const char *s, char *buf, size_t len)
{
	size_t i, n = 0;

	for (i = 0; s[i] != '\0' && n + 4 < len; i++) {
		unsigned char c = (unsigned char)s[i];

		buf[n++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	if (s[i] != '\0') {
		buf[n++] = '.';
		buf[n++] = '.';
		buf[n++] = '.';
	}
	buf[n] = '\0';
	return buf;
}

static void	cfg_error(struct cfg_ctx *, unsigned, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/* Add one "FILE:LINE: message" (LINE 0: "FILE: message"). */
static void
cfg_error(struct cfg_ctx *ctx, unsigned line, const char *fmt, ...)
{
	struct cfg_err *e;
	char *msg;
	va_list ap;

	/* A hostile file must not make us collect (and join) millions. */
	if (ctx->nerrs == CFG_MAX_ERRORS) {
		ctx->ndropped++;
		return;
	}
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
	ctx->errv = xreallocarray(ctx->errv, ctx->nerrs + 1,
	    sizeof(*ctx->errv));
	e = &ctx->errv[ctx->nerrs++];
	e->line = line;
	if (line != 0)
		xasprintf(&e->msg, "%s:%u: %s", ctx->path, line, msg);
	else
		xasprintf(&e->msg, "%s: %s", ctx->path, msg);
	free(msg);
}

/* Copy line and a '\n' to buf at n; the new end. */
static size_t
cfg_append_line(char *buf, size_t n, const char *line)
{
	size_t len = strlen(line);

	memcpy(buf + n, line, len);
	buf[n + len] = '\n';
	return n + len + 1;
}

/*
 * Append ctx's errors, in line order (cross-key checks run after the
 * parse), to *out; frees them.  Linear in the total length.
 */
static void
cfg_errors_join(struct cfg_ctx *ctx, char **out)
{
	struct cfg_err tmp;
	unsigned i, j;
	size_t len, n;
	char *all, *more = NULL;

	for (i = 1; i < ctx->nerrs; i++) {	/* stable insertion sort */
		tmp = ctx->errv[i];
		for (j = i; j > 0 && ctx->errv[j - 1].line > tmp.line; j--)
			ctx->errv[j] = ctx->errv[j - 1];
		ctx->errv[j] = tmp;
	}
	if (ctx->ndropped != 0)
		xasprintf(&more, "%s: %u more errors not shown", ctx->path,
		    ctx->ndropped);
	len = *out != NULL ? strlen(*out) + 1 : 0;
	for (i = 0; i < ctx->nerrs; i++)
		len += strlen(ctx->errv[i].msg) + 1;
	if (more != NULL)
		len += strlen(more) + 1;
	if (len != 0) {
		all = xmalloc(len);
		n = 0;
		if (*out != NULL)
			n = cfg_append_line(all, n, *out);
		for (i = 0; i < ctx->nerrs; i++)
			n = cfg_append_line(all, n, ctx->errv[i].msg);
		if (more != NULL)
			n = cfg_append_line(all, n, more);
		all[n - 1] = '\0';	/* the last '\n' */
		free(*out);
		*out = all;
	}
	for (i = 0; i < ctx->nerrs; i++)
		free(ctx->errv[i].msg);
	free(more);
	free(ctx->errv);
	ctx->errv = NULL;
	ctx->nerrs = 0;
	ctx->ndropped = 0;
}

/* "FILE:LINE: KEY: 'VALUE': problem", or without the value if NULL. */
static void	cfg_keyerr(struct cfg_ctx *, const char *, const char *,
    const char *, ...) __attribute__((format(printf, 4, 5)));
/* The same for a file path, quoted whole (up to PATH_MAX). */
static void	cfg_patherr(struct cfg_ctx *, const char *, const char *,
    const char *, ...) __attribute__((format(printf, 4, 5)));

static void
cfg_vkeyerr(struct cfg_ctx *ctx, const char *key, const char *value,
    char *vis, size_t vislen, const char *fmt, va_list ap)
{
	char *msg;

	if (ctx->keyline == 0)
		fatalx("config: default of %s is invalid", key);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatal("vasprintf");
	if (value != NULL)
		cfg_error(ctx, ctx->keyline, "%s: '%s': %s", key,
		    cfg_vis(value, vis, vislen), msg);
	else
		cfg_error(ctx, ctx->keyline, "%s: %s", key, msg);
	free(msg);
}

static void
cfg_keyerr(struct cfg_ctx *ctx, const char *key, const char *value,
    const char *fmt, ...)
{
	char vis[CFG_VIS_LEN];
	va_list ap;

	va_start(ap, fmt);
	cfg_vkeyerr(ctx, key, value, vis, sizeof(vis), fmt, ap);
	va_end(ap);
}

static void
cfg_patherr(struct cfg_ctx *ctx, const char *key, const char *path,
    const char *fmt, ...)
{
	char *vis;
	va_list ap;

	vis = xmalloc(CFG_VIS_PATH_LEN);
	va_start(ap, fmt);
	cfg_vkeyerr(ctx, key, path, vis, CFG_VIS_PATH_LEN, fmt, ap);
	va_end(ap);
	free(vis);
}

/* ---- lexer ------------------------------------------------------------ */

static bool
cfg_bare_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static const char *
cfg_skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/*
 * Read the next physical line into ctx->line; false at end of file.  At
 * most CFG_MAX_LINE bytes are kept (everything after them would be
 * copied again by each string of an array): a longer line, or one with
 * a NUL byte, is reported and read as empty.
 */
static bool
cfg_getline(struct cfg_ctx *ctx)
{
	size_t n = 0, total = 0;
	bool nul = false;
	int c;

	if (ctx->line == NULL) {
		ctx->linesz = CFG_MAX_LINE + 1;
		ctx->line = xmalloc(ctx->linesz);
	}
	while ((c = getc(ctx->f)) != EOF) {
		total++;
		if (c == '\n')
			break;
		if (c == '\0')
			nul = true;
		if (n < CFG_MAX_LINE)
			ctx->line[n++] = (char)c;
	}
	if (total == 0)
		return false;
	ctx->lineno++;
	ctx->line[n] = '\0';
	if (nul || total - (c == '\n') > CFG_MAX_LINE) {
		if (nul)
			cfg_error(ctx, ctx->lineno, "NUL byte in line");
		else
			cfg_error(ctx, ctx->lineno, "line too long (at most %d "
			    "bytes)", CFG_MAX_LINE);
		ctx->line[0] = '\0';
		return true;
	}
	while (n > 0 && ctx->line[n - 1] == '\r')
		ctx->line[--n] = '\0';
	if (ctx->lineno == 1 && strncmp(ctx->line, "\xef\xbb\xbf", 3) == 0)
		memmove(ctx->line, ctx->line + 3, n - 2);
	return true;
}

/* Append a code point as UTF-8. */
static void
cfg_put_utf8(char *out, size_t *n, unsigned long cp)
{
	if (cp < 0x80)
		out[(*n)++] = (char)cp;
	else if (cp < 0x800) {
		out[(*n)++] = (char)(0xc0 | (cp >> 6));
		out[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		out[(*n)++] = (char)(0xe0 | (cp >> 12));
		out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		out[(*n)++] = (char)(0xf0 | (cp >> 18));
		out[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
		out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[(*n)++] = (char)(0x80 | (cp & 0x3f));
	}
}

/*
 * Lex a basic ("...") or literal ('...') string at *pp; on success
 * *out is the decoded string and *pp points after the closing quote.
 * Reports and returns false on a bad escape or a missing quote.
 */
static bool
cfg_lex_string(struct cfg_ctx *ctx, const char **pp, char **out)
{
	const char *p = *pp, *esc;
	char quote = *p++, *buf, bad[12];
	size_t n = 0, k, elen;
	unsigned long cp;

	if (p[0] == quote && p[1] == quote) {
		cfg_keyerr(ctx, ctx->key, NULL,
		    "multi-line strings are not supported");
		return false;
	}
	buf = xmalloc(strlen(p) + 1);	/* escapes never grow the text */
	for (;;) {
		if (*p == '\0') {
			cfg_keyerr(ctx, ctx->key, NULL, "unterminated string");
			goto fail;
		}
		if (*p == quote)
			break;
		if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f) {
			cfg_keyerr(ctx, ctx->key, NULL,
			    "control character in string");
			goto fail;
		}
		if (*p != '\\' || quote == '\'') {
			buf[n++] = *p++;
			continue;
		}
		esc = p++;
		switch (*p++) {
		case 'b': buf[n++] = '\b'; continue;
		case 't': buf[n++] = '\t'; continue;
		case 'n': buf[n++] = '\n'; continue;
		case 'f': buf[n++] = '\f'; continue;
		case 'r': buf[n++] = '\r'; continue;
		case '"': buf[n++] = '"'; continue;
		case '\\': buf[n++] = '\\'; continue;
		case 'u': elen = 4; break;
		case 'U': elen = 8; break;
		default:
			elen = 0;
			goto badesc;
		}
		cp = 0;
		for (k = 0; k < elen; k++) {
			int c = (unsigned char)p[k], d;

			if (c >= '0' && c <= '9')
				d = c - '0';
			else if (c >= 'a' && c <= 'f')
				d = c - 'a' + 10;
			else if (c >= 'A' && c <= 'F')
				d = c - 'A' + 10;
			else
				goto badesc;
			cp = cp * 16 + (unsigned long)d;
		}
		/* No NUL (C strings), no surrogates, nothing past Unicode. */
		if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			goto badesc;
		p += elen;
		cfg_put_utf8(buf, &n, cp);
		continue;
badesc:
		k = strnlen(esc, 2 + elen);
		memcpy(bad, esc, k);
		bad[k] = '\0';
		cfg_keyerr(ctx, ctx->key, bad, "invalid escape sequence");
		goto fail;
	}
	buf[n] = '\0';
	*out = buf;
	*pp = p + 1;
	return true;

fail:
	free(buf);
	return false;
}

/* A bare token: up to whitespace, ',', ']' or '#'. */
static char *
cfg_lex_bare(const char **pp, bool in_array)
{
	const char *p = *pp, *start = p;
	char *s;

	while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '#' &&
	    (!in_array || (*p != ',' && *p != ']')))
		p++;
	s = xmalloc((size_t)(p - start) + 1);
	memcpy(s, start, (size_t)(p - start));
	s[p - start] = '\0';
	*pp = p;
	return s;
}

/* Classify a bare token: true, false, a TOML decimal integer, or BARE. */
static void
cfg_classify(struct cfg_value *v, char *tok)
{
	char digits[32];
	const char *p = tok;
	size_t n = 0;
	bool neg = false;
	long long x;

	v->s = tok;
	v->type = CFG_V_BARE;
	if (strcmp(tok, "true") == 0 || strcmp(tok, "false") == 0) {
		v->type = CFG_V_BOOL;
		v->b = tok[0] == 't';
		return;
	}
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] != '\0'))
		return;
	for (; *p != '\0'; p++) {
		if (*p == '_' && p[-1] >= '0' && p[-1] <= '9' &&
		    p[1] >= '0' && p[1] <= '9')
			continue;
		if (*p < '0' || *p > '9')
			return;
		if (n < sizeof(digits) - 1)
			digits[n++] = *p;
	}
	digits[n] = '\0';
	errno = 0;
	x = strtoll(digits, NULL, 10);
	if (errno == ERANGE || n >= sizeof(digits) - 1)
		x = LLONG_MAX;		/* saturate: the range check reports */
	v->type = CFG_V_INT;
	v->i = neg ? -x : x;
}

/* Skip spaces, comments and line ends inside an array; false at EOF. */
static bool
cfg_array_ws(struct cfg_ctx *ctx, const char **pp)
{
	const char *p = *pp;

	for (;;) {
		p = cfg_skip_ws(p);
		if (*p != '\0' && *p != '#')
			break;
		if (!cfg_getline(ctx))
			return false;
		p = ctx->line;
	}
	*pp = p;
	return true;
}

/* Lex an array of scalars, possibly over several lines. */
static bool
cfg_lex_array(struct cfg_ctx *ctx, const char **pp, struct cfg_value *v)
{
	const char *p = *pp + 1;
	char *s;

	v->type = CFG_V_ARRAY;
	for (;;) {
		if (!cfg_array_ws(ctx, &p))
			goto eof;
		if (*p == ']')
			break;
		if (*p == '[' || *p == '{') {
			cfg_keyerr(ctx, ctx->key, NULL,
			    "nested arrays and tables are not supported");
			return false;
		}
		if (*p == '"' || *p == '\'') {
			if (!cfg_lex_string(ctx, &p, &s))
				return false;
		} else {
			s = cfg_lex_bare(&p, true);
			v->notstr = true;
		}
		if (v->nitems == CFG_MAX_ITEMS) {
			free(s);
			cfg_keyerr(ctx, ctx->key, NULL, "too many elements");
			return false;
		}
		v->items = xreallocarray(v->items, v->nitems + 1,
		    sizeof(*v->items));
		v->items[v->nitems++] = s;
		if (!cfg_array_ws(ctx, &p))
			goto eof;
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p == ']')
			break;
		cfg_keyerr(ctx, ctx->key, p, "expected ',' or ']' in array");
		return false;
	}
	*pp = p + 1;
	return true;
eof:
	cfg_keyerr(ctx, ctx->key, NULL, "unterminated array");
	return false;
}

/* Parse "[a.b]" at p; writes the name; false (reported) if malformed. */
static bool
cfg_lex_section(struct cfg_ctx *ctx, const char *p, char *name, size_t len)
{
	char vis[CFG_VIS_LEN];
	const char *line = p;
	size_t n = 0;

	if (p[1] == '[') {
		cfg_error(ctx, ctx->lineno, "'%s': arrays of tables are not "
		    "supported", cfg_vis(line, vis, sizeof(vis)));
		return false;
	}
	p = cfg_skip_ws(p + 1);
	for (;;) {
		if (!cfg_bare_char((unsigned char)*p))
			goto bad;
		while (cfg_bare_char((unsigned char)*p)) {
			if (n + 1 >= len)
				goto bad;
			name[n++] = *p++;
		}
		p = cfg_skip_ws(p);
		if (*p != '.')
			break;
		if (n + 1 >= len)
			goto bad;
		name[n++] = *p++;
		p = cfg_skip_ws(p);
	}
	name[n] = '\0';
	if (*p != ']')
		goto bad;
	p = cfg_skip_ws(p + 1);
	if (*p != '\0' && *p != '#')
		goto bad;
	return true;
bad:
	cfg_error(ctx, ctx->lineno, "'%s': invalid section header (expected "
	    "[name] or [name.sub], at most %d characters)",
	    cfg_vis(line, vis, sizeof(vis)), CFG_MAX_SECTION);
	return false;
}

/*
 * The ini_reader: read one TOML line (or several, for an array), lex it,
 * and give inih an equivalent line it cannot misread.
 */
static char *
cfg_reader(char *str, int num, void *arg)
{
	struct cfg_ctx *ctx = arg;
	char name[CFG_MAX_SECTION + 1], vis[CFG_VIS_LEN], *tok;
	const char *p;
	size_t n;

	cfg_value_clear(&ctx->cur);
	if (!cfg_getline(ctx))
		return NULL;
	str[0] = '\n';
	str[1] = '\0';
	p = cfg_skip_ws(ctx->line);
	if (*p == '\0' || *p == '#')
		return str;
	ctx->keyline = ctx->lineno;
	if (*p == '[') {
		if (!cfg_lex_section(ctx, p, name, sizeof(name)) ||
		    !ctx->ops->section(ctx, name)) {
			ctx->skip = true;
			return str;
		}
		ctx->skip = false;
		snprintf(str, (size_t)num, "[%s]\n", name);
		return str;
	}

	/* key = value; keys are bare, dotted keys allowed */
	for (n = 0; cfg_bare_char((unsigned char)*p) || *p == '.'; p++) {
		if (n == CFG_MAX_KEY)
			break;
		ctx->key[n++] = *p;
	}
	ctx->key[n] = '\0';
	p = cfg_skip_ws(p);
	if (n == 0 || *p != '=' || ctx->key[0] == '.' ||
	    ctx->key[n - 1] == '.' || strstr(ctx->key, "..") != NULL) {
		if (*p == '"' || *p == '\'')
			cfg_error(ctx, ctx->lineno, "'%s': quoted keys are not "
			    "supported", cfg_vis(ctx->line, vis, sizeof(vis)));
		else
			cfg_error(ctx, ctx->lineno, "'%s': expected KEY = VALUE",
			    cfg_vis(ctx->line, vis, sizeof(vis)));
		return str;
	}
	p = cfg_skip_ws(p + 1);
	if (*p == '\0' || *p == '#') {
		cfg_keyerr(ctx, ctx->key, NULL, "missing value");
		return str;
	}
	if (*p == '"' || *p == '\'') {
		ctx->cur.type = CFG_V_STRING;
		if (!cfg_lex_string(ctx, &p, &ctx->cur.s))
			goto fail;
	} else if (*p == '[') {
		if (!cfg_lex_array(ctx, &p, &ctx->cur))
			goto fail;
	} else if (*p == '{') {
		cfg_keyerr(ctx, ctx->key, NULL, "inline tables are not "
		    "supported");
		goto fail;
	} else {
		tok = cfg_lex_bare(&p, false);
		cfg_classify(&ctx->cur, tok);
	}
	p = cfg_skip_ws(p);
	if (*p != '\0' && *p != '#') {
		cfg_keyerr(ctx, ctx->key, p, "unexpected text after the value");
		goto fail;
	}
	if (ctx->skip)
		goto fail;		/* in a section already reported */
	snprintf(str, (size_t)num, "%s=x\n", ctx->key);
	return str;

fail:
	cfg_value_clear(&ctx->cur);
	return str;
}

/* inih's handler: the real value waits in ctx->cur. */
static int
cfg_handler(void *arg, const char *section, const char *name,
    const char *value)
{
	struct cfg_ctx *ctx = arg;

	if (ctx->cur.type == CFG_V_NONE)
		return 1;
	ctx->ops->key(ctx, section, name, &ctx->cur);
	cfg_value_clear(&ctx->cur);
	return 1;
}

static void
cfg_value_clear(struct cfg_value *v)
{
	unsigned i;

	free(v->s);
	for (i = 0; i < v->nitems; i++)
		free(v->items[i]);
	free(v->items);
	memset(v, 0, sizeof(*v));
}

/* The directory relative paths in the file are taken from. */
static char *
cfg_dir_of(const char *path)
{
	char cwd[PATH_MAX], *dir, *slash;

	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')) != NULL) {
		slash[slash == dir ? 1 : 0] = '\0';
		if (dir[0] == '/')
			return dir;
	} else
		dir[0] = '\0';
	if (getcwd(cwd, sizeof(cwd)) == NULL) {
		free(dir);
		return xstrdup(".");
	}
	if (dir[0] == '\0') {
		free(dir);
		return xstrdup(cwd);
	}
	xasprintf(&slash, "%s/%s", cwd, dir);
	free(dir);
	return slash;
}

/* Read and parse one file; errors go to ctx. */
static void
cfg_parse(struct cfg_ctx *ctx)
{
	struct stat st;
	int rv;

	ctx->dir = cfg_dir_of(ctx->path);
	if ((ctx->f = fopen(ctx->path, "re")) == NULL) {
		cfg_error(ctx, 0, "%s", strerror(errno));
		return;
	}
	if (fstat(fileno(ctx->f), &st) == 0 && S_ISDIR(st.st_mode)) {
		cfg_error(ctx, 0, "%s", strerror(EISDIR));
		goto out;
	}
	ctx->opened = true;
	rv = ini_parse_stream(cfg_reader, ctx, cfg_handler, ctx);
	if (ferror(ctx->f))
		cfg_error(ctx, 0, "read error: %s", strerror(errno));
	else if (rv != 0)
		cfg_error(ctx, 0, "parse error (inih returned %d)", rv);
out:
	cfg_value_clear(&ctx->cur);
	fclose(ctx->f);
	ctx->f = NULL;
	free(ctx->line);
	ctx->line = NULL;
}

static void
cfg_ctx_done(struct cfg_ctx *ctx)
{
	free(ctx->dir);
	ctx->dir = NULL;
	free(ctx->seen);
	ctx->seen = NULL;
	free(ctx->bad);
	ctx->bad = NULL;
}

/* ---- typed setters ---------------------------------------------------- */

#define CFG_FIELD(ctx, k, type)	((type *)((char *)(ctx)->obj + (k)->off))

static bool
cfg_set_bool(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct cfg_value *v)
{
	*CFG_FIELD(ctx, k, bool) = v->b;
	return true;
}

static bool
cfg_set_uint(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct cfg_value *v)
{
	if (v->i < k->min || v->i > k->max) {
		cfg_keyerr(ctx, k->name, v->s, "must be %lld..%lld", k->min,
		    k->max);
		return false;
	}
	*CFG_FIELD(ctx, k, unsigned) = (unsigned)v->i;
	return true;
}

static bool
cfg_set_str(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct cfg_value *v)
{
	char **field = CFG_FIELD(ctx, k, char *);

	if (v->s[0] == '\0') {
		cfg_keyerr(ctx, k->name, v->s, "must not be empty");
		return false;
	}
	free(*field);
	*field = xstrdup(v->s);
	return true;
}

/* A path; relative ones are taken from the config file's directory. */
static bool
cfg_set_path(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct cfg_value *v)
{
	char **field = CFG_FIELD(ctx, k, char *);

	if (v->s[0] == '\0') {
		cfg_keyerr(ctx, k->name, v->s, "must not be empty");
		return false;
	}
	free(*field);
	if (v->s[0] == '/' || ctx->dir == NULL)
		*field = xstrdup(v->s);
	else
		xasprintf(field, "%s%s%s", ctx->dir,
		    ctx->dir[strlen(ctx->dir) - 1] == '/' ? "" : "/", v->s);
	return true;
}

/*
 * A directory to chroot to: a path as cfg_set_path makes it, which must
 * be absolute (it is unless the working directory is unknown) and an
 * existing directory.
 */
static bool
cfg_set_chroot(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct cfg_value *v)
{
	char **field = CFG_FIELD(ctx, k, char *);
	struct stat st;

	if (!cfg_set_path(ctx, k, v))
		return false;
	if ((*field)[0] != '/')
		cfg_patherr(ctx, k->name, *field, "not an absolute path");
	else if (stat(*field, &st) == -1)
		cfg_patherr(ctx, k->name, *field, "%s", errno == ENOENT ?
		    "no such directory" : strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		cfg_patherr(ctx, k->name, *field, "not a directory");
	else
		return true;
	free(*field);
	*field = NULL;
	return false;
}

static bool
cfg_set_socket(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct cfg_value *v)
{
	struct sockaddr_un sun;
	char **field = CFG_FIELD(ctx, k, char *);

	if (!cfg_set_path(ctx, k, v))
		return false;
	if (strlen(*field) >= sizeof(sun.sun_path)) {
		cfg_keyerr(ctx, k->name, *field, "too long for a UNIX socket "
		    "path (at most %zu bytes)", sizeof(sun.sun_path) - 1);
		return false;
	}
	return true;
}

static bool
cfg_set_log_level(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct cfg_value *v)
{
	if (!log_level_parse(v->s, CFG_FIELD(ctx, k, enum log_level))) {
		cfg_keyerr(ctx, k->name, v->s,
		    "must be error, warn, info, debug or trace");
		return false;
	}
	return true;
}

/* An interface name as Linux accepts it (dev_valid_name). */
static bool
cfg_set_ifname(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct cfg_value *v)
{
	size_t len = strlen(v->s);
	const char *p;

	for (p = v->s; *p != '\0'; p++) {
		if (*p == '/' || *p == ':' || (unsigned char)*p <= ' ' ||
		    *p == 0x7f)
			break;
	}
	if (len == 0 || len >= IFNAMSIZ || *p != '\0' ||
	    strcmp(v->s, ".") == 0 || strcmp(v->s, "..") == 0) {
		cfg_keyerr(ctx, k->name, v->s, "must be 1..%d characters "
		    "without '/', ':' or spaces", IFNAMSIZ - 1);
		return false;
	}
	return cfg_set_str(ctx, k, v);
}

static bool
cfg_set_bind(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct cfg_value *v)
{
	struct server_config *sc = ctx->obj;
	struct in6_addr a6;
	const char *why;
	char *host;
	uint16_t port;

	if (!ipaddr_parse_hostport_why(v->s, &host, &port, 443, &why)) {
		cfg_keyerr(ctx, k->name, v->s, "%s", why);
		return false;
	}
	if (inet_pton(AF_INET, host, &a6) != 1 &&
	    inet_pton(AF_INET6, host, &a6) != 1) {
		free(host);
		cfg_keyerr(ctx, k->name, v->s, "not an IP address "
		    "(e.g. 0.0.0.0:443 or [::]:443)");
		return false;
	}
	free(sc->bind_address);
	free(sc->bind_host);
	sc->bind_address = xstrdup(v->s);
	sc->bind_host = host;
	sc->bind_port = port;
	return true;
}

/*
 * Normalise a WebSocket path; NULL with *problem (written into pbuf) if
 * it holds a character outside RFC 3986 pchar or a dot segment.
 */
static char *
cfg_ws_path(const char *s, char *pbuf, size_t plen)
{
	static const char ok[] = "-._~!$&'()*+,;=:@/";
	char *out, *seg;
	size_t n = 0, len;
	const char *p;

	for (p = s; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr(ok, *p) != NULL)) {
			if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
				snprintf(pbuf, plen, "invalid character "
				    "0x%02x in path", (unsigned char)*p);
			else
				snprintf(pbuf, plen, "invalid character '%c' "
				    "in path", *p);
			return NULL;
		}
	}
	out = xmalloc(strlen(s) + 2);
	out[n++] = '/';
	for (p = s; *p != '\0'; p++) {
		if (*p == '/' && out[n - 1] == '/')
			continue;	/* never doubled */
		out[n++] = *p;
	}
	out[n] = '\0';
	while (n > 1 && out[n - 1] == '/')
		out[--n] = '\0';
	if (n >= 4 && strcmp(out + n - 4, "/tun") == 0) {
		n -= 4;
		out[n] = '\0';
	}
	while (n > 1 && out[n - 1] == '/')
		out[--n] = '\0';
	if (n == 0) {
		out[n++] = '/';
		out[n] = '\0';
	}
	for (seg = out; seg != NULL; seg = strchr(seg + 1, '/')) {
		len = strcspn(seg + 1, "/");
		if ((len == 1 && seg[1] == '.') ||
		    (len == 2 && seg[1] == '.' && seg[2] == '.')) {
			snprintf(pbuf, plen, "'.' and '..' segments are not "
			    "allowed");
			free(out);
			return NULL;
		}
	}
	return out;
}

char *
config_normalise_ws_path(const char *s)
{
	char why[64];

	return cfg_ws_path(s, why, sizeof(why));
}

/* The path "/tun" is appended to, never producing "//tun". */
static char *
cfg_tun_path(const char *path)
{
	char *t;

	xasprintf(&t, "%s/tun", strcmp(path, "/") == 0 ? "" : path);
	return t;
}

static bool
cfg_set_ws_path(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct cfg_value *v)
{
	struct server_config *sc = ctx->obj;
	char why[64], *path;

	if (v->s[0] == '\0' || (path = cfg_ws_path(v->s, why,
	    sizeof(why))) == NULL) {
		cfg_keyerr(ctx, k->name, v->s, "%s",
		    v->s[0] == '\0' ? "must not be empty" : why);
		return false;
	}
	free(sc->websocket_path);
	free(sc->tun_path);
	sc->websocket_path = path;
	sc->tun_path = cfg_tun_path(path);
	return true;
}

static bool
cfg_set_range(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct cfg_value *v)
{
	struct config_cidr4 *c = CFG_FIELD(ctx, k, struct config_cidr4);
	struct in_addr a, net;
	const char *why;
	char buf[INET_ADDRSTRLEN];
	uint8_t prefix;

	if (!ipaddr_parse_cidr4_why(v->s, &a, &prefix, true, &why)) {
		if (strncmp(why, "prefix", 6) == 0)
			why = "prefix length must be 8..30";
		cfg_keyerr(ctx, k->name, v->s, "%s", why);
		return false;
	}
	if (prefix < 8 || prefix > 30) {
		cfg_keyerr(ctx, k->name, v->s, "prefix length must be 8..30");
		return false;
	}
	net.s_addr = a.s_addr & ipaddr_mask4(prefix);
	if (net.s_addr != a.s_addr) {
		cfg_keyerr(ctx, k->name, v->s, "host bits set (the network is "
		    "%s/%u)", ipaddr_str4(net, buf, sizeof(buf)), prefix);
		return false;
	}
	c->addr = net;
	c->prefix = prefix;
	return true;
}

/* Too many array elements for the key? */
static bool
cfg_check_count(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct cfg_value *v)
{
	if (v->nitems > (unsigned)k->max) {
		cfg_keyerr(ctx, k->name, NULL, "too many entries (%u), at most "
		    "%lld", v->nitems, k->max);
		return false;
	}
	return true;
}

static bool
cfg_set_dns(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct cfg_value *v)
{
	struct in_addr *a = CFG_FIELD(ctx, k, struct in_addr), tmp[CONFIG_MAX_DNS];
	unsigned *n = (unsigned *)((char *)ctx->obj + k->noff), i;
	bool ok = true;

	if (!cfg_check_count(ctx, k, v))
		return false;
	for (i = 0; i < v->nitems; i++) {
		if (!ipaddr_parse4(v->items[i], &tmp[i])) {
			cfg_keyerr(ctx, k->name, v->items[i],
			    "not an IPv4 address");
			ok = false;
		}
	}
	if (!ok)
		return false;
	memcpy(a, tmp, v->nitems * sizeof(*a));
	*n = v->nitems;
	return true;
}

/* CIDR lists: routes (prefixes) and trusted_proxies (addresses too). */
static bool
cfg_set_cidrs(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct cfg_value *v)
{
	struct config_cidr4 *c = CFG_FIELD(ctx, k, struct config_cidr4);
	struct config_cidr4 tmp[CONFIG_MAX_ROUTES + CONFIG_MAX_PROXIES];
	unsigned *n = (unsigned *)((char *)ctx->obj + k->noff), i;
	bool ok = true, addr_ok = strcmp(k->name, "trusted_proxies") == 0;
	const char *why;

	if (!cfg_check_count(ctx, k, v))
		return false;
	for (i = 0; i < v->nitems; i++) {
		if (addr_ok && strchr(v->items[i], '/') == NULL &&
		    ipaddr_parse4(v->items[i], &tmp[i].addr)) {
			tmp[i].prefix = 32;
			continue;
		}
		if (!ipaddr_parse_cidr4_why(v->items[i], &tmp[i].addr,
		    &tmp[i].prefix, false, &why)) {
			cfg_keyerr(ctx, k->name, v->items[i], "%s", why);
			ok = false;
		}
	}
	if (!ok)
		return false;
	memcpy(c, tmp, v->nitems * sizeof(*c));
	*n = v->nitems;
	return true;
}

/* Parse a server URL into cc; false with a static or pbuf problem. */
static bool
cfg_url(struct client_config *cc, const char *url, char *pbuf, size_t plen)
{
	const char *p, *auth, *why;
	char *hostport, *host, *path;
	uint16_t port;
	size_t alen;
	bool tls;

	if (strncasecmp(url, "wss://", 6) == 0) {
		tls = true;
		auth = url + 6;
	} else if (strncasecmp(url, "ws://", 5) == 0) {
		tls = false;
		auth = url + 5;
	} else {
		snprintf(pbuf, plen, "must start with wss:// or ws://");
		return false;
	}
	alen = strcspn(auth, "/?#");
	p = auth + alen;
	if (*p == '?' || *p == '#' || strchr(p, '?') || strchr(p, '#')) {
		snprintf(pbuf, plen, "a query or fragment is not supported");
		return false;
	}
	hostport = xmalloc(alen + 1);
	memcpy(hostport, auth, alen);
	hostport[alen] = '\0';
	if (strchr(hostport, '@') != NULL) {
		free(hostport);
		snprintf(pbuf, plen, "user information is not supported");
		return false;
	}
	if (!ipaddr_parse_hostport_why(hostport, &host, &port,
	    tls ? 443 : 80, &why)) {
		free(hostport);
		snprintf(pbuf, plen, "%s", why);
		return false;
	}
	free(hostport);
	if (*p == '\0')
		path = xstrdup("/api/v1/ws");
	else if ((path = cfg_ws_path(p, pbuf, plen)) == NULL) {
		free(host);
		return false;
	}
	free(cc->server_url);
	free(cc->url_host);
	free(cc->url_path);
	free(cc->tun_path);
	cc->server_url = xstrdup(url);
	cc->url_tls = tls;
	cc->url_host = host;
	cc->url_port = port;
	cc->url_path = path;
	cc->tun_path = cfg_tun_path(path);
	return true;
}

bool
client_config_set_url(struct client_config *cc, const char *url, char **cause)
{
	char why[96], vis[CFG_VIS_LEN];

	if (cfg_url(cc, url, why, sizeof(why)))
		return true;
	xasprintf(cause, "'%s': %s", cfg_vis(url, vis, sizeof(vis)), why);
	return false;
}

static bool
cfg_set_url(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct cfg_value *v)
{
	char why[96];

	if (!cfg_url(ctx->obj, v->s, why, sizeof(why))) {
		cfg_keyerr(ctx, k->name, v->s, "%s", why);
		return false;
	}
	return true;
}

static bool
cfg_set_server_key(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct cfg_value *v)
{
	struct client_config *cc = ctx->obj;

	if (!key_from_base64(v->s, cc->server_key)) {
		cfg_keyerr(ctx, k->name, v->s, "not a key (expected 44 base64 "
		    "characters)");
		return false;
	}
	cc->has_server_key = true;
	return true;
}

/* ---- key tables -------------------------------------------------------- */

#define S(f)	offsetof(struct server_config, f)
#define C(f)	offsetof(struct client_config, f)
#define SRV	"server"
#define NET	"server.network"
#define CLI	"client"

static const struct cfg_key server_keys[] = {
	{ SRV, "bind_address", CFG_V_STRING, "0.0.0.0:443", 0, 0,
	    S(bind_address), 0, cfg_set_bind, CFG_RESTART },
	{ SRV, "tls_cert_file", CFG_V_STRING, NULL, 0, 0,
	    S(tls_cert_file), 0, cfg_set_path, CFG_RESTART },
	{ SRV, "tls_key_file", CFG_V_STRING, NULL, 0, 0,
	    S(tls_key_file), 0, cfg_set_path, CFG_RESTART },
	{ SRV, "identity_key_file", CFG_V_STRING,
	    SYSCONFDIR "/rvpn/server_identity.key", 0, 0,
	    S(identity_key_file), 0, cfg_set_path, CFG_RESTART },
	{ SRV, "websocket_path", CFG_V_STRING, "/api/v1/ws", 0, 0,
	    S(websocket_path), 0, cfg_set_ws_path, CFG_RESTART },
	{ SRV, "authorized_clients_file", CFG_V_STRING, NULL, 0, 0,
	    S(authorized_clients_file), 0, cfg_set_path, CFG_RESTART },
	/* Default: the pool's capacity, at most CFG_POOL_LIMIT (below). */
	{ SRV, "max_clients", CFG_V_INT, NULL, 1, 65534,
	    S(max_clients), 0, cfg_set_uint, CFG_RESTART },
	{ SRV, "idle_timeout", CFG_V_INT, "0", 0, 604800,
	    S(idle_timeout), 0, cfg_set_uint, CFG_RESTART },
	{ SRV, "keepalive", CFG_V_INT, "25", 0, 3600,
	    S(keepalive), 0, cfg_set_uint, CFG_RESTART },
	{ SRV, "log_level", CFG_V_STRING, "info", 0, 0,
	    S(log_level), 0, cfg_set_log_level, CFG_RESTART },
	{ SRV, "user", CFG_V_STRING, NULL, 0, 0,
	    S(user), 0, cfg_set_str, CFG_RESTART },
	{ SRV, "group", CFG_V_STRING, NULL, 0, 0,
	    S(group), 0, cfg_set_str, CFG_RESTART },
	{ SRV, "control_socket", CFG_V_STRING,
	    RUNSTATEDIR "/rvpn/rvpn-server.sock", 0, 0,
	    S(control_socket), 0, cfg_set_socket, CFG_RESTART },
	{ SRV, "pid_file", CFG_V_STRING, RUNSTATEDIR "/rvpn/rvpn-server.pid",
	    0, 0, S(pid_file), 0, cfg_set_path, CFG_RESTART },
	{ SRV, "chroot", CFG_V_STRING, NULL, 0, 0,
	    S(chroot_dir), 0, cfg_set_chroot, CFG_RESTART },
	{ SRV, "trusted_proxies", CFG_V_ARRAY, "", 0, CONFIG_MAX_PROXIES,
	    S(trusted_proxies), S(ntrusted_proxies), cfg_set_cidrs,
	    CFG_RESTART },

	{ NET, "nat_enabled", CFG_V_BOOL, "false", 0, 0,
	    S(nat_enabled), 0, cfg_set_bool, CFG_RESTART },
	{ NET, "dhcp_range", CFG_V_STRING, "10.200.0.0/24", 0, 0,
	    S(dhcp_range), 0, cfg_set_range, CFG_RESTART },
	{ NET, "dns_servers", CFG_V_ARRAY, "", 0, CONFIG_MAX_DNS,
	    S(dns_servers), S(ndns_servers), cfg_set_dns, CFG_RESTART },
	{ NET, "tun_name", CFG_V_STRING, "tun0", 0, 0,
	    S(tun_name), 0, cfg_set_ifname, CFG_RESTART },
	{ NET, "mtu", CFG_V_INT, "1400", 576, 9000,
	    S(mtu), 0, cfg_set_uint, CFG_RESTART },
	{ NET, "client_to_client", CFG_V_BOOL, "false", 0, 0,
	    S(client_to_client), 0, cfg_set_bool, CFG_RESTART },
	{ NET, "egress_interface", CFG_V_STRING, NULL, 0, 0,
	    S(egress_interface), 0, cfg_set_ifname, CFG_RESTART },
	{ NET, "routes", CFG_V_ARRAY, "", 0, CONFIG_MAX_ROUTES,
	    S(routes), S(nroutes), cfg_set_cidrs, CFG_RESTART },
};
static const char *const server_sections[] = { SRV, NET, NULL };

static const struct cfg_key client_keys[] = {
	{ CLI, "server_url", CFG_V_STRING, NULL, 0, 0,
	    C(server_url), 0, cfg_set_url, CFG_RESTART },
	{ CLI, "server_public_key", CFG_V_STRING, NULL, 0, 0,
	    C(server_key), 0, cfg_set_server_key, CFG_RESTART },
	{ CLI, "identity_key_file", CFG_V_STRING,
	    SYSCONFDIR "/rvpn/client.key", 0, 0,
	    C(identity_key_file), 0, cfg_set_path, CFG_RESTART },
	{ CLI, "ca_file", CFG_V_STRING, NULL, 0, 0,
	    C(ca_file), 0, cfg_set_path, CFG_RESTART },
	{ CLI, "insecure", CFG_V_BOOL, "false", 0, 0,
	    C(insecure), 0, cfg_set_bool, CFG_RESTART },
	{ CLI, "routes", CFG_V_ARRAY, "", 0, CONFIG_MAX_ROUTES,
	    C(routes), C(nroutes), cfg_set_cidrs, CFG_RESTART },
	{ CLI, "dns", CFG_V_BOOL, "true", 0, 0,
	    C(dns), 0, cfg_set_bool, CFG_RESTART },
	{ CLI, "block_ipv6", CFG_V_BOOL, "true", 0, 0,
	    C(block_ipv6), 0, cfg_set_bool, CFG_RESTART },
	{ CLI, "tun_name", CFG_V_STRING, "rvpn0", 0, 0,
	    C(tun_name), 0, cfg_set_ifname, CFG_RESTART },
	{ CLI, "log_level", CFG_V_STRING, "info", 0, 0,
	    C(log_level), 0, cfg_set_log_level, CFG_RESTART },
	{ CLI, "reconnect_max", CFG_V_INT, "60", 1, 3600,
	    C(reconnect_max), 0, cfg_set_uint, CFG_RESTART },
};
static const char *const client_sections[] = { CLI, NULL };

#undef S
#undef C

/* Apply every default through the same setters the file uses. */
static void
cfg_defaults(struct cfg_ctx *ctx)
{
	const struct cfg_key *k;
	struct cfg_value v;
	size_t i;

	ctx->keyline = 0;	/* a failing default is a bug: cfg_keyerr dies */
	for (i = 0; i < ctx->nkeys; i++) {
		k = &ctx->keys[i];
		if (k->def == NULL)
			continue;
		memset(&v, 0, sizeof(v));
		v.type = k->type;
		v.s = (char *)k->def;
		if (k->type == CFG_V_BOOL)
			v.b = strcmp(k->def, "true") == 0;
		else if (k->type == CFG_V_INT)
			v.i = strtoll(k->def, NULL, 10);
		if (!k->set(ctx, k, &v))
			fatalx("config: default of %s is invalid", k->name);
	}
}

/* Known section?  Reports unknown and repeated ones. */
static bool
cfg_table_section(struct cfg_ctx *ctx, const char *name)
{
	unsigned i;

	for (i = 0; ctx->sections[i] != NULL; i++) {
		if (strcmp(ctx->sections[i], name) != 0)
			continue;
		if (ctx->sectline[i] != 0) {
			cfg_error(ctx, ctx->lineno, "[%s]: duplicate section "
			    "(first at line %u)", name, ctx->sectline[i]);
			return false;
		}
		ctx->sectline[i] = ctx->lineno;
		return true;
	}
	cfg_error(ctx, ctx->lineno, "[%s]: unknown section", name);
	return false;
}

static const char *
cfg_type_name(enum cfg_vtype t)
{
	switch (t) {
	case CFG_V_STRING:
		return "expected a quoted string";
	case CFG_V_BOOL:
		return "expected true or false";
	case CFG_V_INT:
		return "expected an integer";
	case CFG_V_ARRAY:
		return "expected an array of strings";
	default:
		return "bad value";
	}
}

/* One key of a table-driven file (server.toml, client.toml). */
static void
cfg_table_key(struct cfg_ctx *ctx, const char *section, const char *name,
    const struct cfg_value *v)
{
	char full[CFG_MAX_SECTION + CFG_MAX_KEY + 2];
	const char *leaf, *dot;
	const struct cfg_key *k = NULL;
	size_t i;

	/* A dotted key "network.mtu" in [server] is [server.network] mtu. */
	if ((dot = strrchr(name, '.')) != NULL) {
		snprintf(full, sizeof(full), "%s%s%.*s", section,
		    section[0] != '\0' ? "." : "", (int)(dot - name), name);
		section = full;
		leaf = dot + 1;
	} else
		leaf = name;
	for (i = 0; i < ctx->nkeys; i++) {
		if (strcmp(ctx->keys[i].section, section) == 0 &&
		    strcmp(ctx->keys[i].name, leaf) == 0) {
			k = &ctx->keys[i];
			break;
		}
	}
	if (k == NULL) {
		if (section[0] == '\0')
			cfg_keyerr(ctx, name, NULL, "unknown key (keys belong "
			    "in a section such as [%s])", ctx->sections[0]);
		else
			cfg_keyerr(ctx, name, NULL, "unknown key in [%s]",
			    section);
		return;
	}
	if (ctx->seen[i] != 0) {
		cfg_keyerr(ctx, name, NULL, "duplicate key (first set at line "
		    "%u)", ctx->seen[i]);
		return;
	}
	ctx->seen[i] = ctx->keyline;
	if (v->type != k->type || (v->type == CFG_V_ARRAY && v->notstr)) {
		cfg_keyerr(ctx, name, v->type == CFG_V_ARRAY ? NULL : v->s,
		    "%s", cfg_type_name(k->type));
		return;
	}
	if (!k->set(ctx, k, v))
		ctx->bad[i] = true;
}

static const struct cfg_ops cfg_table_ops = {
	cfg_table_section, cfg_table_key,
};

/* Index of a key in the table, for its "seen" line. */
static size_t
cfg_key_index(const struct cfg_ctx *ctx, const char *name)
{
	size_t i;

	for (i = 0; i < ctx->nkeys; i++) {
		if (strcmp(ctx->keys[i].name, name) == 0)
			return i;
	}
	fatalx("config: no key %s", name);
}

/* A file named by key must be a readable regular file. */
static bool
cfg_check_readable(struct cfg_ctx *ctx, const char *key, const char *path)
{
	struct stat st;
	bool ok = false;
	int fd;

	if (path == NULL)
		return false;
	ctx->keyline = ctx->seen[cfg_key_index(ctx, key)];
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		cfg_patherr(ctx, key, path, "%s", strerror(errno));
		return false;
	}
	if (fstat(fd, &st) == -1)
		cfg_patherr(ctx, key, path, "%s", strerror(errno));
	else if (!S_ISREG(st.st_mode))
		cfg_patherr(ctx, key, path, "not a regular file");
	else
		ok = true;
	close(fd);
	return ok;
}

/* A key file the program may create: its directory must exist. */
static void
cfg_check_dir(struct cfg_ctx *ctx, const char *key, const char *path)
{
	struct stat st;
	char *dir, *slash;

	ctx->keyline = ctx->seen[cfg_key_index(ctx, key)];
	if (ctx->keyline == 0)
		return;		/* the default: the program creates its dir */
	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')) != NULL)
		slash[slash == dir ? 1 : 0] = '\0';
	if (stat(dir, &st) == -1)
		cfg_patherr(ctx, key, path, "directory %s: %s", dir,
		    strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		cfg_patherr(ctx, key, path, "%s is not a directory", dir);
	else if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		cfg_patherr(ctx, key, path, "not a regular file");
	free(dir);
}

/* ---- the authorized-clients file -------------------------------------- */

static struct config_client *
cfg_cur_client(struct cfg_ctx *ctx)
{
	return &ctx->sc->clients[ctx->sc->nclients - 1];
}

static bool
cfg_clients_section(struct cfg_ctx *ctx, const char *name)
{
	struct server_config *sc = ctx->sc;
	const char *cn;
	unsigned i;

	if (strncmp(name, "client.", 7) != 0 || name[7] == '\0' ||
	    strchr(name + 7, '.') != NULL) {
		cfg_error(ctx, ctx->lineno, "[%s]: unknown section (expected "
		    "[client.NAME])", name);
		return false;
	}
	cn = name + 7;
	for (i = 0; i < sc->nclients; i++) {
		if (strcmp(sc->clients[i].name, cn) == 0) {
			cfg_error(ctx, ctx->lineno, "[%s]: duplicate client "
			    "(first at line %u)", name, ctx->cl_line[i]);
			return false;
		}
	}
	i = sc->nclients + 1;
	sc->clients = xreallocarray(sc->clients, i, sizeof(*sc->clients));
	ctx->cl_line = xreallocarray(ctx->cl_line, i, sizeof(unsigned));
	ctx->cl_publine = xreallocarray(ctx->cl_publine, i, sizeof(unsigned));
	ctx->cl_pubok = xreallocarray(ctx->cl_pubok, i, sizeof(bool));
	ctx->cl_addrline = xreallocarray(ctx->cl_addrline, i,
	    sizeof(unsigned));
	memset(&sc->clients[i - 1], 0, sizeof(sc->clients[i - 1]));
	sc->clients[i - 1].name = xstrdup(cn);
	ctx->cl_line[i - 1] = ctx->lineno;
	ctx->cl_publine[i - 1] = 0;
	ctx->cl_pubok[i - 1] = false;
	ctx->cl_addrline[i - 1] = 0;
	sc->nclients = i;
	return true;
}

static void
cfg_clients_key(struct cfg_ctx *ctx, const char *section, const char *name,
    const struct cfg_value *v)
{
	struct server_config *sc = ctx->sc;
	struct config_client *c;
	unsigned *line, idx, i;
	char buf[INET_ADDRSTRLEN];
	struct in_addr a, net, bcast;
	uint32_t mask;

	if (section[0] == '\0' || sc->nclients == 0) {
		cfg_keyerr(ctx, name, NULL, "unknown key (keys belong in a "
		    "[client.NAME] section)");
		return;
	}
	c = cfg_cur_client(ctx);
	idx = sc->nclients - 1;
	if (strcmp(name, "public_key") == 0)
		line = &ctx->cl_publine[idx];
	else if (strcmp(name, "address") == 0)
		line = &ctx->cl_addrline[idx];
	else {
		cfg_keyerr(ctx, name, NULL, "unknown key in [%s]", section);
		return;
	}
	if (*line != 0) {
		cfg_keyerr(ctx, name, NULL, "duplicate key (first set at line "
		    "%u)", *line);
		return;
	}
	*line = ctx->keyline;
	if (v->type != CFG_V_STRING) {
		cfg_keyerr(ctx, name, v->s, "expected a quoted string");
		return;
	}
	if (line == &ctx->cl_publine[idx]) {
		if (!key_from_base64(v->s, c->pub)) {
			cfg_keyerr(ctx, name, v->s, "not a key (expected 44 "
			    "base64 characters)");
			return;
		}
		for (i = 0; i < idx; i++) {
			if (ctx->cl_pubok[i] &&
			    key_equal(sc->clients[i].pub, c->pub)) {
				cfg_keyerr(ctx, name, v->s, "already the key "
				    "of client '%s' (line %u)",
				    sc->clients[i].name, ctx->cl_publine[i]);
				return;
			}
		}
		ctx->cl_pubok[idx] = true;
		return;
	}
	if (!ipaddr_parse4(v->s, &a)) {
		cfg_keyerr(ctx, name, v->s, "not an IPv4 address");
		return;
	}
	if (ctx->cl_range_ok) {
		mask = ipaddr_mask4(sc->dhcp_range.prefix);
		net = sc->dhcp_range.addr;
		bcast.s_addr = net.s_addr | ~mask;
		if (!ipaddr_in_cidr4(a, net, sc->dhcp_range.prefix)) {
			cfg_keyerr(ctx, name, v->s, "outside dhcp_range %s/%u",
			    ipaddr_str4(net, buf, sizeof(buf)),
			    sc->dhcp_range.prefix);
			return;
		}
		if (a.s_addr == net.s_addr || a.s_addr == bcast.s_addr ||
		    ntohl(a.s_addr) == ntohl(net.s_addr) + 1) {
			cfg_keyerr(ctx, name, v->s, "the network, gateway or "
			    "broadcast address of dhcp_range");
			return;
		}
	}
	for (i = 0; i < idx; i++) {
		if (sc->clients[i].has_addr4 &&
		    sc->clients[i].addr4.s_addr == a.s_addr) {
			cfg_keyerr(ctx, name, v->s, "already the address of "
			    "client '%s' (line %u)", sc->clients[i].name,
			    ctx->cl_addrline[i]);
			return;
		}
	}
	c->has_addr4 = true;
	c->addr4 = a;
}

static const struct cfg_ops cfg_clients_ops = {
	cfg_clients_section, cfg_clients_key,
};

/* Load sc->authorized_clients_file into sc->clients; errors into *errs. */
static void
cfg_load_clients(struct server_config *sc, bool range_ok, char **errs)
{
	struct cfg_ctx ctx;
	unsigned i;

	memset(&ctx, 0, sizeof(ctx));
	ctx.path = sc->authorized_clients_file;
	ctx.ops = &cfg_clients_ops;
	ctx.sc = sc;
	ctx.cl_range_ok = range_ok;
	cfg_parse(&ctx);
	for (i = 0; i < sc->nclients; i++) {
		if (ctx.cl_publine[i] == 0)
			cfg_error(&ctx, ctx.cl_line[i], "[client.%s]: "
			    "public_key is missing", sc->clients[i].name);
	}
	free(ctx.cl_line);
	free(ctx.cl_publine);
	free(ctx.cl_pubok);
	free(ctx.cl_addrline);
	cfg_ctx_done(&ctx);
	cfg_errors_join(&ctx, errs);
}

/* ---- server.toml ------------------------------------------------------ */

/* Addresses clients can get from dhcp_range: not network, gateway, broadcast. */
static unsigned
cfg_pool_capacity(const struct config_cidr4 *r)
{
	return (1U << (32 - r->prefix)) - 3;
}

/* Cross-key rules; true if the authorized-clients file can be read. */
static bool
cfg_server_checks(struct cfg_ctx *ctx, struct server_config *sc)
{
	bool clients_ok;

	unsigned cap = cfg_pool_capacity(&sc->dhcp_range);
	size_t i;

	if (sc->tls_cert_file != NULL && sc->tls_key_file == NULL) {
		ctx->keyline = ctx->seen[cfg_key_index(ctx, "tls_cert_file")];
		cfg_keyerr(ctx, "tls_cert_file", NULL, "tls_key_file is not "
		    "set (set both or neither)");
	}
	if (sc->tls_key_file != NULL && sc->tls_cert_file == NULL) {
		ctx->keyline = ctx->seen[cfg_key_index(ctx, "tls_key_file")];
		cfg_keyerr(ctx, "tls_key_file", NULL, "tls_cert_file is not "
		    "set (set both or neither)");
	}
	cfg_check_readable(ctx, "tls_cert_file", sc->tls_cert_file);
	cfg_check_readable(ctx, "tls_key_file", sc->tls_key_file);
	clients_ok = cfg_check_readable(ctx, "authorized_clients_file",
	    sc->authorized_clients_file);
	cfg_check_dir(ctx, "identity_key_file", sc->identity_key_file);

	i = cfg_key_index(ctx, "max_clients");
	if (ctx->seen[i] == 0)
		sc->max_clients = cap < CFG_POOL_LIMIT ? cap : CFG_POOL_LIMIT;
	else if (sc->max_clients > cap) {
		char buf[INET_ADDRSTRLEN], val[16];

		ctx->keyline = ctx->seen[i];
		snprintf(val, sizeof(val), "%u", sc->max_clients);
		cfg_keyerr(ctx, "max_clients", val, "more than the %u client "
		    "addresses of dhcp_range %s/%u", cap,
		    ipaddr_str4(sc->dhcp_range.addr, buf, sizeof(buf)),
		    sc->dhcp_range.prefix);
	}

	if (sc->user != NULL && getpwnam(sc->user) == NULL) {
		ctx->keyline = ctx->seen[cfg_key_index(ctx, "user")];
		cfg_keyerr(ctx, "user", sc->user, "no such user");
	}
	if (sc->group != NULL && getgrnam(sc->group) == NULL) {
		ctx->keyline = ctx->seen[cfg_key_index(ctx, "group")];
		cfg_keyerr(ctx, "group", sc->group, "no such group");
	}
	return clients_ok;
}

struct server_config *
server_config_load(const char *path, char **cause)
{
	struct server_config *sc;
	struct cfg_ctx ctx;
	char *errs = NULL;
	bool range_ok, clients;

	sc = xcalloc(1, sizeof(*sc));
	sc->path = xstrdup(path);
	memset(&ctx, 0, sizeof(ctx));
	ctx.path = path;
	ctx.ops = &cfg_table_ops;
	ctx.obj = sc;
	ctx.keys = server_keys;
	ctx.nkeys = nitems(server_keys);
	ctx.sections = server_sections;
	ctx.seen = xcalloc(ctx.nkeys, sizeof(*ctx.seen));
	ctx.bad = xcalloc(ctx.nkeys, sizeof(*ctx.bad));
	cfg_defaults(&ctx);
	cfg_parse(&ctx);
	if (ctx.opened) {
		/* A rejected dhcp_range leaves the default: no range checks. */
		range_ok = !ctx.bad[cfg_key_index(&ctx, "dhcp_range")];
		clients = cfg_server_checks(&ctx, sc);
		cfg_errors_join(&ctx, &errs);
		if (clients)
			cfg_load_clients(sc, range_ok, &errs);
	}
	cfg_errors_join(&ctx, &errs);
	cfg_ctx_done(&ctx);
	if (errs != NULL) {
		*cause = errs;
		server_config_free(sc);
		return NULL;
	}
	return sc;
}

void
server_config_free(struct server_config *sc)
{
	unsigned i;

	if (sc == NULL)
		return;
	free(sc->path);
	free(sc->bind_address);
	free(sc->bind_host);
	free(sc->tls_cert_file);
	free(sc->tls_key_file);
	free(sc->identity_key_file);
	free(sc->websocket_path);
	free(sc->tun_path);
	free(sc->authorized_clients_file);
	free(sc->user);
	free(sc->group);
	free(sc->control_socket);
	free(sc->pid_file);
	free(sc->chroot_dir);
	free(sc->tun_name);
	free(sc->egress_interface);
	for (i = 0; i < sc->nclients; i++)
		free(sc->clients[i].name);
	free(sc->clients);
	free(sc);
}

/* ---- client.toml ------------------------------------------------------ */

static void
cfg_client_init(struct cfg_ctx *ctx, struct client_config *cc)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->ops = &cfg_table_ops;
	ctx->obj = cc;
	ctx->keys = client_keys;
	ctx->nkeys = nitems(client_keys);
	ctx->sections = client_sections;
	ctx->seen = xcalloc(ctx->nkeys, sizeof(*ctx->seen));
	ctx->bad = xcalloc(ctx->nkeys, sizeof(*ctx->bad));
	cfg_defaults(ctx);
}

struct client_config *
client_config_default(void)
{
	struct client_config *cc;
	struct cfg_ctx ctx;

	cc = xcalloc(1, sizeof(*cc));
	cfg_client_init(&ctx, cc);
	cfg_ctx_done(&ctx);
	return cc;
}

struct client_config *
client_config_load(const char *path, char **cause)
{
	struct client_config *cc;
	struct cfg_ctx ctx;
	char *errs = NULL;

	cc = xcalloc(1, sizeof(*cc));
	cc->path = xstrdup(path);
	cfg_client_init(&ctx, cc);
	ctx.path = path;
	cfg_parse(&ctx);
	if (ctx.opened) {
		cfg_check_readable(&ctx, "ca_file", cc->ca_file);
		cfg_check_dir(&ctx, "identity_key_file", cc->identity_key_file);
	}
	cfg_errors_join(&ctx, &errs);
	cfg_ctx_done(&ctx);
	if (errs != NULL) {
		*cause = errs;
		client_config_free(cc);
		return NULL;
	}
	return cc;
}

void
client_config_free(struct client_config *cc)
{
	if (cc == NULL)
		return;
	free(cc->path);
	free(cc->server_url);
	free(cc->url_host);
	free(cc->url_path);
	free(cc->tun_path);
	free(cc->identity_key_file);
	free(cc->ca_file);
	free(cc->tun_name);
	explicit_bzero(cc->server_key, sizeof(cc->server_key));
	free(cc);
}
