/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "toml.h"
#include "xmalloc.h"

/*
 * The whole reader: it reads physical lines itself (so it counts them,
 * bounds them and joins the lines of an array) and lexes each one.  A
 * line-oriented INI library does not fit TOML: its comment character,
 * continuation lines and line limits all differ.
 */

struct toml_reader {
	FILE			*f;
	const struct toml_ops	*ops;
	void			*arg;
	char			*line;		/* current physical line */
	size_t			 linesz;
	unsigned		 lineno;	/* physical line number */
	unsigned		 keyline;	/* line of the current key */
	char			 key[TOML_MAX_KEY + 1];
	char			 section[TOML_MAX_SECTION + 1];
	bool			 skip;		/* in a refused section */
};

const char *
toml_vis(const char *s, char *buf, size_t len)
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

static void	toml_error(struct toml_reader *, unsigned, const char *, ...)
    __attribute__((format(printf, 3, 4)));
static void	toml_keyerr(struct toml_reader *, const char *, const char *,
    ...) __attribute__((format(printf, 3, 4)));

static void
toml_error(struct toml_reader *r, unsigned line, const char *fmt, ...)
{
	char *msg;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
	r->ops->error(r->arg, line, msg);
	free(msg);
}

/* "KEY: 'VALUE': problem" (without the value if NULL) at the key's line. */
static void
toml_keyerr(struct toml_reader *r, const char *value, const char *fmt, ...)
{
	char vis[TOML_VIS_LEN], *msg;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
	if (value != NULL)
		toml_error(r, r->keyline, "%s: '%s': %s", r->key,
		    toml_vis(value, vis, sizeof(vis)), msg);
	else
		toml_error(r, r->keyline, "%s: %s", r->key, msg);
	free(msg);
}

static void
toml_value_clear(struct toml_value *v)
{
	unsigned i;

	free(v->s);
	for (i = 0; i < v->nitems; i++)
		free(v->items[i]);
	free(v->items);
	memset(v, 0, sizeof(*v));
}

static bool
toml_bare_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static const char *
toml_skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/*
 * Read the next physical line into r->line; false at end of file.  At
 * most TOML_MAX_LINE bytes are kept (everything after them would be
 * copied again by each string of an array): a longer line, or one with
 * a NUL byte, is reported and read as empty.
 */
static bool
toml_getline(struct toml_reader *r)
{
	size_t n = 0, total = 0;
	bool nul = false;
	int c;

	if (r->line == NULL) {
		r->linesz = TOML_MAX_LINE + 1;
		r->line = xmalloc(r->linesz);
	}
	while ((c = getc(r->f)) != EOF) {
		total++;
		if (c == '\n')
			break;
		if (c == '\0')
			nul = true;
		if (n < TOML_MAX_LINE)
			r->line[n++] = (char)c;
	}
	if (total == 0)
		return false;
	r->lineno++;
	r->line[n] = '\0';
	if (nul || total - (c == '\n') > TOML_MAX_LINE) {
		if (nul)
			toml_error(r, r->lineno, "NUL byte in line");
		else
			toml_error(r, r->lineno, "line too long (at most %d "
			    "bytes)", TOML_MAX_LINE);
		r->line[0] = '\0';
		return true;
	}
	while (n > 0 && r->line[n - 1] == '\r')
		r->line[--n] = '\0';
	if (r->lineno == 1 && strncmp(r->line, "\xef\xbb\xbf", 3) == 0)
		memmove(r->line, r->line + 3, n - 2);
	return true;
}

