/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "log.h"
#include "noise.h"
#include "proto.h"
#include "proto-int.h"
#include "xmalloc.h"

/* Bound on a handshake payload; both messages' payloads fit easily. */
#define PROTO_HS_PAYLOAD_MAX	1024
#define PROTO_HS_INIT_MIN	(1 + NOISE_IK_MSG1_OVERHEAD + 2 + \
				    PROTO_TAI64N_LEN)
#define PROTO_HS_INIT_MAX	(1 + NOISE_IK_MSG1_OVERHEAD + \
				    PROTO_HS_PAYLOAD_MAX)
#define PROTO_HS_RESP_MIN	(1 + NOISE_IK_MSG2_OVERHEAD)
#define PROTO_HS_RESP_MAX	(1 + NOISE_IK_MSG2_OVERHEAD + \
				    PROTO_HS_PAYLOAD_MAX)
#define PROTO_PROLOGUE		"rvpn v1"
enum proto_hs_state {
	HS_NEW,
	HS_SENT1,		/* client: message 1 sent */
	HS_READ1,		/* server: message 1 read, version supported */
	HS_READ1_VERSION,	/* server: message 1 read, version unsupported */
	HS_DONE,
	HS_FAILED,
};

struct proto_hs {
	struct noise_hs		noise;
	enum proto_hs_state	state;
	uint8_t			pub[PROTO_KEY_LEN];	/* responder's own */
	bool			has_pub;
};

/* One direction of a session. */
struct proto_dir {
	EVP_CIPHER_CTX	*ctx;		/* made once, rekeyed in place */
	uint8_t		 key[NOISE_KEY_LEN];
	uint64_t	 n;		/* next nonce */
	uint64_t	 keyed_ns;	/* CLOCK_MONOTONIC when keyed */
	bool		 dead;		/* failed: refuses all further use */
};

struct proto_session {
	struct proto_dir	tx, rx;
	bool			keyed;
	struct proto_counters	c;
};

static const char *const proto_errors[] = {
	[-PROTO_OK] = "success",
	[-PROTO_ERR_SHORT] = "truncated record or field",
	[-PROTO_ERR_TYPE] = "unknown or unexpected record type",
	[-PROTO_ERR_TOOBIG] = "record too big",
	[-PROTO_ERR_AUTH] = "authentication failed",
	[-PROTO_ERR_LENGTH] = "packet length points past the record",
	[-PROTO_ERR_EMPTY] = "empty packet or record",
	[-PROTO_ERR_PKTSIZE] = "bad packet size",
	[-PROTO_ERR_BATCH] = "too many packets in one record",
	[-PROTO_ERR_VERSION] = "unsupported protocol version",
	[-PROTO_ERR_REPLAY] = "handshake timestamp not newer (replay)",
	[-PROTO_ERR_PAYLOAD] = "malformed handshake or control payload",
	[-PROTO_ERR_REKEY] = "key used too often: rekey required",
	[-PROTO_ERR_SPACE] = "output does not fit the buffer",
	[-PROTO_ERR_CRYPTO] = "cryptographic library failure",
	[-PROTO_ERR_STATE] = "call out of order",
};

/* The text of a proto_err code. */
const char *
proto_strerror(int err)
{
	/* Compared as err, never -err: -INT_MIN overflows. */
	if (err > 0 || err <= -(int)(sizeof(proto_errors) /
	    sizeof(proto_errors[0])))
		return "unknown error";
	return proto_errors[-err];
}

#define PROTO_CLOSE_IX(c)	[(c) - PROTO_CLOSE_BAD_HANDSHAKE]
static const char *const proto_close_reasons[] = {
	PROTO_CLOSE_IX(PROTO_CLOSE_BAD_HANDSHAKE) = "bad handshake",
	PROTO_CLOSE_IX(PROTO_CLOSE_UNKNOWN_KEY) = "unknown key",
	PROTO_CLOSE_IX(PROTO_CLOSE_VERSION) = "unsupported protocol version",
	PROTO_CLOSE_IX(PROTO_CLOSE_POOL_EXHAUSTED) = "address pool exhausted",
	PROTO_CLOSE_IX(PROTO_CLOSE_ADDRESS_TAKEN) = "address already in use",
	PROTO_CLOSE_IX(PROTO_CLOSE_SERVER_FULL) = "server full",
	PROTO_CLOSE_IX(PROTO_CLOSE_REPLAY) = "replayed handshake",
	PROTO_CLOSE_IX(PROTO_CLOSE_PROTOCOL) = "protocol error",
	PROTO_CLOSE_IX(PROTO_CLOSE_KICKED) = "kicked by administrator",
	PROTO_CLOSE_IX(PROTO_CLOSE_SHUTDOWN) = "server shutting down",
	PROTO_CLOSE_IX(PROTO_CLOSE_IDLE) = "idle timeout",
	PROTO_CLOSE_IX(PROTO_CLOSE_REPLACED) = "replaced by a newer connection",
	PROTO_CLOSE_IX(PROTO_CLOSE_REVOKED) = "key revoked",
	PROTO_CLOSE_IX(PROTO_CLOSE_TIMEOUT) = "timeout",
	PROTO_CLOSE_IX(PROTO_CLOSE_DRAINING) = "server draining",
};

