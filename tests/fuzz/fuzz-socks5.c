/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer: lib/socks5.c, what the client's SOCKS5 listener reads from
 * a local program: the greeting, RFC 1929's username/password when the
 * greeting offers method 2 (as a listener with credentials takes it),
 * then the CONNECT request, as one stream.  Whatever is whole must have been "more" at every shorter
 * prefix (the listener parses each time bytes arrive), and an accepted
 * request must be what its bytes say: its length, an address or a
 * NUL-free name, a non-zero port, and it must encode as a stream OPEN
 * (what the client sends to the server next).
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "socks5.h"
#include "stream.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Every shorter prefix must ask for more (or be refused the same way). */
static void
fuzz_prefixes(const uint8_t *p, size_t whole, int rc0, uint8_t rep0)
{
	struct stream_msg m;
	size_t i, len;
	uint8_t rep;
	int rc;

	for (i = 0; i < whole; i++) {
		rc = socks5_request(p, i, &len, &m, &rep);
		if (rc == SOCKS5_WHOLE || rc == SOCKS5_BAD)
			abort();	/* decided before its bytes were there */
		if (rc == SOCKS5_REFUSE && (rc0 != SOCKS5_REFUSE ||
		    rep != rep0))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[STREAM_MSG_MAX];
	struct stream_msg m;
	uint8_t *copy, rep = 0;
	size_t len = 0, glen, olen, ulen, plen, alen;
	int rc;

	if (size > 1024)
		return 0;
	/* A copy of exactly size bytes, so ASan sees any overread. */
	if ((copy = malloc(size == 0 ? 1 : size)) == NULL)
		return 0;
	memcpy(copy, data, size);
	rc = socks5_greeting(copy, size, &glen);
	if (rc == SOCKS5_WHOLE) {
		if (glen > size || glen != 2 + (size_t)copy[1])
			abort();
		(void)socks5_offers(copy, 0);
		if (socks5_offers(copy, 2)) {
			rc = socks5_userpass(copy + glen, size - glen, &alen,
			    &ulen, &plen);
			if (rc == SOCKS5_REFUSE && size - glen >= 2 &&
			    copy[glen] == 1 && copy[glen + 1] != 0)
				abort();
			if (rc != SOCKS5_WHOLE)
				goto out;
			if (alen != 3 + ulen + plen || alen > size - glen ||
			    ulen == 0 || ulen != copy[glen + 1] ||
			    plen != copy[glen + 2 + ulen])
				abort();
			glen += alen;
		}
		/* The request follows the greeting in the stream. */
		rc = socks5_request(copy + glen, size - glen, &len, &m, &rep);
		if (rc == SOCKS5_WHOLE) {
			if (len > size - glen || len > SOCKS5_REQUEST_MAX ||
			    m.type != STREAM_OPEN || m.port == 0 ||
			    m.port != (copy[glen + len - 2] << 8 |
			    copy[glen + len - 1]))
				abort();
			if (m.atyp == STREAM_A_NAME && (strlen(m.name) !=
			    copy[glen + 4] || memcmp(m.name, copy + glen + 5,
			    strlen(m.name)) != 0))
				abort();
			/* The OPEN the client sends for it. */
			m.id = 1;
			if (stream_encode(&m, out, sizeof(out), &olen) !=
			    STREAM_OK)
				abort();
		}
		if (rc == SOCKS5_REFUSE && rep != 1 && rep != 7 && rep != 8)
			abort();
		if (rc != SOCKS5_MORE)
			fuzz_prefixes(copy + glen, rc == SOCKS5_WHOLE ? len :
			    rc == SOCKS5_BAD ? 5 : size - glen, rc, rep);
	} else if (rc == SOCKS5_BAD && (size < 2 || copy[0] == 5))
		abort();
out:
	free(copy);
	return 0;
}
