/* SPDX-License-Identifier: ISC */
/*
 * SOCKS5 (RFC 1928) as the client's listener reads it: the greeting,
 * RFC 1929's username/password and the CONNECT request, parsing only
 * (pure: no I/O).
 */
#ifndef RVPN_SOCKS5_H
#define RVPN_SOCKS5_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stream.h"

#define SOCKS5_MORE	0	/* not all there yet */
#define SOCKS5_WHOLE	1	/* parsed: *len bytes */
#define SOCKS5_BAD	(-1)	/* not version 5: close without a reply */
#define SOCKS5_REFUSE	(-2)	/* reply *rep (RFC 1928 section 6), close */

#define SOCKS5_REQUEST_MAX	(4 + 1 + 255 + 2)	/* with a name */
#define SOCKS5_USERPASS_MAX	(1 + 1 + 255 + 1 + 255)

/*
 * The greeting (version, number of methods, methods) in the n bytes at
 * p: SOCKS5_WHOLE with *len its length, SOCKS5_MORE or SOCKS5_BAD.
 */
int	socks5_greeting(const uint8_t *p, size_t n, size_t *len);
/* Whether a whole greeting at p offers the method. */
bool	socks5_offers(const uint8_t *p, uint8_t method);
/*
 * RFC 1929's username/password request (version 1, ULEN, UNAME, PLEN,
 * PASSWD) in the n bytes at p: SOCKS5_WHOLE with *len its length, the
 * username at p + 2 (*ulen bytes, not 0) and the password at
 * p + 3 + *ulen (*plen bytes, maybe 0), SOCKS5_MORE, or SOCKS5_REFUSE
 * (not version 1, or an empty username: known from the first 2 bytes).
 */
int	socks5_userpass(const uint8_t *p, size_t n, size_t *len,
	    size_t *ulen, size_t *plen);
/*
 * The request in the n bytes at p: SOCKS5_WHOLE with *len its length and
 * *m the stream's OPEN (id 0), SOCKS5_MORE, SOCKS5_BAD, or SOCKS5_REFUSE
 * with *rep: 7 for a command other than CONNECT, 8 for an unknown
 * address type, 1 for an empty name, a name with a NUL or port 0.  A
 * refusal may come before the whole request is there.
 */
int	socks5_request(const uint8_t *p, size_t n, size_t *len,
	    struct stream_msg *m, uint8_t *rep);

#endif
