/* SPDX-License-Identifier: ISC */
/*
 * noise-vectors FILE: check every Noise IK vector of a supported suite in
 * a cacophony-style JSON file against lib/noise.c.  Each message (two
 * handshake messages, then transport messages alternating from the
 * initiator) counts as one vector.  Exit 0 only when all match and at
 * least one was checked.
 */
#include "autoconf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "noise.h"

enum json_type { J_OBJ, J_ARR, J_STR, J_OTHER };

struct json {
	enum json_type	 type;
	char		*key;		/* member name inside an object */
	char		*str;		/* J_STR value */
	struct json	*child, *next;
};

struct json_parser {
	const char	*p, *end;
};

static struct json	*json_value(struct json_parser *, int);

/* Skip white space. */
static void
json_ws(struct json_parser *jp)
{
	while (jp->p < jp->end && isspace((unsigned char)*jp->p))
		jp->p++;
}

/* Parse a string (after the opening quote) into a new C string. */
static char *
json_string(struct json_parser *jp)
{
	char	*s, *o;

	if ((s = malloc(jp->end - jp->p + 1)) == NULL)
		return (NULL);
	o = s;
	while (jp->p < jp->end && *jp->p != '"') {
		if (*jp->p == '\\') {
			if (++jp->p >= jp->end)
				break;
			switch (*jp->p) {
			case 'n':
				*o++ = '\n';
				break;
			case 't':
				*o++ = '\t';
				break;
			case 'u':	/* not needed by vector files */
				*o++ = '?';
				jp->p += jp->end - jp->p > 4 ? 4 : 0;
				break;
			default:
				*o++ = *jp->p;
				break;
			}
			jp->p++;
		} else
			*o++ = *jp->p++;
	}
	if (jp->p >= jp->end) {
		free(s);
		return (NULL);
	}
	jp->p++;
	*o = '\0';
	return (s);
}

/* Free a tree. */
static void
json_free(struct json *j)
{
	struct json	*next;

	for (; j != NULL; j = next) {
		next = j->next;
		json_free(j->child);
		free(j->key);
		free(j->str);
		free(j);
	}
}

/* Parse the members of an object or the elements of an array. */
static int
json_members(struct json_parser *jp, struct json *j, int depth)
{
	struct json	**tail = &j->child, *c;
	char		 close = j->type == J_OBJ ? '}' : ']';
	char		*key = NULL;

	json_ws(jp);
	if (jp->p < jp->end && *jp->p == close) {
		jp->p++;
		return (0);
	}
	for (;;) {
		json_ws(jp);
		if (j->type == J_OBJ) {
			if (jp->p >= jp->end || *jp->p != '"')
				return (-1);
			jp->p++;
			if ((key = json_string(jp)) == NULL)
				return (-1);
			json_ws(jp);
			if (jp->p >= jp->end || *jp->p != ':') {
				free(key);
				return (-1);
			}
			jp->p++;
		}
		if ((c = json_value(jp, depth + 1)) == NULL) {
			free(key);
			return (-1);
		}
		c->key = key;
		key = NULL;
		*tail = c;
		tail = &c->next;
		json_ws(jp);
		if (jp->p >= jp->end)
			return (-1);
		if (*jp->p == close) {
			jp->p++;
			return (0);
		}
		if (*jp->p++ != ',')
			return (-1);
	}
}

/* Parse one value. */
static struct json *
json_value(struct json_parser *jp, int depth)
{
	struct json	*j;

	if (depth > 32)
		return (NULL);
	json_ws(jp);
	if (jp->p >= jp->end || (j = calloc(1, sizeof(*j))) == NULL)
		return (NULL);
	switch (*jp->p) {
	case '{':
	case '[':
		j->type = *jp->p++ == '{' ? J_OBJ : J_ARR;
		if (json_members(jp, j, depth) != 0)
			goto fail;
		break;
	case '"':
		j->type = J_STR;
		jp->p++;
		if ((j->str = json_string(jp)) == NULL)
			goto fail;
		break;
	default:		/* numbers, true, false, null: skipped */
		j->type = J_OTHER;
		while (jp->p < jp->end && (isalnum((unsigned char)*jp->p) ||
		    *jp->p == '-' || *jp->p == '+' || *jp->p == '.'))
			jp->p++;
		break;
	}
	return (j);
fail:
	json_free(j);
	return (NULL);
}

/* The member called key of object j, or NULL. */
static struct json *
json_get(struct json *j, const char *key)
{
	struct json	*c;

	if (j == NULL || j->type != J_OBJ)
		return (NULL);
	for (c = j->child; c != NULL; c = c->next)
		if (strcmp(c->key, key) == 0)
			return (c);
	return (NULL);
}

