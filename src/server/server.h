/* SPDX-License-Identifier: ISC */
/* rvpn-server: the whole program's declarations (tmux.h style). */
#ifndef RVPN_SERVER_H
#define RVPN_SERVER_H

#include <sys/queue.h>
#include <sys/socket.h>

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "counters.h"
#include "proto.h"
#include "vnet.h"
#include "wsmsg.h"

struct event;
struct event_base;
struct lws;
struct lws_context;
struct admit;
struct admit_src;
struct nft_state;
struct pool;
struct proc_signals;
struct pool6;
struct route_table;
struct route6_table;
struct server_control;
struct replay;
struct txq;
struct decoy;
struct server_admin;
struct server_proxy;
struct lws_vhost;
struct ctlmsg_stats;
struct evdns_base;
struct relay;
struct relay_stream;
struct stream_msg;

/*
 * Deadlines before authentication (rvpn-server(8), LIMITS): each phase,
 * and the whole, from accept to a finished Noise handshake.  lws closes
 * the TLS and HTTP phases; server-preauth.c the whole.
 */
#define SERVER_TLS_TIMEOUT	5	/* TLS handshake (lws timeout_secs) */
#define SERVER_HTTP_TIMEOUT	5	/* request headers, keep-alive */
#define SERVER_HS_TIMEOUT	5	/* upgrade to HANDSHAKE_INIT */
#define SERVER_PREAUTH_TIMEOUT	15	/* accept to authenticated */
#define SERVER_REFUSE_LOG_SECS	10	/* one refusal summary per */
#define SERVER_HS_REC_MAX	2048	/* reassembly room until authenticated */
#define SERVER_TUN_BUDGET	64	/* reads per TUN wakeup */
/*
 * And bytes per TUN wakeup: with offload one read is up to 64 KiB, and
 * the queues are written only once the reader returns to the loop, so a
 * wakeup takes no more than a session's queue can absorb (half of it).
 */
#define SERVER_TUN_BUDGET_BYTES	(128 * 1024)
/*
 * Bytes of packets queued per session, TUN -> client (lib/txq.h): 1 MiB
 * in DATA records of up to 64 KiB, each allocated the first time it is
 * filled (19 records at most; see rvpn-server(8)).  With TUN offload and
 * a fast client the outer socket is what holds records back; 4 records
 * (256 KiB) overflowed there in bulk downloads (6 % of the segments
 * dropped, 60000 retransmits per 8 s iperf3 run); 16 (1 MiB) dropped
 * none (bench/results/2026-11-30-data-path.md).  Beyond it a slow client
 * drops.
 */
#define SESSION_TXQ_BYTES	(1024 * 1024)
#define SERVER_CLOSE_GRACE	2	/* seconds to flush a CLOSE */
#define SERVER_CTL_CAP		2048	/* control/handshake record room */
#define SERVER_NAME_MAX		64
#define SERVER_REMOTE_MAX	64	/* INET6_ADDRSTRLEN + slack */

/*
 * Server-wide counters for rvpnctl stats: handshake results, and the
 * session counters of ended sessions (server-control.c adds the live
 * ones).  Bumped per session, never per packet.
 */
#define SERVER_NREFUSED	(PROTO_CLOSE_LAST - PROTO_CLOSE_BAD_HANDSHAKE + 1)
struct server_stats {
	uint64_t		hs_ok;		/* handshakes done = sessions */
	uint64_t		hs_aborted;	/* gone before handshaking */
	uint64_t		hs_refused[SERVER_NREFUSED]; /* by code - 4000 */
	struct counters_relay	relay;		/* relay streams */
	struct counters		ended;		/* sum over ended sessions */
	struct counters_preauth	pre;		/* server-preauth.c */
};

/*
 * A connection that has not finished the Noise handshake: accepted (TCP),
 * in TLS, HTTP, or upgraded and waiting for HANDSHAKE_INIT.  lws keeps a
 * pointer to it as the wsi's opaque user data.
 */
struct preauth {
	struct lws		*wsi;
	struct admit_src	*src;	/* NULL: counted globally only */
	bool			 proxied;	/* source comes with the request */
	bool			 killed;	/* past its deadline, closing */
	bool			 web;		/* served a request: a web client */
	bool			 pp;		/* peer from a PROXY header */
	uint64_t		 t_start;	/* sv->now at accept */
	char			 peer[SERVER_REMOTE_MAX];
	TAILQ_ENTRY(preauth)	 entry;
};
TAILQ_HEAD(preauths, preauth);

enum session_state {
	SESSION_HANDSHAKE,	/* waiting for HANDSHAKE_INIT */
	SESSION_UP,		/* keyed, address leased, routed */
	SESSION_CLOSING,	/* released; flushing CLOSE, then wsi close */
};