/* The reason text for one of our close codes. */
const char *
proto_close_reason(int code)
{
	if (code < PROTO_CLOSE_BAD_HANDSHAKE ||
	    code > PROTO_CLOSE_LAST)
		return NULL;
	return proto_close_reasons[code - PROTO_CLOSE_BAD_HANDSHAKE];
}

/* CLOCK_MONOTONIC in nanoseconds. */
static uint64_t
proto_mono_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* TAI64N of the wall clock, strictly increasing within this process. */
void
proto_tai64n_now(uint8_t out[PROTO_TAI64N_LEN])
{
	static uint64_t	last_s, last_ns;
	struct timespec	ts;
	uint64_t	s, ns;

	clock_gettime(CLOCK_REALTIME, &ts);
	s = 0x400000000000000aULL + (uint64_t)ts.tv_sec;
	ns = (uint64_t)ts.tv_nsec;
	if (s < last_s || (s == last_s && ns <= last_ns)) {
		s = last_s;
		ns = last_ns + 1;
		if (ns >= 1000000000ULL) {
			s++;
			ns = 0;
		}
	}
	last_s = s;
	last_ns = ns;
	put64(out, s);
	out[8] = (uint8_t)(ns >> 24);
	out[9] = (uint8_t)(ns >> 16);
	out[10] = (uint8_t)(ns >> 8);
	out[11] = (uint8_t)ns;
}

/* Order two TAI64N stamps: <0, 0, >0. */
int
proto_tai64n_cmp(const uint8_t *a, const uint8_t *b)
{
	int	r = memcmp(a, b, PROTO_TAI64N_LEN);

	return r < 0 ? -1 : r > 0;
}

/* Handshake state. */
struct proto_hs *
proto_hs_new(void)
{
	struct proto_hs	*hs;

	hs = xcalloc(1, sizeof(*hs));
	hs->state = HS_NEW;
	return hs;
}

/* Wipe and free a handshake state. */
void
proto_hs_free(struct proto_hs *hs)
{
	if (hs == NULL)
		return;
	noise_hs_wipe(&hs->noise);
	freezero(hs, sizeof(*hs));
}

void
proto_hs_set_pub(struct proto_hs *hs, const uint8_t pub[PROTO_KEY_LEN])
{
	memcpy(hs->pub, pub, PROTO_KEY_LEN);
	hs->has_pub = true;
}

/* A session with both cipher contexts made, not yet keyed. */
struct proto_session *
proto_session_new(void)
{
	struct proto_session	*s;

	s = xcalloc(1, sizeof(*s));
	if ((s->tx.ctx = noise_cipher_new(1)) == NULL ||
	    (s->rx.ctx = noise_cipher_new(0)) == NULL)
		fatalx("%s: cannot make a ChaCha20-Poly1305 context",
		    __func__);
	return s;
}

/* Wipe and free a session. */
void
proto_session_free(struct proto_session *s)
{
	if (s == NULL)
		return;
	EVP_CIPHER_CTX_free(s->tx.ctx);	/* cleanses the key schedule */
	EVP_CIPHER_CTX_free(s->rx.ctx);
	freezero(s, sizeof(*s));
}

static int	proto_session_key(struct proto_session *,
		    const uint8_t[NOISE_KEY_LEN], const uint8_t[NOISE_KEY_LEN]);