/* Decode the hex string member key into a new buffer; -1 if bad. */
static int
hex_member(struct json *j, const char *key, uint8_t **out, size_t *len)
{
	struct json	*m = json_get(j, key);
	size_t		 i, n;
	unsigned int	 b;

	*out = NULL;
	*len = 0;
	if (m == NULL || m->type != J_STR || strlen(m->str) % 2 != 0)
		return (-1);
	n = strlen(m->str) / 2;
	if ((*out = malloc(n + 1)) == NULL)
		return (-1);
	for (i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)m->str[2 * i]) ||
		    !isxdigit((unsigned char)m->str[2 * i + 1]) ||
		    sscanf(m->str + 2 * i, "%2x", &b) != 1) {
			free(*out);
			*out = NULL;
			return (-1);
		}
		(*out)[i] = (uint8_t)b;
	}
	*len = n;
	return (0);
}

/* A 32-byte key member. */
static int
key_member(struct json *j, const char *key, uint8_t out[NOISE_KEY_LEN])
{
	uint8_t	*b;
	size_t	 len;

	if (hex_member(j, key, &b, &len) != 0)
		return (-1);
	if (len != NOISE_KEY_LEN) {
		free(b);
		return (-1);
	}
	memcpy(out, b, NOISE_KEY_LEN);
	free(b);
	return (0);
}

static int	nfail;

/* Report a mismatch. */
static void
mismatch(int vec, int msg, const char *what)
{
	printf("vector %d message %d: %s does not match\n", vec, msg, what);
	nfail++;
}

/* Check one vector object; returns the messages checked, -1 if malformed. */
static int
check_vector(struct json *v, int idx, enum noise_hash hash)
{
	struct noise_hs	 ini, rsp;
	struct json	*msgs, *m;
	uint8_t		 is[32], ie[32], irs[32], rs[32], re[32];
	uint8_t		 ik[2][32], rk[2][32], ih[32], rh[32];
	uint8_t		*ipro = NULL, *rpro = NULL, *pl = NULL, *ct = NULL;
	uint8_t		*hh = NULL, buf[65536 + 64], out[65536];
	size_t		 iplen, rplen, pllen, ctlen, hhlen, len, olen;
	EVP_CIPHER_CTX	*ci[2] = { NULL, NULL }, *cr[2] = { NULL, NULL };
	uint64_t	 nonce[2] = { 0, 0 };
	int		 i, n = -1, dir, r;

	if (hex_member(v, "init_prologue", &ipro, &iplen) != 0 ||
	    hex_member(v, "resp_prologue", &rpro, &rplen) != 0 ||
	    key_member(v, "init_static", is) != 0 ||
	    key_member(v, "init_ephemeral", ie) != 0 ||
	    key_member(v, "init_remote_static", irs) != 0 ||
	    key_member(v, "resp_static", rs) != 0 ||
	    key_member(v, "resp_ephemeral", re) != 0 ||
	    (msgs = json_get(v, "messages")) == NULL || msgs->type != J_ARR)
		goto out;
	if (noise_hs_init(&ini, hash, true, ipro, iplen, is, irs) != 0 ||
	    noise_hs_set_ephemeral(&ini, ie) != 0 ||
	    noise_hs_init(&rsp, hash, false, rpro, rplen, rs, NULL) != 0 ||
	    noise_hs_set_ephemeral(&rsp, re) != 0)
		goto out;
	n = 0;
	for (m = msgs->child, i = 0; m != NULL; m = m->next, i++) {
		free(pl);
		free(ct);
		pl = ct = NULL;
		if (hex_member(m, "payload", &pl, &pllen) != 0 ||
		    hex_member(m, "ciphertext", &ct, &ctlen) != 0 ||
		    pllen > sizeof(out) || ctlen > sizeof(out)) {
			n = -1;
			goto out;
		}
		if (i == 0) {
			r = noise_hs_write_msg1(&ini, pl, pllen, buf,
			    sizeof(buf), &len);
			if (r != 0 || len != ctlen || memcmp(buf, ct, len) != 0)
				mismatch(idx, i, "initiator message 1");
			r = noise_hs_read_msg1(&rsp, ct, ctlen, out,
			    sizeof(out), &olen);
			if (r != 0 || olen != pllen || memcmp(out, pl, olen))
				mismatch(idx, i, "responder payload 1");
		} else if (i == 1) {
			r = noise_hs_write_msg2(&rsp, pl, pllen, buf,
			    sizeof(buf), &len);
			if (r != 0 || len != ctlen || memcmp(buf, ct, len) != 0)
				mismatch(idx, i, "responder message 2");
			r = noise_hs_read_msg2(&ini, ct, ctlen, out,
			    sizeof(out), &olen);
			if (r != 0 || olen != pllen || memcmp(out, pl, olen))
				mismatch(idx, i, "initiator payload 2");
			if (noise_hs_split(&ini, ik[0], ik[1], ih) != 0 ||
			    noise_hs_split(&rsp, rk[0], rk[1], rh) != 0) {
				mismatch(idx, i, "split");
				n++;
				goto out;
			}
			if (hex_member(v, "handshake_hash", &hh, &hhlen) == 0 &&
			    (hhlen != 32 || memcmp(hh, ih, 32) != 0 ||
			    memcmp(hh, rh, 32) != 0))
				mismatch(idx, i, "handshake hash");
			if ((ci[0] = noise_cipher_new(1)) == NULL ||
			    (ci[1] = noise_cipher_new(0)) == NULL ||
			    (cr[0] = noise_cipher_new(1)) == NULL ||
			    (cr[1] = noise_cipher_new(0)) == NULL ||
			    noise_cipher_key(ci[0], ik[0], 1) != 0 ||
			    noise_cipher_key(ci[1], ik[1], 0) != 0 ||
			    noise_cipher_key(cr[0], rk[0], 1) != 0 ||
			    noise_cipher_key(cr[1], rk[1], 0) != 0) {
				mismatch(idx, i, "cipher setup");
				n++;
				goto out;
			}
		} else {
			/* Even messages go initiator -> responder. */
			dir = i % 2;
			memcpy(buf, pl, pllen);
			r = noise_cipher_seal(dir == 0 ? ci[0] : cr[0],
			    nonce[dir], NULL, 0, buf, pllen, buf + pllen);
			if (r != 0 || pllen + NOISE_TAG_LEN != ctlen ||
			    memcmp(buf, ct, ctlen) != 0)
				mismatch(idx, i, "transport ciphertext");
			memcpy(buf, ct, ctlen);
			r = ctlen < NOISE_TAG_LEN ? -1 :
			    noise_cipher_open(dir == 0 ? cr[1] : ci[1],
			    nonce[dir], NULL, 0, buf, ctlen - NOISE_TAG_LEN,
			    buf + ctlen - NOISE_TAG_LEN);
			if (r != 0 || ctlen - NOISE_TAG_LEN != pllen ||
			    memcmp(buf, pl, pllen) != 0)
				mismatch(idx, i, "transport payload");
			nonce[dir]++;
		}
		n++;
	}
out:
	for (i = 0; i < 2; i++) {
		EVP_CIPHER_CTX_free(ci[i]);
		EVP_CIPHER_CTX_free(cr[i]);
	}
	noise_hs_wipe(&ini);
	noise_hs_wipe(&rsp);
	free(ipro);
	free(rpro);
	free(pl);
	free(ct);
	free(hh);
	return (n);
}

