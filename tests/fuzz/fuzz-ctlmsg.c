/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer: lib/ctlmsg.c, the control socket's messages as the server
 * (requests) and rvpnctl (replies) read them: a stream of messages,
 * framed by ctlmsg_peek, each decoded by ctlmsg_decode.  Input byte 0:
 * bit 0 set writes this build's id over the first 4 body bytes of each
 * message, so the struct bodies (STATUS, SESSION, STATS) get past the
 * build check and their field checks are reached.  Whatever decodes
 * must encode again to the same bytes.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctlmsg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ctlmsg m;
	static uint8_t out[CTLMSG_MAX];
	uint32_t build = ctlmsg_build_id();
	uint8_t *copy, *p, *msg;
	size_t off, total, len;
	int rc;

	if (size < 1 || size > 4 * CTLMSG_MAX)
		return 0;
	if ((copy = malloc(size - 1 == 0 ? 1 : size - 1)) == NULL)
		return 0;
	memcpy(copy, data + 1, size - 1);
	for (off = 0; off < size - 1; off += total) {
		p = copy + off;
		rc = ctlmsg_peek(p, size - 1 - off, &total);
		if (rc == CTLMSG_ERR_SHORT || rc == CTLMSG_ERR_TOOBIG)
			break;
		if (rc != CTLMSG_OK || total < CTLMSG_HDR_LEN ||
		    total > CTLMSG_MAX)
			abort();
		if (total > size - 1 - off) {
			/* Truncated: decode must say so, not read past. */
			if (ctlmsg_decode(p, size - 1 - off, &m) !=
			    CTLMSG_ERR_SHORT)
				abort();
			break;
		}
		if ((data[0] & 1) && total >= CTLMSG_HDR_LEN + 4)
			memcpy(p + CTLMSG_HDR_LEN, &build, sizeof(build));
		/* Exactly total bytes, so ASan sees any overread. */
		if ((msg = malloc(total)) == NULL)
			break;
		memcpy(msg, p, total);
		rc = ctlmsg_decode(msg, total, &m);
		if (rc == CTLMSG_OK) {
			if (m.type != msg[4])
				abort();
			(void)ctlmsg_is_request(m.type);
			if (ctlmsg_encode(&m, out, sizeof(out), &len) !=
			    CTLMSG_OK || len != total ||
			    memcmp(out, msg, len) != 0)
				abort();	/* decoded what it would not send */
		} else
			(void)ctlmsg_strerror(rc);
		free(msg);
	}
	free(copy);
	return 0;
}