int
proto_session_clone(struct proto_session *dst, const struct proto_session *src)
{
	int	rc;

	if (!src->keyed)
		return PROTO_ERR_STATE;
	if ((rc = proto_session_key(dst, src->tx.key, src->rx.key)) !=
	    PROTO_OK)
		return rc;
	dst->tx.n = src->tx.n;
	dst->rx.n = src->rx.n;
	dst->tx.keyed_ns = src->tx.keyed_ns;
	dst->rx.keyed_ns = src->rx.keyed_ns;
	dst->tx.dead = src->tx.dead;
	dst->rx.dead = src->rx.dead;
	dst->c = src->c;
	return PROTO_OK;
}

/* Key both directions of a fresh session from Split(). */
static int
proto_session_key(struct proto_session *s, const uint8_t send[NOISE_KEY_LEN],
    const uint8_t recv[NOISE_KEY_LEN])
{
	uint64_t	now = proto_mono_ns();

	memcpy(s->tx.key, send, NOISE_KEY_LEN);
	memcpy(s->rx.key, recv, NOISE_KEY_LEN);
	if (noise_cipher_key(s->tx.ctx, s->tx.key, 1) != 0 ||
	    noise_cipher_key(s->rx.ctx, s->rx.key, 0) != 0)
		return PROTO_ERR_CRYPTO;
	s->tx.n = s->rx.n = 0;
	s->tx.keyed_ns = s->rx.keyed_ns = now;
	s->keyed = true;
	return PROTO_OK;
}

/* Client: build HANDSHAKE_INIT. */
int
proto_hs_initiate(struct proto_hs *hs, const uint8_t priv[PROTO_KEY_LEN],
    const uint8_t server_pub[PROTO_KEY_LEN], const struct proto_hello *hello,
    uint8_t *rec, size_t cap, size_t *len)
{
	uint8_t	payload[PROTO_HS_PAYLOAD_MAX];
	size_t	plen, mlen;
	int	rc;

	if (hs->state != HS_NEW)
		return PROTO_ERR_STATE;
	if ((rc = proto_hello_encode(hello, payload, &plen)) != PROTO_OK)
		return rc;
	if (cap < 1 + NOISE_IK_MSG1_OVERHEAD + plen)
		return PROTO_ERR_SPACE;
	hs->state = HS_FAILED;
	if (noise_hs_init(&hs->noise, NOISE_HASH_BLAKE2S, true, PROTO_PROLOGUE,
	    strlen(PROTO_PROLOGUE), priv, server_pub) != 0 ||
	    noise_hs_write_msg1(&hs->noise, payload, plen, rec + 1, cap - 1,
	    &mlen) != 0) {
		noise_hs_wipe(&hs->noise);
		return PROTO_ERR_CRYPTO;
	}
	rec[0] = PROTO_T_HANDSHAKE_INIT;
	*len = 1 + mlen;
	hs->state = HS_SENT1;
	return PROTO_OK;
}

/* Check size and type of a handshake record. */
static int
proto_hs_check(const uint8_t *rec, size_t len, uint8_t type, size_t min,
    size_t max)
{
	if (len == 0)
		return PROTO_ERR_SHORT;
	if (rec[0] != type)
		return PROTO_ERR_TYPE;
	if (len > max)
		return PROTO_ERR_TOOBIG;
	if (len < min)
		return PROTO_ERR_SHORT;
	return PROTO_OK;
}

/* Client: consume HANDSHAKE_RESP and key the session. */
int
proto_hs_finish(struct proto_hs *hs, const uint8_t *rec, size_t len,
    struct proto_assign *assign, struct proto_session *s)
{
	uint8_t	payload[PROTO_HS_PAYLOAD_MAX];
	uint8_t	send[NOISE_KEY_LEN], recv[NOISE_KEY_LEN];
	size_t	plen;
	int	rc;

	if (hs->state != HS_SENT1 || s->keyed)
		return PROTO_ERR_STATE;
	rc = proto_hs_check(rec, len, PROTO_T_HANDSHAKE_RESP,
	    PROTO_HS_RESP_MIN, PROTO_HS_RESP_MAX);
	if (rc != PROTO_OK)
		goto fail;
	if (noise_hs_read_msg2(&hs->noise, rec + 1, len - 1, payload,
	    sizeof(payload), &plen) != 0) {
		rc = PROTO_ERR_AUTH;
		goto fail;
	}
	if ((rc = proto_assign_decode(payload, plen, assign)) != PROTO_OK)
		goto fail;
	if (noise_hs_split(&hs->noise, send, recv, NULL) != 0) {
		rc = PROTO_ERR_CRYPTO;
		goto fail;
	}
	rc = proto_session_key(s, send, recv);
	OPENSSL_cleanse(send, sizeof(send));
	OPENSSL_cleanse(recv, sizeof(recv));
	if (rc != PROTO_OK)
		goto fail;
	noise_hs_wipe(&hs->noise);
	hs->state = HS_DONE;
	OPENSSL_cleanse(payload, sizeof(payload));
	return PROTO_OK;
fail:
	noise_hs_wipe(&hs->noise);
	hs->state = HS_FAILED;
	OPENSSL_cleanse(payload, sizeof(payload));
	return rc;
}

