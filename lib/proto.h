/* SPDX-License-Identifier: ISC */
/*
 * rvpn wire protocol v1, as the programs use it (doc/PROTOCOL.md is the
 * specification).  Pure: no sockets, lws, libevent or TUN here.  Every
 * record is built and sealed/opened in place in a caller buffer; callers
 * keep LWS_PRE bytes of headroom in front of `rec`.
 *
 * A record is one WebSocket binary message: rec[0] is the type byte, the
 * rest is the body.  After proto_open() the body is plaintext and the tag is
 * gone; before proto_seal() the body is plaintext and there must be
 * PROTO_TAG_LEN bytes free after it.
 */
#ifndef RVPN_PROTO_H
#define RVPN_PROTO_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROTO_SUBPROTOCOL	"rvpn.v1"	/* Sec-WebSocket-Protocol */
#define PROTO_VERSION		1
#define PROTO_KEY_LEN		32		/* X25519 public/private key */
#define PROTO_TAG_LEN		16
#define PROTO_TAI64N_LEN	12

/* Limits (doc/PROTOCOL.md "Limits"). */
#define PROTO_MAX_RECORD	65536	/* whole message: type + body + tag */
#define PROTO_MIN_PACKET	20	/* an IPv4 header */
#define PROTO_MAX_PACKET	9216	/* MTU is at most 9000 */
#define PROTO_MAX_BATCH		64	/* packets in one DATA record */
#define PROTO_MAX_DNS		4
#define PROTO_MAX_ROUTES	32
#define PROTO_REASON_MAX	123	/* close reason bytes (WebSocket limit) */
#define PROTO_REKEY_RECORDS	(1ULL << 20)	/* hard limit per key and direction */
#define PROTO_REKEY_SOFT	(PROTO_REKEY_RECORDS - 1024)
#define PROTO_REKEY_SECONDS	600

/* Record types (rec[0]). */
enum proto_type {
	PROTO_T_HANDSHAKE_INIT = 0x01,	/* client -> server, Noise IK msg 1 */
	PROTO_T_HANDSHAKE_RESP = 0x02,	/* server -> client, Noise IK msg 2 */
	PROTO_T_DATA = 0x03,		/* encrypted IP packets */
	PROTO_T_CONTROL = 0x04,		/* encrypted control message */
	PROTO_T_STREAM = 0x05,		/* relay sessions: stream message */
};

/* Session kinds (hello TLV 2); TUN when the TLV is absent. */
#define PROTO_SESSION_TUN	0
#define PROTO_SESSION_RELAY	1

/* Errors: every function below returns 0 or one of these. */
enum proto_err {
	PROTO_OK = 0,
	PROTO_ERR_SHORT = -1,		/* truncated record or field */
	PROTO_ERR_TYPE = -2,		/* unknown or unexpected record type */
	PROTO_ERR_TOOBIG = -3,		/* record over PROTO_MAX_RECORD */
	PROTO_ERR_AUTH = -4,		/* AEAD tag or handshake MAC failed */
	PROTO_ERR_LENGTH = -5,		/* packet length points past the record */
	PROTO_ERR_EMPTY = -6,		/* zero-length (or empty) packet/record */
	PROTO_ERR_PKTSIZE = -7,		/* packet under MIN or over MAX_PACKET */
	PROTO_ERR_BATCH = -8,		/* over PROTO_MAX_BATCH packets */
	PROTO_ERR_VERSION = -9,		/* unsupported protocol version */
	PROTO_ERR_REPLAY = -10,		/* handshake timestamp not newer */
	PROTO_ERR_PAYLOAD = -11,	/* malformed handshake/control payload */
	PROTO_ERR_REKEY = -12,		/* key used past PROTO_REKEY_RECORDS */
	PROTO_ERR_SPACE = -13,		/* output does not fit the buffer */
	PROTO_ERR_CRYPTO = -14,		/* OpenSSL failure */
	PROTO_ERR_STATE = -15,		/* call out of order */
};
const char	*proto_strerror(int);