int
main(int argc, char **argv)
{
	struct json_parser	 jp;
	struct json		*root, *vecs, *v, *name;
	enum noise_hash		 hash;
	FILE			*f;
	char			*text;
	long			 size;
	int			 idx, n, counts[2] = { 0, 0 }, skipped = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: noise-vectors FILE\n");
		return (1);
	}
	if ((f = fopen(argv[1], "r")) == NULL) {
		perror(argv[1]);
		return (1);
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 ||
	    (text = malloc((size_t)size + 1)) == NULL ||
	    fread(text, 1, (size_t)size, f) != (size_t)size) {
		fprintf(stderr, "%s: cannot read\n", argv[1]);
		return (1);
	}
	fclose(f);
	jp.p = text;
	jp.end = text + size;
	if ((root = json_value(&jp, 0)) == NULL) {
		fprintf(stderr, "%s: bad JSON\n", argv[1]);
		return (1);
	}
	vecs = root->type == J_ARR ? root : json_get(root, "vectors");
	if (vecs == NULL || vecs->type != J_ARR) {
		fprintf(stderr, "%s: no \"vectors\" array\n", argv[1]);
		return (1);
	}
	for (v = vecs->child, idx = 0; v != NULL; v = v->next, idx++) {
		name = json_get(v, "protocol_name");
		if (name == NULL || name->type != J_STR ||
		    !noise_hash_from_name(name->str, &hash)) {
			skipped++;
			continue;
		}
		if ((n = check_vector(v, idx, hash)) < 0) {
			printf("vector %d: malformed\n", idx);
			nfail++;
			continue;
		}
		counts[hash] += n;
	}
	json_free(root);
	free(text);
	printf("checked %d vectors (BLAKE2s %d, SHA256 %d)",
	    counts[0] + counts[1], counts[NOISE_HASH_BLAKE2S],
	    counts[NOISE_HASH_SHA256]);
	if (skipped != 0)
		printf(", skipped %d of unsupported suites", skipped);
	if (nfail != 0) {
		printf(": %d mismatches\n", nfail);
		return (1);
	}
	if (counts[0] + counts[1] == 0) {
		printf(": none of a supported suite\n");
		return (1);
	}
	printf(": all match\n");
	return (0);
}