/* Server: consume HANDSHAKE_INIT. */
int
proto_hs_respond_read(struct proto_hs *hs, const uint8_t priv[PROTO_KEY_LEN],
    const uint8_t *rec, size_t len, struct proto_hello *hello,
    uint8_t client_pub[PROTO_KEY_LEN])
{
	uint8_t	payload[PROTO_HS_PAYLOAD_MAX];
	size_t	plen;
	int	rc;

	if (hs->state != HS_NEW)
		return PROTO_ERR_STATE;
	hs->state = HS_FAILED;
	rc = proto_hs_check(rec, len, PROTO_T_HANDSHAKE_INIT,
	    PROTO_HS_INIT_MIN, PROTO_HS_INIT_MAX);
	if (rc != PROTO_OK)
		return rc;
	if (noise_hs_init_pub(&hs->noise, NOISE_HASH_BLAKE2S, false,
	    PROTO_PROLOGUE, strlen(PROTO_PROLOGUE), priv,
	    hs->has_pub ? hs->pub : NULL, NULL) != 0) {
		rc = PROTO_ERR_CRYPTO;
		goto fail;
	}
	if (noise_hs_read_msg1(&hs->noise, rec + 1, len - 1, payload,
	    sizeof(payload), &plen) != 0) {
		rc = PROTO_ERR_AUTH;
		goto fail;
	}
	/* The minimum record length guarantees version and timestamp. */
	memset(hello, 0, sizeof(*hello));
	hello->version = get16(payload);
	memcpy(hello->timestamp, payload + 2, PROTO_TAI64N_LEN);
	if (hello->version != PROTO_VERSION) {
		/* The rest may be laid out differently: not parsed. */
		memcpy(client_pub, hs->noise.rs, PROTO_KEY_LEN);
		hs->state = HS_READ1_VERSION;
		OPENSSL_cleanse(payload, sizeof(payload));
		return PROTO_OK;
	}
	rc = proto_hello_tlvs(payload + 2 + PROTO_TAI64N_LEN,
	    plen - 2 - PROTO_TAI64N_LEN, hello);
	if (rc != PROTO_OK)
		goto fail;
	memcpy(client_pub, hs->noise.rs, PROTO_KEY_LEN);
	hs->state = HS_READ1;
	OPENSSL_cleanse(payload, sizeof(payload));
	return PROTO_OK;
fail:
	noise_hs_wipe(&hs->noise);
	OPENSSL_cleanse(payload, sizeof(payload));
	return rc;
}

/* Server: build HANDSHAKE_RESP and key the session. */
int
proto_hs_respond_write(struct proto_hs *hs, const struct proto_assign *assign,
    uint8_t *rec, size_t cap, size_t *len, struct proto_session *s)
{
	uint8_t	payload[PROTO_HS_PAYLOAD_MAX];
	uint8_t	send[NOISE_KEY_LEN], recv[NOISE_KEY_LEN];
	size_t	plen, mlen;
	int	rc;

	if (hs->state == HS_READ1_VERSION)
		return PROTO_ERR_VERSION;
	if (hs->state != HS_READ1 || s->keyed)
		return PROTO_ERR_STATE;
	rc = proto_assign_encode(assign, payload, sizeof(payload), &plen);
	if (rc != PROTO_OK)
		return rc;
	if (cap < 1 + NOISE_IK_MSG2_OVERHEAD + plen)
		return PROTO_ERR_SPACE;
	if (noise_hs_write_msg2(&hs->noise, payload, plen, rec + 1, cap - 1,
	    &mlen) != 0 ||
	    noise_hs_split(&hs->noise, send, recv, NULL) != 0)
		rc = PROTO_ERR_CRYPTO;
	else
		rc = proto_session_key(s, send, recv);
	OPENSSL_cleanse(send, sizeof(send));
	OPENSSL_cleanse(recv, sizeof(recv));
	noise_hs_wipe(&hs->noise);
	if (rc != PROTO_OK) {
		hs->state = HS_FAILED;
		return rc;
	}
	rec[0] = PROTO_T_HANDSHAKE_RESP;
	*len = 1 + mlen;
	hs->state = HS_DONE;
	return PROTO_OK;
}