struct server;

struct session {
	struct server		*sv;		/* borrowed */
	struct lws		*wsi;		/* borrowed: lws owns it */
	enum session_state	 state;

	uint8_t			 pub[PROTO_KEY_LEN];
	char			 name[SERVER_NAME_MAX];	/* name or short key */
	char			 remote[SERVER_REMOTE_MAX];
	struct in_addr		 addr;		/* leased tunnel address */
	bool			 leased;	/* addr leased and routed */
	struct in6_addr		 addr6;		/* leased IPv6 address */
	bool			 leased6;	/* addr6 leased and routed */
	/* Relay mode: upgraded at websocket_path; streams once up. */
	bool			 relay_path;
	struct relay		*relay;
	uint8_t			*relaybuf;	/* LWS_PRE + a STREAM record */

	struct proto_hs		*hs;
	struct proto_session	*ps;

	/*
	 * Receive: one whole message, reassembled from fragments (the
	 * buffer only when one comes fragmented): SERVER_HS_REC_MAX bytes
	 * until authenticated, PROTO_MAX_RECORD after.
	 */
	struct wsmsg_rx		 rx;

	/*
	 * Transmit: the bounded queue (lib/txq.c), SESSION_TXQ_BYTES of
	 * packets in a ring of DATA records.  Packets go into the tail record,
	 * the next one when it is full; WRITEABLE seals and sends the
	 * head.  All full: drop and count.  NULL until the handshake.
	 */
	struct txq		*txq;
	uint8_t			*ctlbuf;	/* LWS_PRE + SERVER_CTL_CAP */
	size_t			 ctllen;	/* 0: nothing pending */
	bool			 ctl_raw;	/* handshake resp: not sealed */
	bool			 write_requested;
	bool			 peer_closed;	/* WebSocket close received */
	/* Queued by this TUN wakeup: sent when it ends (session_flush). */
	bool			 flush_queued;
	struct session		*flush_next;

	/* Closing. */
	uint16_t		 close_code;
	char			 close_reason[PROTO_REASON_MAX + 1];

	/* Times: monotonic seconds (sv->now). */
	uint64_t		 t_start;
	uint64_t		 t_rx;		/* last record received */
	uint64_t		 t_tx;		/* last record sent */
	uint64_t		 t_data;	/* last DATA either way */
	uint64_t		 ping_sent_ns;
	uint64_t		 rtt_ns;

	struct counters		 stats;
	struct session		*key_next;	/* session_keytab chain */
	bool			 keyed;		/* in session_keytab */
	TAILQ_ENTRY(session)	 entry;
};
TAILQ_HEAD(sessions, session);

struct server {
	struct server_config	*cfg;
	struct event_base	*base;
	struct lws_context	*lws;
	struct event		*ev_tun;
	struct event		*ev_timer;
	struct proc_signals	*signals;	/* INT TERM HUP USR1 */
	struct event		*ev_drain;	/* shutdown grace timer */

	uint8_t			 priv[PROTO_KEY_LEN];
	uint8_t			 pub[PROTO_KEY_LEN];

	int			 tun_fd;
	char			 tun_ifname[IFNAMSIZ];
	struct nft_state	*nft;
	struct pool		*pool;
	struct route_table	*routes;
	struct replay		*replay;
	struct in_addr		 gateway;
	/* dhcp_range6 set: the IPv6 pool, its table, the server's address. */
	struct pool6		*pool6;
	struct route6_table	*routes6;
	struct in6_addr		 gateway6;

	struct sessions		 sessions;
	/* Before authentication: server-preauth.c. */
	struct admit		*admit;
	struct preauths		 preauths;	/* oldest first */
	struct preauth		*accepted;	/* between filter and create */
	uint64_t		 pre_logged_at;	/* last refusal summary */
	uint64_t		 pre_logged[3];	/* counts at that summary */
	unsigned		 nsessions;	/* SESSION_UP ones */
	unsigned		 nrelay;	/* relay sessions up */
	struct evdns_base	*dns;		/* relay: made on first use */
	bool			 stopping;
	int			 exit_code;

	uint64_t		 now;		/* monotonic seconds */
	uint64_t		 now_ns;	/* monotonic ns, per tick/wakeup */

	uint8_t			*pktbuf;	/* one TUN read: VNET_MAX_READ */
	struct vnet_gro		 gro;		/* segments of one record to the TUN */
	struct session		*flush;		/* queued by this TUN wakeup */

	/* Server-wide counters. */
	struct counters_tun	 tun_stats;
	struct server_stats	 stats;

