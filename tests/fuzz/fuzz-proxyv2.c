/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer: lib/proxyv2.c, the PROXY protocol v2 header the server reads
 * first on a proxy_protocol listener, byte by byte as it arrives.  For
 * each input: the answer on the whole and on every prefix must agree (a
 * prefix of a whole header asks for more, with a total it keeps; a
 * prefix of a bad one is more or bad, never whole), a whole header is
 * at most PROXYV2_MAX and within the input, and the source it gives is
 * the bytes where the family says it is.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proxyv2.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_storage ss, ss2;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&ss;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&ss;
	uint8_t *copy;
	size_t total = 0, t2, i;
	int rc, rc2;

	if (size > PROXYV2_MAX + 64)
		return 0;
	/* A copy of exactly size bytes, so ASan sees any overread. */
	if ((copy = malloc(size == 0 ? 1 : size)) == NULL)
		return 0;
	memcpy(copy, data, size);
	rc = proxyv2_parse(copy, size, &total, &ss);
	if (rc == 1) {
		if (total > size || total > PROXYV2_MAX || total < PROXYV2_HDR)
			abort();
		if (ss.ss_family == AF_INET && (total < PROXYV2_HDR + 12 ||
		    memcmp(&sin->sin_addr, copy + PROXYV2_HDR, 4) != 0 ||
		    memcmp(&sin->sin_port, copy + PROXYV2_HDR + 8, 2) != 0))
			abort();
		if (ss.ss_family == AF_INET6 && (total < PROXYV2_HDR + 36 ||
		    memcmp(&sin6->sin6_addr, copy + PROXYV2_HDR, 16) != 0 ||
		    memcmp(&sin6->sin6_port, copy + PROXYV2_HDR + 32, 2) != 0))
			abort();
		if (ss.ss_family != AF_INET && ss.ss_family != AF_INET6 &&
		    ss.ss_family != AF_UNSPEC)
			abort();
	} else if (rc == 0) {
		if (total <= size || total > PROXYV2_MAX)
			abort();	/* more, but no more is wanted */
	} else if (rc != -1)
		abort();
	for (i = 0; i < size; i++) {
		rc2 = proxyv2_parse(copy, i, &t2, &ss2);
		if (rc == 1 && i < total && (rc2 != 0 ||
		    (i >= PROXYV2_HDR && t2 != total)))
			abort();
		if (rc == 1 && i >= total && rc2 != 1)
			abort();
		if ((rc == -1 && rc2 == 1) || (rc == 0 && rc2 != 0))
			abort();
	}
	free(copy);
	return 0;
}
