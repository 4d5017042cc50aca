/* SPDX-License-Identifier: ISC */
/*
 * Control socket messages between rvpnctl and rvpn-server (pure: no I/O).
 * A message is a header, a big-endian u32 body length and a u8 type, then
 * the body.  A request gets one reply: OK or ERROR (text), STATS, or
 * STATUS followed by exactly STATUS.nsessions SESSION messages.
 *
 * Text bodies (requests, OK, ERROR) are bytes without a NUL.  The other
 * bodies are private to rvpnctl and rvpn-server of one build, as
 * OpenBSD's imsg: the C struct as it is in memory, after a u32 build
 * id (ctlmsg_build_id: the version and the struct layouts).  A body of
 * another size or build is refused before anything is read from it.
 */
#ifndef RVPN_CTLMSG_H
#define RVPN_CTLMSG_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "counters.h"
#include "proto.h"

#ifdef RUNSTATEDIR
#define CTLMSG_SOCKET_DEFAULT	RUNSTATEDIR "/rvpn/rvpn-server.sock"
#endif

#define CTLMSG_HDR_LEN		5	/* u32 body length + u8 type */
#define CTLMSG_MAX		4096	/* a whole message, header included */
#define CTLMSG_TEXT_MAX		1024	/* OK/ERROR text, KICK target */
#define CTLMSG_VERSION_MAX	32
#define CTLMSG_NAME_MAX		64
#define CTLMSG_REMOTE_MAX	64
#define CTLMSG_MAX_CODES	32	/* handshake refusal codes in STATS */

enum ctlmsg_type {
	/* Requests (rvpnctl -> server). */
	CTLMSG_T_STATUS_REQ = 1,	/* empty */
	CTLMSG_T_STATS_REQ = 2,		/* empty */
	CTLMSG_T_KICK_REQ = 3,		/* text: address, key or name */
	CTLMSG_T_RELOAD_REQ = 4,	/* empty */
	CTLMSG_T_DRAIN_REQ = 5,		/* text: "" or "kick" */
	CTLMSG_T_UNDRAIN_REQ = 6,	/* empty */
	/* Replies (server -> rvpnctl). */
	CTLMSG_T_OK = 64,		/* text, may be empty */
	CTLMSG_T_ERROR = 65,		/* text */
	CTLMSG_T_STATUS = 66,		/* struct ctlmsg_status */
	CTLMSG_T_SESSION = 67,		/* struct ctlmsg_session */
	CTLMSG_T_STATS = 68,		/* struct ctlmsg_stats */
};

enum ctlmsg_err {
	CTLMSG_OK = 0,
	CTLMSG_ERR_SHORT = -1,		/* fewer bytes than the message */
	CTLMSG_ERR_TOOBIG = -2,		/* length over CTLMSG_MAX */
	CTLMSG_ERR_TYPE = -3,		/* unknown message type */
	CTLMSG_ERR_SIZE = -4,		/* body size wrong for its type */
	CTLMSG_ERR_FORMAT = -5,		/* bad string or field */
	CTLMSG_ERR_SPACE = -6,		/* output buffer too small */
	CTLMSG_ERR_BUILD = -7,		/* struct of another build */
};

/* STATUS: the server as a whole. */
struct ctlmsg_status {
	char		version[CTLMSG_VERSION_MAX + 1];
	uint64_t	now;		/* server's wall clock, Unix seconds */
	uint64_t	uptime;		/* seconds */
	uint32_t	pool_used;
	uint32_t	pool_capacity;
	uint32_t	nsessions;	/* SESSION messages that follow */
	uint8_t		ipv6;		/* dhcp_range6 set: 0 or 1 */
	uint32_t	pool6_used;
	char		node[CTLMSG_NAME_MAX + 1];	/* node_name */
	uint8_t		draining;	/* rvpnctl drain: 0 or 1 */
};

/* SESSION: one established session. */
struct ctlmsg_session {
	char		name[CTLMSG_NAME_MAX + 1];	/* name or short key */
	uint8_t		pub[PROTO_KEY_LEN];
	struct in_addr	addr;				/* tunnel address */
	uint8_t		has_addr6;			/* 0 or 1 */
	struct in6_addr	addr6;				/* IPv6 one */
	char		remote[CTLMSG_REMOTE_MAX + 1];	/* TCP peer */
	char		forwarded[CTLMSG_REMOTE_MAX + 1]; /* "" if none */
	uint64_t	since;		/* Unix seconds */
	uint64_t	duration;	/* seconds */
	struct counters	c;
	uint8_t		has_rtt;	/* 0 or 1 */
	uint64_t	rtt_us;		/* last PING/PONG round trip */
	uint8_t		relay;		/* relay (SOCKS5) session: 0 or 1 */
	uint32_t	streams;	/* relay: streams open now */
};

/* STATS: counters of the whole server since it started. */
struct ctlmsg_stats {
	uint64_t	sessions_total;		/* handshakes completed */
	uint64_t	sessions_current;
	uint64_t	hs_aborted;		/* closed before handshaking */
	struct counters	c;			/* all sessions' */
	struct counters_tun tun;
	uint64_t	pending;		/* not authenticated, now */
	struct counters_preauth pre;		/* refused before that */
	struct counters_relay relay;		/* relay streams */
	uint64_t	rss_kb;			/* server's VmRSS, 0: unknown */
	unsigned	nrefused;
	struct {
		uint16_t	code;		/* close code, 4000-4999 */
		uint64_t	count;
	}		refused[CTLMSG_MAX_CODES];	/* handshakes failed */
};

struct ctlmsg {
	uint8_t		type;
	union {
		char			text[CTLMSG_TEXT_MAX + 1];
		struct ctlmsg_status	status;
		struct ctlmsg_session	session;
		struct ctlmsg_stats	stats;
	} u;
};

/*
 * Framing: with avail bytes of a stream at buf, set *total to the whole
 * length of the first message.  CTLMSG_ERR_SHORT if the header is not
 * all there yet, CTLMSG_ERR_TOOBIG if the message would exceed
 * CTLMSG_MAX (the stream cannot be trusted after that).
 */
int		 ctlmsg_peek(const uint8_t *buf, size_t avail, size_t *total);
/*
 * Decode one whole message of len bytes (as ctlmsg_peek measured it)
 * into *m.  Any error but CTLMSG_ERR_TOOBIG and CTLMSG_ERR_SHORT leaves
 * the stream in step: m->type is set even for CTLMSG_ERR_TYPE.
 */
int		 ctlmsg_decode(const uint8_t *buf, size_t len, struct ctlmsg *m);
/* Encode *m into buf (cap bytes); *len is the message length. */
int		 ctlmsg_encode(const struct ctlmsg *m, uint8_t *buf, size_t cap,
		    size_t *len);
/* Encode a message with a text body (OK, ERROR, KICK_REQ) or none. */
int		 ctlmsg_encode_text(uint8_t type, const char *text, uint8_t *buf,
		    size_t cap, size_t *len);
/* This build's id, as STATUS, SESSION and STATS carry it. */
uint32_t	 ctlmsg_build_id(void);
/* A request type (sent by rvpnctl). */
bool		 ctlmsg_is_request(uint8_t type);
const char	*ctlmsg_strerror(int);

#endif