	/* Drain (server-admin.c): refuse handshakes; kick spread out. */
	char			 node[SERVER_NAME_MAX];	/* node_name */
	bool			 draining;
	bool			 kicking;
	uint64_t		 kick_start;	/* sv->now at drain --kick */
	unsigned		 kick_total;	/* sessions up then */
	unsigned		 kick_done;

	struct server_control	*control;	/* server-control.c */
	struct server_admin	*admin;		/* server-admin.c */
	struct lws_vhost	*vhost;		/* the one lws vhost */
	struct server_proxy	*proxy;		/* server-proxy.c */
	struct decoy		*decoy;		/* server-decoy.c */
};

/* server.c */
void		 server_update_time(struct server *);
void		 server_stop(struct server *, int);
/*
 * Re-read the config file and apply what can change while running (see
 * rvpn-server.toml(5), RELOAD). Returns 0, or -1 with *cause set (caller
 * frees) and the running server untouched. SIGHUP and rvpnctl reload.
 */
int		 server_reload(struct server *, char **);

/* server-control.c */
int		 server_control_open(struct server *, char **);
void		 server_control_close(struct server *);
void		 server_stats_end(struct server *, struct session *);
/* The server's counters as rvpnctl stats gets them (also /metrics). */
void		 server_stats_get(struct server *, struct ctlmsg_stats *);

/* server-proxy.c: proxy_protocol, our own listener */
int		 server_proxy_open(struct server *, char **);
void		 server_proxy_close(struct server *);

/* server-admin.c */
int		 server_admin_open(struct server *, char **);
void		 server_admin_close(struct server *);
const char	*server_unhealthy(struct server *);
void		 server_drain(struct server *, bool, char *, size_t);
void		 server_undrain(struct server *, char *, size_t);
void		 server_drain_tick(struct server *);

/* server-preauth.c */
void		 preauth_init(struct server *);
void		 preauth_free(struct server *);
int		 preauth_accept(struct server *, const void *);
bool		 preauth_trusted(const struct server_config *,
		    const struct sockaddr *);
const char	*preauth_pp_peer(struct lws *);
void		 preauth_attach(struct server *, struct lws *);
int		 preauth_source(struct server *, struct lws *, const char *);
void		 preauth_web(struct server *, struct lws *);
void		 preauth_done(struct server *, struct lws *);
void		 preauth_tick(struct server *);
unsigned	 preauth_pending(const struct server *);
void		*preauth_lws_alloc(void *, size_t, const char *);
uint64_t	 preauth_rss_kb(void);

/* server-ws.c */
int		 server_ws_start(struct server *, char **);
void		 server_ws_stop(struct server *);
int		 server_ws_tls_reload(struct server *, const char *,
		    const char *, char **);

/* server-decoy.c */
int		 decoy_init(struct server *, char **);
void		 decoy_free(struct server *);
size_t		 decoy_pss_size(void);
int		 decoy_http(struct server *, struct lws *, void *);
int		 decoy_upgrade(struct server *, struct lws *);
int		 decoy_writeable(struct server *, struct lws *, void *);
int		 decoy_body(struct lws *, void *, const void *, size_t);
void		 decoy_close(void *);

/* server-session.c */
struct session	*session_new(struct server *, struct lws *, const char *);
void		 session_free(struct session *);
void		 session_close(struct session *, int, const char *);
void		 session_receive(struct session *, void *, size_t);
int		 session_writeable(struct session *);
void		 session_queue_packet(struct session *, const uint8_t *,
		    size_t);
void		 session_queue_vnet(struct session *, const struct vnet_pkt *);
void		 session_request_write(struct session *);
void		 session_flush_all(struct server *);
void		 session_tick(struct session *);
void		 session_dump(struct session *);
unsigned	 session_revoke(struct server *, const struct server_config *);
/* Between server-session.c (life) and server-data.c (data path). */
void		 session_refuse(struct session *, int, const char *);
void		 session_handshake(struct session *, uint8_t *, size_t);
int		 session_relay_send(struct session *, unsigned);
void		 session_queue_control(struct session *,
		    const struct proto_control *);
int		 session_send(struct session *, uint8_t *, size_t *, size_t,
		    bool);

/* server-relay.c */
void		 server_relay_open(void *, struct relay_stream *,
		    const struct stream_msg *);
void		 server_relay_closed(void *, struct relay_stream *);
struct evdns_base *server_relay_dns(struct server *);
void		 server_relay_cleanup(void);

/* server-tun.c */
int		 server_tun_open(struct server *, char **);
void		 server_tun_close(struct server *);
unsigned	 server_tun_write(struct server *, const uint8_t *, size_t);
unsigned	 server_tun_flush(struct server *);

/* server-nat.c */
int		 server_nat_start(struct server *, char **);
int		 server_nat_reload(struct server *, const struct server_config *,
		    char **);
void		 server_nat_stop(struct server *);

#endif
