/* SPDX-License-Identifier: ISC */
/*
 * lib/relay.c: two relays (client and server side) joined by hand, the
 * local sides socketpairs: open, data both ways through the windows,
 * half-close, and the protocol errors a peer can commit (DATA past the
 * window, OPEN to the client, an id in use, a second FIN), the stream
 * limit (RESET 9) and a RESET crossing an unknown id.
 */
#include "autoconf.h"

#include <sys/socket.h>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "relay.h"
#include "stream.h"
#include "tap.h"

static struct event_base *base;
static int srv_fd = -1, cli_fd = -1;	/* the applications' ends */
static int opened_reason = -1;
static unsigned nopen;

static void
want(void *arg)
{
	(void)arg;
}

static void
srv_open(void *arg, struct relay_stream *st, const struct stream_msg *m)
{
	struct bufferevent *bev;
	int sv[2];

	(void)arg;
	nopen++;
	if (m->port == 9) {		/* the "refused" port */
		relay_reset(st, STREAM_R_REFUSED);
		return;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		abort();
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	bev = bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE);
	srv_fd = sv[1];
	relay_attach(st, bev);
}

static void
cli_opened(void *arg, struct relay_stream *st, int reason)
{
	struct bufferevent *bev;
	int sv[2];

	(void)arg;
	opened_reason = reason;
	if (reason != 0)
		return;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		abort();
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	bev = bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE);
	cli_fd = sv[1];
	relay_attach(st, bev);
}

static const struct relay_ops srv_ops = { want, srv_open, NULL, NULL };
static const struct relay_ops cli_ops = { want, NULL, cli_opened, NULL };

/* Move every due message both ways once. */
static int
move(struct relay *c, struct relay *s)
{
	uint8_t buf[STREAM_MSG_MAX];
	const char *why;
	size_t len;
	int rc = 0;

	while (relay_next(c, buf, sizeof(buf), &len) == 1)
		if (relay_input(s, buf, len, &why) == -1)
			rc = -1;
	while (relay_next(s, buf, sizeof(buf), &len) == 1)
		if (relay_input(c, buf, len, &why) == -1)
			rc = -1;
	return rc;
}

/* Run the loop and move every due message both ways; bounded. */
static int
pump(struct relay *c, struct relay *s)
{
	uint8_t buf[STREAM_MSG_MAX];
	const char *why;
	size_t len;
	int i, moved, rc = 0;

	for (i = 0; i < 200; i++) {
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		moved = 0;
		while (relay_next(c, buf, sizeof(buf), &len) == 1) {
			moved = 1;
			if (relay_input(s, buf, len, &why) == -1)
				rc = -1;
		}
		while (relay_next(s, buf, sizeof(buf), &len) == 1) {
			moved = 1;
			if (relay_input(c, buf, len, &why) == -1)
				rc = -1;
		}
		if (!moved && i > 20)
			break;
	}
	return rc;
}

static struct stream_msg
open_msg(uint16_t port)
{
	struct stream_msg m;

	memset(&m, 0, sizeof(m));
	m.type = STREAM_OPEN;
	m.atyp = STREAM_A_NAME;
	strcpy(m.name, "example.test");
	m.port = port;
	return m;
}

/* Read exactly n bytes from fd within the pumps. */
static size_t
drain(int fd, struct relay *c, struct relay *s, uint8_t *out, size_t n)
{
	size_t got = 0;
	ssize_t r;
	int i;

	fcntl(fd, F_SETFL, O_NONBLOCK);
	for (i = 0; i < 500 && got < n; i++) {
		pump(c, s);
		while (got < n && (r = read(fd, out + got, n - got)) > 0)
			got += (size_t)r;
	}
	return got;
}

static void
test_flow(void)
{
	struct relay *c = relay_new(&cli_ops, NULL, 8);
	struct relay *s = relay_new(&srv_ops, NULL, 8);
	struct stream_msg m = open_msg(80);
	static uint8_t big[1 << 20], back[1 << 20];
	size_t i, off, roff;
	ssize_t w;

	tap_ok(relay_open(c, &m, c) != NULL, "client opens a stream");
	tap_is_int(pump(c, s), 0, "OPEN, OPEN_OK: no protocol error");
	tap_is_int(nopen, 1, "the server saw one OPEN");
	tap_is_int(opened_reason, 0, "the client saw OPEN_OK");
	tap_ok(srv_fd != -1 && cli_fd != -1, "both local sides attached");

	/* 1 MiB client -> server: four times the window. */
	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + 3);
	fcntl(cli_fd, F_SETFL, O_NONBLOCK);
	fcntl(srv_fd, F_SETFL, O_NONBLOCK);
	memset(back, 0, sizeof(back));
	for (off = roff = 0, i = 0; roff < sizeof(big) && i < 20000; i++) {
		if (off < sizeof(big) && (w = write(cli_fd, big + off,
		    sizeof(big) - off)) > 0)
			off += (size_t)w;
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		move(c, s);
		/* The server's application reads as it goes. */
		while (roff < sizeof(back) && (w = read(srv_fd, back + roff,
		    sizeof(back) - roff)) > 0)
			roff += (size_t)w;
	}
	tap_is_int(off, sizeof(big), "1 MiB written by the client's application");
	tap_is_int(roff, sizeof(back),
	    "1 MiB arrives at the server's side (windows reopened)");
	tap_ok(memcmp(big, back, sizeof(big)) == 0, "byte for byte");
	tap_is_int(relay_stats(c)->tx_bytes, sizeof(big), "client tx bytes");
	tap_is_int(relay_stats(s)->rx_bytes, sizeof(big), "server rx bytes");

	/* Half-close from the client; the server still sends. */
	shutdown(cli_fd, SHUT_WR);
	pump(c, s);
	tap_is_int(read(srv_fd, back, 1), 0, "client FIN: EOF at the server");
	tap_is_int(write(srv_fd, "pong", 4), 4, "the server side still writes");
	tap_is_int(drain(cli_fd, c, s, back, 4), 4, "and the client reads it");
	close(srv_fd);
	pump(c, s);
	tap_is_int(relay_count(c), 0, "both FINs: client stream gone");
	tap_is_int(relay_count(s), 0, "both FINs: server stream gone");
	close(cli_fd);
	srv_fd = cli_fd = -1;
	relay_free(c);
	relay_free(s);
}