/* Start a DATA record. */
void
proto_data_begin(uint8_t *rec, size_t *len)
{
	rec[0] = PROTO_T_DATA;
	*len = 1;
}

/* Packets in a DATA record body (stops at the first malformed length). */
unsigned
proto_data_count(const uint8_t *rec, size_t len)
{
	size_t		off = 1, plen;
	unsigned	n = 0;

	while (off < len && len - off >= 2) {
		plen = get16(rec + off);
		off += 2;
		if (plen > len - off)
			break;
		off += plen;
		n++;
	}
	return n;
}

/* Room for one packet in an unsealed DATA record; the caller fills it. */
int
proto_data_reserve(uint8_t *rec, size_t *len, size_t cap, size_t pktlen,
    uint8_t **pkt)
{
	size_t	n = *len;

	if (pktlen == 0)
		return PROTO_ERR_EMPTY;
	if (pktlen < PROTO_MIN_PACKET || pktlen > PROTO_MAX_PACKET)
		return PROTO_ERR_PKTSIZE;
	if (n < 1 || rec[0] != PROTO_T_DATA)
		return PROTO_ERR_STATE;
	if (cap > PROTO_MAX_RECORD)
		cap = PROTO_MAX_RECORD;
	if (n > cap || cap - n < 2 + pktlen + PROTO_TAG_LEN)
		return PROTO_ERR_SPACE;
	/* Only a record this long can already hold the maximum batch. */
	if (n >= 1 + PROTO_MAX_BATCH * (2 + PROTO_MIN_PACKET) &&
	    proto_data_count(rec, n) >= PROTO_MAX_BATCH)
		return PROTO_ERR_BATCH;
	put16(rec + n, (uint16_t)pktlen);
	*pkt = rec + n + 2;
	*len = n + 2 + pktlen;
	return PROTO_OK;
}

/* Append a packet to an unsealed DATA record. */
int
proto_data_add(uint8_t *rec, size_t *len, size_t cap, const void *pkt,
    size_t pktlen)
{
	uint8_t	*dst;
	int	 rc;

	if ((rc = proto_data_reserve(rec, len, cap, pktlen, &dst)) ==
	    PROTO_OK)
		memcpy(dst, pkt, pktlen);
	return rc;
}

/* Next packet of an opened DATA record. */
int
proto_data_next(const uint8_t *rec, size_t len, size_t *off,
    const uint8_t **pkt, size_t *pktlen)
{
	size_t	pos, plen;

	if (len < 1 || *off >= len - 1 || len - 1 - *off < 2)
		return 0;
	pos = 1 + *off;
	plen = get16(rec + pos);
	if (plen > len - pos - 2)
		return 0;	/* not an opened record: stop */
	*pkt = rec + pos + 2;
	*pktlen = plen;
	*off += 2 + plen;
	return 1;
}

/* Check every packet length of a decrypted DATA record. */
static int
proto_data_check(const uint8_t *rec, size_t len)
{
	size_t		off = 1, plen;
	unsigned	n = 0;

	if (len <= 1)
		return PROTO_ERR_EMPTY;
	while (off < len) {
		if (len - off < 2)
			return PROTO_ERR_SHORT;
		plen = get16(rec + off);
		off += 2;
		if (plen == 0)
			return PROTO_ERR_EMPTY;
		if (plen > len - off)
			return PROTO_ERR_LENGTH;
		if (plen < PROTO_MIN_PACKET || plen > PROTO_MAX_PACKET)
			return PROTO_ERR_PKTSIZE;
		if (++n > PROTO_MAX_BATCH)
			return PROTO_ERR_BATCH;
		off += plen;
	}
	return PROTO_OK;
}