/* WebSocket close codes (4000-4999) with which the server refuses/ends. */
enum proto_close {
	PROTO_CLOSE_BAD_HANDSHAKE = 4000,
	PROTO_CLOSE_UNKNOWN_KEY = 4001,
	PROTO_CLOSE_VERSION = 4002,
	PROTO_CLOSE_POOL_EXHAUSTED = 4003,
	PROTO_CLOSE_ADDRESS_TAKEN = 4004,
	PROTO_CLOSE_SERVER_FULL = 4005,
	PROTO_CLOSE_REPLAY = 4006,
	PROTO_CLOSE_PROTOCOL = 4007,	/* bad record, auth failure */
	PROTO_CLOSE_KICKED = 4008,	/* by the administrator */
	PROTO_CLOSE_SHUTDOWN = 4009,
	PROTO_CLOSE_IDLE = 4010,
	PROTO_CLOSE_REPLACED = 4011,	/* same key connected again */
	PROTO_CLOSE_REVOKED = 4012,	/* key removed at reload */
	PROTO_CLOSE_TIMEOUT = 4013,	/* handshake or keepalive timeout */
	PROTO_CLOSE_DRAINING = 4014,	/* node draining: another one, now */
};
#define PROTO_CLOSE_LAST	PROTO_CLOSE_DRAINING
/* The short reason text for a close code, or NULL if not ours. */
const char	*proto_close_reason(int code);

/* Handshake message 1 payload (client -> server). */
struct proto_hello {
	uint16_t	version;
	uint8_t		timestamp[PROTO_TAI64N_LEN];	/* TAI64N */
	bool		has_addr4;			/* requested address */
	struct in_addr	addr4;
	uint8_t		session;	/* PROTO_SESSION_*, TLV 2 */
	uint8_t		stream_version;	/* relay: stream.h version */
};

struct proto_route {
	uint8_t		family;			/* AF_INET or AF_INET6 */
	uint8_t		prefix;
	union {
		struct in_addr	v4;
		struct in6_addr	v6;
	} addr;
};

/* Handshake message 2 payload (server -> client): the assignment. */
struct proto_assign {
	struct in_addr	addr4;
	uint8_t		prefix4;
	struct in_addr	gateway4;
	struct in_addr	dns4[PROTO_MAX_DNS];
	unsigned	ndns4;
	struct in6_addr	dns6[PROTO_MAX_DNS];		/* TLV 9 */
	unsigned	ndns6;
	uint16_t	mtu;
	uint16_t	keepalive;			/* seconds, 0 = off */
	bool		has_addr6;
	struct in6_addr	addr6;
	uint8_t		prefix6;
	struct proto_route routes[PROTO_MAX_ROUTES];	/* pushed routes */
	unsigned	nroutes;
	/*
	 * Relay session (TLV 10, the stream version): no address, gateway
	 * or MTU then, only keepalive.
	 */
	bool		relay;
	uint8_t		stream_version;
};

struct proto_hs;	/* handshake state, opaque */
struct proto_session;	/* transport cipher states and counters, opaque */

/* _new never fails (dies on ENOMEM, setup path); _free wipes; NULL ok. */
struct proto_hs		*proto_hs_new(void);
void			 proto_hs_free(struct proto_hs *);
/*
 * Responder: the public key of the private key proto_hs_respond_read
 * will be given, so it is not computed per HANDSHAKE_INIT.
 */
void			 proto_hs_set_pub(struct proto_hs *,
			    const uint8_t pub[PROTO_KEY_LEN]);
struct proto_session	*proto_session_new(void);
void			 proto_session_free(struct proto_session *);
/*
 * Make dst a copy of src (its current keys, nonces, counters): for the
 * fuzzers, which start each input from a kept, unused pair instead of a
 * new handshake.
 */
int			 proto_session_clone(struct proto_session *dst,
			    const struct proto_session *src);

/* Current time as TAI64N (wall clock, monotonic per process). */
void	proto_tai64n_now(uint8_t out[PROTO_TAI64N_LEN]);
/* memcmp-like order of two TAI64N stamps. */
int	proto_tai64n_cmp(const uint8_t *, const uint8_t *);

/* Client: build the HANDSHAKE_INIT record into rec (cap bytes), *len set. */
int	proto_hs_initiate(struct proto_hs *, const uint8_t priv[PROTO_KEY_LEN],
	    const uint8_t server_pub[PROTO_KEY_LEN], const struct proto_hello *,
	    uint8_t *rec, size_t cap, size_t *len);
/* Client: consume HANDSHAKE_RESP; fills the assignment and keys the session. */
int	proto_hs_finish(struct proto_hs *, const uint8_t *rec, size_t len,
	    struct proto_assign *, struct proto_session *);

