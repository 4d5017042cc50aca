/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer: stream_parse (relay mode stream messages, lib/stream.c).
 * Whatever parses must encode again to the same bytes and parse to the
 * same message; a parse failure must leave nothing read past the input.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stream.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t	 out[STREAM_MSG_MAX];
	struct stream_msg m, m2;
	uint8_t		*copy;
	size_t		 len;

	/* A copy of exactly size bytes, so ASan sees any overread. */
	if ((copy = malloc(size == 0 ? 1 : size)) == NULL)
		return 0;
	memcpy(copy, data, size);
	if (stream_parse(copy, size, &m) == STREAM_OK) {
		if (stream_encode(&m, out, sizeof(out), &len) != STREAM_OK ||
		    len != size || memcmp(out, copy, size) != 0)
			abort();
		if (stream_parse(out, len, &m2) != STREAM_OK ||
		    m2.type != m.type || m2.id != m.id || m2.len != m.len)
			abort();
		(void)stream_reason_socks(m.reason);
	}
	free(copy);
	return 0;
}