/* Check (and optionally decode) a CONTROL record body. */
static int
proto_control_check(const uint8_t *rec, size_t len, struct proto_control *c)
{
	const uint8_t	*b = rec + 1;
	size_t		 blen = len - 1, rlen;

	if (len <= 1)
		return PROTO_ERR_EMPTY;
	switch (b[0]) {
	case PROTO_CTL_PING:
	case PROTO_CTL_PONG:
		if (blen != 1 + 8)
			return PROTO_ERR_PAYLOAD;
		if (c != NULL)
			c->ts = get64(b + 1);
		break;
	case PROTO_CTL_CLOSE:
		if (blen < 3 || blen - 3 > PROTO_REASON_MAX)
			return PROTO_ERR_PAYLOAD;
		rlen = blen - 3;
		if (memchr(b + 3, '\0', rlen) != NULL)
			return PROTO_ERR_PAYLOAD;
		if (c != NULL) {
			c->code = get16(b + 1);
			memcpy(c->reason, b + 3, rlen);
			c->reason[rlen] = '\0';
		}
		break;
	case PROTO_CTL_REKEY:
		if (blen != 1)
			return PROTO_ERR_PAYLOAD;
		break;
	default:
		return PROTO_ERR_TYPE;
	}
	if (c != NULL)
		c->type = b[0];
	return PROTO_OK;
}

/* Build an unsealed CONTROL record. */
int
proto_control_build(const struct proto_control *c, uint8_t *rec, size_t cap,
    size_t *len)
{
	size_t	need, rlen = 0;

	switch (c->type) {
	case PROTO_CTL_PING:
	case PROTO_CTL_PONG:
		need = 2 + 8;
		break;
	case PROTO_CTL_CLOSE:
		rlen = strnlen(c->reason, sizeof(c->reason));
		if (rlen > PROTO_REASON_MAX)
			return PROTO_ERR_PAYLOAD;
		need = 2 + 2 + rlen;
		break;
	case PROTO_CTL_REKEY:
		need = 2;
		break;
	default:
		return PROTO_ERR_TYPE;
	}
	if (cap < need + PROTO_TAG_LEN)
		return PROTO_ERR_SPACE;
	rec[0] = PROTO_T_CONTROL;
	rec[1] = c->type;
	if (c->type == PROTO_CTL_PING || c->type == PROTO_CTL_PONG)
		put64(rec + 2, c->ts);
	else if (c->type == PROTO_CTL_CLOSE) {
		put16(rec + 2, c->code);
		memcpy(rec + 4, c->reason, rlen);
	}
	*len = need;
	return PROTO_OK;
}

/* Parse an opened CONTROL record. */
int
proto_control_parse(const uint8_t *rec, size_t len, struct proto_control *c)
{
	if (len == 0)
		return PROTO_ERR_SHORT;
	if (rec[0] != PROTO_T_CONTROL)
		return PROTO_ERR_TYPE;
	if (len > PROTO_MAX_RECORD)
		return PROTO_ERR_TOOBIG;
	memset(c, 0, sizeof(*c));
	return proto_control_check(rec, len, c);
}

/* Switch one direction to REKEY(k) with a fresh counter. */
static int
proto_dir_rekey(struct proto_dir *d, int enc)
{
	if (noise_cipher_rekey(d->ctx, d->key, enc) != 0) {
		d->dead = true;
		return PROTO_ERR_CRYPTO;
	}
	d->n = 0;
	d->keyed_ns = proto_mono_ns();
	return PROTO_OK;
}

/* Seal a DATA, CONTROL or STREAM record in place. */
int
proto_seal(struct proto_session *s, uint8_t *rec, size_t *len, size_t cap)
{
	size_t	n = *len;
	bool	rekey;
	int	rc;

	if (!s->keyed || s->tx.dead)
		return PROTO_ERR_STATE;
	if (n < 2)
		return n == 0 ? PROTO_ERR_SHORT : PROTO_ERR_EMPTY;
	if (rec[0] != PROTO_T_DATA && rec[0] != PROTO_T_CONTROL &&
	    rec[0] != PROTO_T_STREAM)
		return PROTO_ERR_TYPE;
	if (n > PROTO_MAX_RECORD - PROTO_TAG_LEN)
		return PROTO_ERR_TOOBIG;
	if (cap < n + PROTO_TAG_LEN)
		return PROTO_ERR_SPACE;
	rekey = rec[0] == PROTO_T_CONTROL && n == 2 &&
	    rec[1] == PROTO_CTL_REKEY;
	/* The last nonce of a key is kept for the REKEY control. */
	if (s->tx.n >= PROTO_REKEY_RECORDS - (rekey ? 0 : 1))
		return PROTO_ERR_REKEY;
	if (noise_cipher_seal(s->tx.ctx, s->tx.n, rec, 1, rec + 1, n - 1,
	    rec + n) != 0) {
		s->tx.dead = true;
		return PROTO_ERR_CRYPTO;
	}
	s->tx.n++;
	s->c.tx_records++;
	*len = n + PROTO_TAG_LEN;
	if (rekey) {
		if ((rc = proto_dir_rekey(&s->tx, 1)) != PROTO_OK)
			return rc;
		s->c.rekeys_tx++;
	}
	return PROTO_OK;
}