/*
 * Server, step 1: consume HANDSHAKE_INIT with the server's private key.
 * On success the client's static public key and hello are returned; the
 * caller then checks the key (authorized?), the timestamp (replay.h),
 * the version, and picks an address, and either refuses (close code) or
 * calls step 2.
 */
int	proto_hs_respond_read(struct proto_hs *, const uint8_t priv[PROTO_KEY_LEN],
	    const uint8_t *rec, size_t len, struct proto_hello *,
	    uint8_t client_pub[PROTO_KEY_LEN]);
/* Server, step 2: build HANDSHAKE_RESP carrying the assignment; keys the session. */
int	proto_hs_respond_write(struct proto_hs *, const struct proto_assign *,
	    uint8_t *rec, size_t cap, size_t *len, struct proto_session *);

/* DATA records: start one (writes the type byte, *len = 1), then add packets. */
void	proto_data_begin(uint8_t *rec, size_t *len);
/*
 * Append one packet (u16 length prefix + bytes).  PROTO_ERR_SPACE if it
 * would not fit in cap with the tag, PROTO_ERR_BATCH if the record already
 * holds PROTO_MAX_BATCH packets, PROTO_ERR_PKTSIZE for a bad length.
 */
int	proto_data_add(uint8_t *rec, size_t *len, size_t cap, const void *pkt,
	    size_t pktlen);
/* As proto_data_add, but *pkt is where the caller writes the pktlen bytes. */
int	proto_data_reserve(uint8_t *rec, size_t *len, size_t cap,
	    size_t pktlen, uint8_t **pkt);
/* Packets in an unsealed DATA record built by proto_data_add. */
unsigned proto_data_count(const uint8_t *rec, size_t len);

/*
 * Iterate the packets of an opened DATA record: *off starts at 0.
 * Returns 1 with *pkt and *pktlen set, 0 at the end.  proto_open() has
 * validated every length, so this cannot fail on an opened record.
 */
int	proto_data_next(const uint8_t *rec, size_t len, size_t *off,
	    const uint8_t **pkt, size_t *pktlen);

/* CONTROL messages. */
enum proto_ctl_type {
	PROTO_CTL_PING = 1,	/* u64 sender monotonic ns, echoed in PONG */
	PROTO_CTL_PONG = 2,
	PROTO_CTL_CLOSE = 3,	/* u16 close code + reason text */
	PROTO_CTL_REKEY = 4,	/* sender's next records use the next key */
};
struct proto_control {
	uint8_t		type;
	uint64_t	ts;		/* PING/PONG */
	uint16_t	code;		/* CLOSE */
	char		reason[PROTO_REASON_MAX + 1];	/* CLOSE, NUL-terminated */
};
/* Build an unsealed CONTROL record. */
int	proto_control_build(const struct proto_control *, uint8_t *rec,
	    size_t cap, size_t *len);
/* Parse an opened CONTROL record. */
int	proto_control_parse(const uint8_t *rec, size_t len,
	    struct proto_control *);

/*
 * Seal rec (type byte + plaintext body, *len bytes) in place: encrypts the
 * body with the send key and the next nonce, appends the tag; *len grows
 * by PROTO_TAG_LEN.  cap is the room at rec.  Sealing a REKEY control
 * switches the send key right after it (the old one is wiped).
 */
int	proto_seal(struct proto_session *, uint8_t *rec, size_t *len,
	    size_t cap);
/*
 * Open a received DATA or CONTROL record in place: checks size and type,
 * authenticates and decrypts, and for DATA validates every packet length.
 * *len shrinks by the tag.  Opening a REKEY control switches the receive
 * key.  Any error is fatal to the session.
 */
int	proto_open(struct proto_session *, uint8_t *rec, size_t *len);
/* True when the sender should send a REKEY control before more records. */
bool	proto_rekey_due(const struct proto_session *, uint64_t now_mono_ns);
/* Test suite only (RVPN_TEST_REKEY_SECONDS): rekey by time this often. */
void	proto_set_rekey_seconds(unsigned);
int	proto_rekey_env(void);

/* Per-session counters kept by seal/open. */
struct proto_counters {
	uint64_t	tx_records, rx_records, rekeys_tx, rekeys_rx;
};
void	proto_session_counters(const struct proto_session *,
	    struct proto_counters *);

#endif
