/* SPDX-License-Identifier: ISC */
/* rvpn-client: the whole program's declarations (tmux.h style). */
#ifndef RVPN_CLIENT_H
#define RVPN_CLIENT_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "proto.h"
#include "stream.h"
#include "vnet.h"
#include "wsmsg.h"

struct event;
struct event_base;
struct evconnlistener;
struct relay;
struct lws;
struct lws_context;
struct netlink;
struct proc_signals;
struct statefile;
struct txq;

#define CLIENT_TUN_BUDGET	64	/* packets per TUN wakeup */
#define CLIENT_MAX_DNS		(2 * PROTO_MAX_DNS)	/* IPv4, then IPv6 */
#define CLIENT_CTL_CAP		2048	/* control/handshake record room */
#define CLIENT_CONNECT_TIMEOUT	15	/* seconds from connect to assignment */
#define CLIENT_CLOSE_GRACE	2	/* seconds to flush a CLOSE at exit */
#define CLIENT_BACKOFF_MIN	1	/* seconds, first reconnect delay */
/*
 * Bytes of packets queued TUN -> server (lib/txq.h; 5 records of LWS_PRE +
 * PROTO_MAX_RECORD, each allocated when first filled): room for a few
 * TUN wakeups while the socket is busy.  Short of room for one more
 * super-packet, the TUN is not read until a record is sent.
 */
#define CLIENT_TXQ_BYTES	(256 * 1024)
/*
 * Room to read the TUN: a 64 KiB super-packet cut into packets (its
 * payload and up to 46 headers of 60 bytes), over at most 2 records.
 */
#define CLIENT_TUN_ROOM_BYTES	(64 * 1024 + 46 * 60)
#define CLIENT_TUN_ROOM		2
#define CLIENT_RELAY_BUF	(1 + STREAM_MSG_MAX + PROTO_TAG_LEN)

/* Per-packet path counters: counted, never logged per packet. */
struct client_stats {
	uint64_t	tx_pkts, tx_bytes;	/* TUN -> server */
	uint64_t	rx_pkts, rx_bytes;	/* server -> TUN */
	uint64_t	tx_drop;	/* bad length, or not connected */
	uint64_t	rx_drop;	/* write to the TUN failed */
	/* Relay mode, over every session. */
	uint64_t	streams;	/* opened */
	uint64_t	stream_tx, stream_rx;	/* bytes */
};

enum client_state {
	CLIENT_IDLE,		/* no connection; maybe a reconnect pending */
	CLIENT_CONNECTING,	/* TCP/TLS/WebSocket upgrade under way */
	CLIENT_HS_SEND,		/* upgraded; HANDSHAKE_INIT to be written */
	CLIENT_HS_WAIT,		/* waiting for HANDSHAKE_RESP */
	CLIENT_UP,		/* keyed and applied: data flows */
};

enum client_dns_method {
	CLIENT_DNS_NONE,	/* nothing applied */
	CLIENT_DNS_FILE,	/* resolv.conf rewritten in place */
	CLIENT_DNS_RESOLVECTL,	/* systemd-resolved, per link */
	CLIENT_DNS_RESOLVCONF,	/* resolvconf -a IFACE */
};

struct client {
	struct event_base	*base;
	struct client_config	*cfg;
	uint8_t			 priv[PROTO_KEY_LEN];	/* wiped at exit */
	uint8_t			 pub[PROTO_KEY_LEN];
	int			 server_af;	/* AF_INET or AF_INET6 */
	struct in_addr		 server_ip;	/* at start, again after a loss */
	struct in6_addr		 server_ip6;
	char			 server_ipstr[INET6_ADDRSTRLEN];
	char			*host_header;	/* host or host:port */
	/* servers/--server: each one's address, looked up at start. */
	struct {
		bool		 ok;		/* resolved */
		int		 af;
		struct in_addr	 ip;
		struct in6_addr	 ip6;
	}			 srv[CONFIG_MAX_SERVERS];
	unsigned		 nsrv;		/* at least 1 */
	unsigned		 srv_idx;	/* the one in use */
	unsigned		 drain_streak;	/* 4014s in a row */
	int			 exit_code;
	bool			 stopping;

	/* client-ws.c */
	struct lws_context	*lws;
	struct lws		*wsi;		/* borrowed: lws owns it */
	enum client_state	 state;
	struct proto_hs		*hs;
	struct proto_session	*ps;
	struct proto_assign	 assign;	/* the current assignment */
	bool			 have_addr;	/* ask for prev_addr */
	struct in_addr		 prev_addr;
	unsigned		 backoff;	/* next delay, seconds */
	uint64_t		 last_rx_ns;	/* monotonic */
	int			 close_code;	/* from the server, 0: none */
	bool			 close_authentic; /* in Noise, or verified TLS */
	char			 close_reason[PROTO_REASON_MAX + 1];
	const char		*drop_why;	/* why we closed, or NULL */

	struct wsmsg_rx		 rx;		/* a message in fragments */
	struct txq		*txq;		/* DATA records to send */
	uint8_t			*ctlbuf;	/* LWS_PRE + CLIENT_CTL_CAP */
	size_t			 ctllen;	/* handshake record pending */
	bool			 want_ping;
	bool			 want_pong;
	uint64_t		 pong_ts;
	bool			 want_close;
	bool			 peer_closed;	/* WebSocket close received */