/* Append a code point as UTF-8. */
static void
toml_put_utf8(char *out, size_t *n, unsigned long cp)
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
toml_lex_string(struct toml_reader *r, const char **pp, char **out)
{
	const char *p = *pp, *esc;
	char quote = *p++, *buf, bad[12];
	size_t n = 0, k, elen;
	unsigned long cp;

	if (p[0] == quote && p[1] == quote) {
		toml_keyerr(r, NULL,
		    "multi-line strings are not supported");
		return false;
	}
	buf = xmalloc(strlen(p) + 1);	/* escapes never grow the text */
	for (;;) {
		if (*p == '\0') {
			toml_keyerr(r, NULL, "unterminated string");
			goto fail;
		}
		if (*p == quote)
			break;
		if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f) {
			toml_keyerr(r, NULL,
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
		toml_put_utf8(buf, &n, cp);
		continue;
badesc:
		k = strnlen(esc, 2 + elen);
		memcpy(bad, esc, k);
		bad[k] = '\0';
		toml_keyerr(r, bad, "invalid escape sequence");
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
toml_lex_bare(const char **pp, bool in_array)
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
toml_classify(struct toml_value *v, char *tok)
{
	char digits[32];
	const char *p = tok;
	size_t n = 0;
	bool neg = false;
	long long x;

	v->s = tok;
	v->type = TOML_BARE;
	if (strcmp(tok, "true") == 0 || strcmp(tok, "false") == 0) {
		v->type = TOML_BOOL;
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
	v->type = TOML_INT;
	v->i = neg ? -x : x;
}

/* Skip spaces, comments and line ends inside an array; false at EOF. */
static bool
toml_array_ws(struct toml_reader *r, const char **pp)
{
	const char *p = *pp;

	for (;;) {
		p = toml_skip_ws(p);
		if (*p != '\0' && *p != '#')
			break;
		if (!toml_getline(r))
			return false;
		p = r->line;
	}
	*pp = p;
	return true;
}

/* Lex an array of scalars, possibly over several lines. */
static bool
toml_lex_array(struct toml_reader *r, const char **pp, struct toml_value *v)
{
	const char *p = *pp + 1;
	char *s;

	v->type = TOML_ARRAY;
	for (;;) {
		if (!toml_array_ws(r, &p))
			goto eof;
		if (*p == ']')
			break;
		if (*p == '[' || *p == '{') {
			toml_keyerr(r, NULL,
			    "nested arrays and tables are not supported");
			return false;
		}
		if (*p == '"' || *p == '\'') {
			if (!toml_lex_string(r, &p, &s))
				return false;
		} else {
			s = toml_lex_bare(&p, true);
			v->notstr = true;
		}
		if (v->nitems == TOML_MAX_ITEMS) {
			free(s);
			toml_keyerr(r, NULL, "too many elements");
			return false;
		}
		v->items = xreallocarray(v->items, v->nitems + 1,
		    sizeof(*v->items));
		v->items[v->nitems++] = s;
		if (!toml_array_ws(r, &p))
			goto eof;
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p == ']')
			break;
		toml_keyerr(r, p, "expected ',' or ']' in array");
		return false;
	}
	*pp = p + 1;
	return true;
eof:
	toml_keyerr(r, NULL, "unterminated array");
	return false;
}

/* Parse "[a.b]" at p; writes the name; false (reported) if malformed. */
static bool
toml_lex_section(struct toml_reader *r, const char *p, char *name, size_t len)
{
	char vis[TOML_VIS_LEN];
	const char *line = p;
	size_t n = 0;

	if (p[1] == '[') {
		toml_error(r, r->lineno, "'%s': arrays of tables are not "
		    "supported", toml_vis(line, vis, sizeof(vis)));
		return false;
	}
	p = toml_skip_ws(p + 1);
	for (;;) {
		if (!toml_bare_char((unsigned char)*p))
			goto bad;
		while (toml_bare_char((unsigned char)*p)) {
			if (n + 1 >= len)
				goto bad;
			name[n++] = *p++;
		}
		p = toml_skip_ws(p);
		if (*p != '.')
			break;
		if (n + 1 >= len)
			goto bad;
		name[n++] = *p++;
		p = toml_skip_ws(p);
	}
	name[n] = '\0';
	if (*p != ']')
		goto bad;
	p = toml_skip_ws(p + 1);
	if (*p != '\0' && *p != '#')
		goto bad;
	return true;
bad:
	toml_error(r, r->lineno, "'%s': invalid section header (expected "
	    "[name] or [name.sub], at most %d characters)",
	    toml_vis(line, vis, sizeof(vis)), TOML_MAX_SECTION);
	return false;
}

/* Lex the line (and, for an array, the lines after it) just read. */
static void
toml_line(struct toml_reader *r, struct toml_value *v)
{
	char name[TOML_MAX_SECTION + 1], vis[TOML_VIS_LEN];
	const char *p;
	size_t n;

	p = toml_skip_ws(r->line);
	if (*p == '\0' || *p == '#')
		return;
	r->keyline = r->lineno;
	if (*p == '[') {
		if (!toml_lex_section(r, p, name, sizeof(name)) ||
		    !r->ops->section(r->arg, name, r->lineno)) {
			r->skip = true;
			return;
		}
		r->skip = false;
		memcpy(r->section, name, sizeof(r->section));
		return;
	}

	/* key = value; keys are bare, dotted keys allowed */
	for (n = 0; toml_bare_char((unsigned char)*p) || *p == '.'; p++) {
		if (n == TOML_MAX_KEY)
			break;
		r->key[n++] = *p;
	}
	r->key[n] = '\0';
	p = toml_skip_ws(p);
	if (n == 0 || *p != '=' || r->key[0] == '.' ||
	    r->key[n - 1] == '.' || strstr(r->key, "..") != NULL) {
		if (*p == '"' || *p == '\'')
			toml_error(r, r->lineno, "'%s': quoted keys are not "
			    "supported", toml_vis(r->line, vis, sizeof(vis)));
		else
			toml_error(r, r->lineno, "'%s': expected KEY = VALUE",
			    toml_vis(r->line, vis, sizeof(vis)));
		return;
	}
	p = toml_skip_ws(p + 1);
	if (*p == '\0' || *p == '#') {
		toml_keyerr(r, NULL, "missing value");
		return;
	}
	if (*p == '"' || *p == '\'') {
		v->type = TOML_STRING;
		if (!toml_lex_string(r, &p, &v->s))
			return;
	} else if (*p == '[') {
		if (!toml_lex_array(r, &p, v))
			return;
	} else if (*p == '{') {
		toml_keyerr(r, NULL, "inline tables are not supported");
		return;
	} else
		toml_classify(v, toml_lex_bare(&p, false));
	p = toml_skip_ws(p);
	if (*p != '\0' && *p != '#') {
		toml_keyerr(r, p, "unexpected text after the value");
		return;
	}
	if (!r->skip)		/* not in a section already reported */
		r->ops->key(r->arg, r->section, r->key, v, r->keyline);
}

int
toml_read(FILE *f, const struct toml_ops *ops, void *arg)
{
	struct toml_reader r;
	struct toml_value v;

	memset(&r, 0, sizeof(r));
	r.f = f;
	r.ops = ops;
	r.arg = arg;
	while (toml_getline(&r)) {
		memset(&v, 0, sizeof(v));
		toml_line(&r, &v);
		toml_value_clear(&v);
	}
	free(r.line);
	return ferror(f) ? -1 : 0;
}