static int
feed(struct relay *r, const struct stream_msg *m, const char **why)
{
	uint8_t buf[STREAM_MSG_MAX];
	size_t len;

	if (stream_encode(m, buf, sizeof(buf), &len) != STREAM_OK)
		abort();
	return relay_input(r, buf, len, why);
}

static void
test_errors(void)
{
	struct relay *c, *s;
	struct stream_msg m;
	static uint8_t data[STREAM_MAX_DATA];
	const char *why = NULL;
	uint8_t buf[STREAM_MSG_MAX];
	size_t len;
	int i, rc = 0;

	/* The refused port: RESET 5 reaches the client's opened(). */
	c = relay_new(&cli_ops, NULL, 8);
	s = relay_new(&srv_ops, NULL, 8);
	m = open_msg(9);
	opened_reason = -1;
	relay_open(c, &m, c);
	pump(c, s);
	tap_is_int(opened_reason, STREAM_R_REFUSED, "refused: opened(5)");
	tap_is_int(relay_count(c) + relay_count(s), 0, "refused: no stream left");
	relay_free(c);
	relay_free(s);

	/* DATA past the window is a protocol error. */
	s = relay_new(&srv_ops, NULL, 8);
	m = open_msg(80);
	m.id = 5;
	tap_is_int(feed(s, &m, &why), 0, "OPEN id 5");
	memset(&m, 0, sizeof(m));
	m.type = STREAM_DATA;
	m.id = 5;
	m.data = data;
	m.len = sizeof(data);
	for (i = 0; i < STREAM_WINDOW / STREAM_MAX_DATA; i++)
		rc |= feed(s, &m, &why);
	tap_is_int(rc, 0, "DATA up to the window is taken");
	m.len = 1;
	tap_is_int(feed(s, &m, &why), -1, "one byte past the window: error");
	tap_is_str(why, "DATA past the window", "why: DATA past the window");
	m = open_msg(80);
	m.id = 5;
	tap_is_int(feed(s, &m, &why), -1, "OPEN of an id in use: error");
	memset(&m, 0, sizeof(m));
	m.type = STREAM_FIN;
	m.id = 5;
	tap_is_int(feed(s, &m, &why), 0, "FIN");
	tap_is_int(feed(s, &m, &why), -1, "second FIN: error");
	m.type = STREAM_RESET;
	m.id = 77;
	m.reason = STREAM_R_GENERAL;
	tap_is_int(feed(s, &m, &why), 0, "RESET of an unknown id: ignored");
	relay_free(s);
	close(srv_fd);
	srv_fd = -1;

	/* The stream limit: the 3rd OPEN of a max-2 relay is reset (9). */
	s = relay_new(&srv_ops, NULL, 2);
	for (i = 1; i <= 3; i++) {
		m = open_msg(9);	/* reset at once by srv_open */
		m.port = 80;
		m.id = (uint32_t)i;
		feed(s, &m, &why);
	}
	tap_is_int(relay_stats(s)->limited, 1, "3rd OPEN over max 2: limited");
	rc = 0;
	while (relay_next(s, buf, sizeof(buf), &len) == 1) {
		struct stream_msg got;

		if (stream_parse(buf, len, &got) == STREAM_OK &&
		    got.type == STREAM_RESET && got.id == 3 &&
		    got.reason == STREAM_R_LIMIT)
			rc = 1;
	}
	tap_ok(rc, "RESET 9 (too many streams) for stream 3");
	relay_free(s);
	if (srv_fd != -1)
		close(srv_fd);
	srv_fd = -1;

	/* OPEN sent to the client. */
	c = relay_new(&cli_ops, NULL, 8);
	m = open_msg(80);
	m.id = 1;
	tap_is_int(feed(c, &m, &why), -1, "OPEN to the client: error");
	relay_free(c);
}

int
main(void)
{
	base = event_base_new();
	test_flow();
	test_errors();
	event_base_free(base);
	return tap_done();
}