/* Open a DATA, CONTROL or STREAM record in place; any failure ends it. */
int
proto_open(struct proto_session *s, uint8_t *rec, size_t *len)
{
	size_t	n = *len, body;
	bool	rekey = false;
	int	rc;

	if (!s->keyed || s->rx.dead)
		return PROTO_ERR_STATE;
	if (n > PROTO_MAX_RECORD) {
		rc = PROTO_ERR_TOOBIG;
		goto fail;
	}
	if (n < 1 + PROTO_TAG_LEN) {
		rc = PROTO_ERR_SHORT;
		goto fail;
	}
	if (rec[0] != PROTO_T_DATA && rec[0] != PROTO_T_CONTROL &&
	    rec[0] != PROTO_T_STREAM) {
		rc = PROTO_ERR_TYPE;
		goto fail;
	}
	if (s->rx.n >= PROTO_REKEY_RECORDS) {
		rc = PROTO_ERR_REKEY;
		goto fail;
	}
	body = n - 1 - PROTO_TAG_LEN;
	if (noise_cipher_open(s->rx.ctx, s->rx.n, rec, 1, rec + 1, body,
	    rec + 1 + body) != 0) {
		OPENSSL_cleanse(rec + 1, body);	/* unauthenticated */
		rc = PROTO_ERR_AUTH;
		goto fail;
	}
	s->rx.n++;
	if (rec[0] == PROTO_T_DATA)
		rc = proto_data_check(rec, 1 + body);
	else if (rec[0] == PROTO_T_STREAM)
		rc = body == 0 ? PROTO_ERR_EMPTY : PROTO_OK;	/* stream.c */
	else {
		rc = proto_control_check(rec, 1 + body, NULL);
		rekey = rc == PROTO_OK && rec[1] == PROTO_CTL_REKEY;
	}
	if (rc != PROTO_OK)
		goto fail;
	if (s->rx.n == PROTO_REKEY_RECORDS && !rekey) {
		rc = PROTO_ERR_REKEY;
		goto fail;
	}
	*len = 1 + body;
	s->c.rx_records++;
	if (rekey) {
		if ((rc = proto_dir_rekey(&s->rx, 0)) != PROTO_OK)
			goto fail;
		s->c.rekeys_rx++;
	}
	return PROTO_OK;
fail:
	s->rx.dead = true;
	return rc;
}

/* The time rekey interval: PROTO_REKEY_SECONDS but for the test suite. */
static uint64_t	proto_rekey_ns = (uint64_t)PROTO_REKEY_SECONDS * 1000000000ULL;

void
proto_set_rekey_seconds(unsigned seconds)
{
	proto_rekey_ns = (uint64_t)seconds * 1000000000ULL;
}

/*
 * RVPN_TEST_REKEY_SECONDS (the test suite's, not for production): 0 if
 * unset, else the interval set from it (1..3600), -1 if it is not one.
 */
int
proto_rekey_env(void)
{
	const char *v = getenv("RVPN_TEST_REKEY_SECONDS");
	char *end;
	long n;

	if (v == NULL)
		return 0;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < 1 || n > 3600)
		return -1;
	proto_set_rekey_seconds((unsigned)n);
	return (int)n;
}

/* Should the sender rekey now? */
bool
proto_rekey_due(const struct proto_session *s, uint64_t now_mono_ns)
{
	if (!s->keyed)
		return false;
	if (s->tx.n >= PROTO_REKEY_SOFT)
		return true;
	return (now_mono_ns >= s->tx.keyed_ns &&
	    now_mono_ns - s->tx.keyed_ns >= proto_rekey_ns);
}

/* Copy the counters out. */
void
proto_session_counters(const struct proto_session *s,
    struct proto_counters *c)
{
	*c = s->c;
}
