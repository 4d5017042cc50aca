/* SPDX-License-Identifier: ISC */
/*
 * Relay mode stream messages (doc/PROTOCOL.md section 11): the body of a
 * STREAM record, version 1.  Pure: parse and encode, no I/O.
 */
#ifndef RVPN_STREAM_H
#define RVPN_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STREAM_VERSION		1	/* in the hello/assignment TLV */
#define STREAM_WINDOW		(256 * 1024)	/* initial window, each way */
#define STREAM_MAX_WINDOW	(16U * 1024 * 1024)	/* credit ceiling */
#define STREAM_MAX_DATA		16384	/* payload bytes in one DATA */
#define STREAM_NAME_MAX		255	/* domain name bytes */
#define STREAM_MSG_MAX		(1 + 1 + 4 + STREAM_MAX_DATA)	/* body */

enum stream_type {
	STREAM_OPEN = 1,	/* client -> server: connect host:port */
	STREAM_OPEN_OK = 2,	/* server -> client: connected */
	STREAM_DATA = 3,	/* bytes, within the peer's window */
	STREAM_WINDOW_UPDATE = 4, /* u32 more credit */
	STREAM_FIN = 5,		/* half-close: the sender sends no more */
	STREAM_RESET = 6,	/* abort, u8 reason */
};

/* Address types of OPEN, as SOCKS5 numbers them. */
enum stream_atyp {
	STREAM_A_IPV4 = 1,
	STREAM_A_NAME = 3,
	STREAM_A_IPV6 = 4,
};

/* RESET reasons: the SOCKS5 reply codes (RFC 1928 section 6). */
enum stream_reason {
	STREAM_R_GENERAL = 1,		/* general failure, or closed */
	STREAM_R_NOT_ALLOWED = 2,	/* egress policy */
	STREAM_R_NET_UNREACH = 3,
	STREAM_R_HOST_UNREACH = 4,	/* also: name does not resolve */
	STREAM_R_REFUSED = 5,
	STREAM_R_TIMEOUT = 6,		/* TTL expired: connect timeout */
	STREAM_R_ATYP = 8,		/* address type not supported */
	STREAM_R_LIMIT = 9,		/* too many streams (SOCKS: 1) */
};
#define STREAM_R_MAX	STREAM_R_LIMIT

enum stream_err {
	STREAM_OK = 0,
	STREAM_ERR_SHORT = -1,		/* truncated */
	STREAM_ERR_TYPE = -2,		/* unknown message type */
	STREAM_ERR_LENGTH = -3,		/* wrong length for the type */
	STREAM_ERR_VALUE = -4,		/* bad field value */
	STREAM_ERR_SPACE = -5,		/* encode: does not fit */
};

struct stream_msg {
	uint8_t		 type;
	uint32_t	 id;		/* non-zero */
	/* OPEN */
	uint8_t		 atyp;
	uint8_t		 addr[16];	/* IPv4 (4) or IPv6 (16) */
	char		 name[STREAM_NAME_MAX + 1];	/* NUL-terminated */
	uint16_t	 port;
	/* DATA: points into the parsed body */
	const uint8_t	*data;
	size_t		 len;
	/* WINDOW_UPDATE */
	uint32_t	 credit;
	/* RESET */
	uint8_t		 reason;
};

/*
 * Parse a STREAM record body (after the record type byte, plaintext).
 * m->data points into p for DATA.
 */
int		 stream_parse(const uint8_t *p, size_t len, struct stream_msg *);
/* Encode into p (cap bytes); *len set.  DATA takes m->data, m->len. */
int		 stream_encode(const struct stream_msg *, uint8_t *p,
		    size_t cap, size_t *len);
const char	*stream_strerror(int);
/* "not allowed by ruleset" etc.: the reason as text. */
const char	*stream_reason_str(int);
/* The SOCKS5 reply code (RFC 1928) for a RESET reason. */
uint8_t		 stream_reason_socks(int);

#endif