	struct event		*reconnect_ev;
	struct event		*keepalive_ev;
	struct event		*connect_timeout_ev;
	struct event		*stop_ev;	/* CLOSE grace timer */
	struct proc_signals	*signals;	/* INT TERM HUP */

	/* client-tun.c */
	struct netlink		*nl;
	int			 tun_fd;
	char			 ifname[IFNAMSIZ];
	struct event		*tun_ev;
	bool			 tun_paused;	/* txq full */
	bool			 tun_tso;	/* TUN offload on */
	struct vnet_gro		 gro;		/* segments of one record */
	uint8_t			*pktbuf;	/* VNET_MAX_READ */
	bool			 tun_up;	/* address, MTU, link up */
	struct in_addr		 tun_addr;
	uint8_t			 tun_prefix;
	uint16_t		 tun_mtu;
	struct config_cidr4	 routes[CONFIG_MAX_ROUTES + 2];	/* added */
	unsigned		 nroutes;
	bool			 host_route;	/* added by us */
	int			 host_af;	/* its family */
	struct in_addr		 host_dst;	/* the address it pins */
	struct in6_addr		 host_dst6;
	char			 host_ifname[IFNAMSIZ];
	struct in_addr		 host_gw;
	struct in6_addr		 host_gw6;
	bool			 host_has_gw;
	bool			 v6_blocked;	/* unreachable ::/1, 8000::/1 */
	bool			 tun_has6;	/* an IPv6 address applied */
	struct in6_addr		 tun_addr6;
	uint8_t			 tun_prefix6;
	struct proto_route	 routes6[PROTO_MAX_ROUTES + 2];	/* added */
	unsigned		 nroutes6;
	bool			 routed;	/* the routes above were added */

	/* client-roam.c */
	int			 route_fd;	/* route changes */
	struct event		*route_ev;
	struct event		*roam_ev;	/* settle timer */
	struct event		*gai_ev;	/* lookup done */
	bool			 roam_now;	/* reconnect without delay */

	/* client-dns.c */
	enum client_dns_method	 dns_method;
	char			*resolv_path;	/* the file rewritten */
	char			*resolv_orig;	/* its content before */
	size_t			 resolv_len;
	char			 dns[CLIENT_MAX_DNS][INET6_ADDRSTRLEN]; /* applied */
	unsigned		 ndns;
	unsigned		 dns_ifindex;	/* the link they went to */
	struct statefile	*dns_record;	/* the durable undo record */

	/* client-socks.c: relay mode (socks_listen). */
	struct evconnlistener	*socks_lev;
	struct relay		*relay;		/* while the session is up */
	uint8_t			*relaybuf;	/* LWS_PRE + a STREAM record */
	/* RFC 1929 credentials (socks_username), 0-padded to 255 bytes. */
	bool			 socks_auth;
	uint8_t			 socks_user[255];
	uint8_t			 socks_pass[255];
	size_t			 socks_userlen;
	size_t			 socks_passlen;

	struct client_stats	 stats;
};

/* client.c */
void	client_stop(struct client *, int exit_code);
/* Several servers: make the next one that resolved the one in use. */
void	client_server_next(struct client *);
uint64_t client_mono_ns(void);

/* client-ws.c */
int	client_ws_init(struct client *, char **cause);
void	client_ws_connect(struct client *);
void	client_ws_free(struct client *);
/* The server in use changed: its host for SNI and certificate checks. */
void	client_ws_set_host(struct client *);
/* Begin a clean stop: send CLOSE if connected, then leave the loop. */
void	client_ws_shutdown(struct client *);
/* The assignment arrived: TUN or relay up (client-ws.c, for client-data.c). */
int	client_ws_assigned(struct client *);

/* client-data.c: a whole message from the server; WRITEABLE. */
int	client_ws_receive(struct client *, struct lws *, void *, size_t);
int	client_ws_writeable(struct client *, struct lws *);
/* A TUN wakeup queued records: send them now if nothing was waiting. */
void	client_ws_flush(struct client *, bool waiting);

/* client-tun.c */
int	client_tun_open(struct client *, char **cause);
/* Apply (or re-apply) an assignment: address, MTU, link, routes. */
int	client_tun_apply(struct client *, const struct proto_assign *,
	    char **cause);
/* Undo every route, the address and the TUN device. */
void	client_tun_restore(struct client *);
/* Write the packets of an opened DATA record to the TUN. */
void	client_tun_write_record(struct client *, const uint8_t *rec,
	    size_t len);
bool	client_tun_room(const struct client *);
void	client_tun_resume(struct client *);
/* Before a reconnect: pin the server's /32 through today's path. */
int	client_tun_repin(struct client *, char **cause);

/* Reconnect at once (the default route changed). */
void	client_ws_roam(struct client *);

int	client_socks_open(struct client *, char **cause);
int	client_socks_auth_load(struct client *, char **cause);
void	client_socks_close(struct client *);
void	client_socks_up(struct client *);
void	client_socks_down(struct client *);

/* client-roam.c */
int	client_roam_init(struct client *, char **cause);
void	client_roam_free(struct client *);
/* Look the server's name up again, asynchronously. */
void	client_roam_resolve(struct client *);

/* client-dns.c */
/* Name servers as text (IPv4 or IPv6), at most CLIENT_MAX_DNS. */
int	client_dns_apply(struct client *,
	    const char (*)[INET6_ADDRSTRLEN], unsigned, char **cause);
void	client_dns_restore(struct client *);
/* At start: undo what a crashed run left (from its record). */
void	client_dns_recover(struct client *);

#endif
