/* SPDX-License-Identifier: ISC */
/*
 * server.toml and client.toml: a TOML subset read by toml.c (see
 * rvpn-server.toml(5), rvpn-client.toml(5)).  Every error reads
 * "FILE:LINE: KEY: 'VALUE': problem"; all errors of a file are collected.
 */
#ifndef RVPN_CONFIG_H
#define RVPN_CONFIG_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "log.h"
#include "proto.h"

#define CONFIG_MAX_DNS		PROTO_MAX_DNS
#define CONFIG_MAX_ROUTES	PROTO_MAX_ROUTES
#define CONFIG_MAX_PROXIES	16
#define CONFIG_MAX_SERVERS	8	/* client: servers, --server */

struct config_cidr4 {
	struct in_addr	addr;
	uint8_t		prefix;
};

/* An IPv6 prefix; prefix 0: unset. */
struct config_cidr6 {
	struct in6_addr	addr;
	uint8_t		prefix;
};

/* relay_allow, relay_deny: IPv4 or IPv6 prefixes. */
#define CONFIG_MAX_RELAY_PREFIXES	32
struct config_prefix {
	int		family;		/* AF_INET or AF_INET6 */
	struct in_addr	addr4;
	struct in6_addr	addr6;
	uint8_t		prefix;
};
/* relay_ports: "443" or "8000-8999". */
struct config_ports {
	uint16_t	lo, hi;
};

/* One entry of the authorized-clients file. */
struct config_client {
	char		*name;				/* section name */
	uint8_t		 pub[PROTO_KEY_LEN];
	bool		 has_addr4;			/* static address */
	struct in_addr	 addr4;
	bool		 has_addr6;			/* static address6 */
	struct in6_addr	 addr6;
};

struct server_config {
	char		*path;			/* the file it was read from */

	/* [server] */
	char		*bind_address;		/* as written, "host:port" */
	char		*bind_host;		/* "0.0.0.0" */
	uint16_t	 bind_port;		/* default 443 */
	char		*tls_cert_file;		/* NULL: plain WebSocket */
	char		*tls_key_file;
	char		*identity_key_file;
	char		*websocket_path;	/* normalised, no trailing '/' */
	char		*tun_path;		/* websocket_path + "/tun" */
	char		*authorized_clients_file;	/* NULL: any key */
	unsigned	 max_clients;
	unsigned	 idle_timeout;		/* seconds, 0 = off */
	unsigned	 keepalive;		/* seconds */
	/* Before authentication (reloadable; 0 = unlimited). */
	unsigned	 max_pending_handshakes;
	unsigned	 max_pending_per_source;
	unsigned	 handshake_rate_per_source;	/* per second */
	enum log_level	 log_level;
	char		*user;			/* NULL: do not drop */
	char		*group;
	char		*control_socket;
	char		*pid_file;
	char		*chroot_dir;		/* key chroot; NULL: none */
	struct config_prefix trusted_proxies[CONFIG_MAX_PROXIES];
	unsigned	 ntrusted_proxies;
	char		*decoy_root;		/* NULL: none */
	char		*decoy_upstream;	/* "http://host:port" */
	char		*server_header;		/* NULL: no Server */
	bool		 proxy_protocol;	/* PROXY v2 from trusted_proxies */
	char		*admin_listen;		/* NULL: no admin listener */
	char		*admin_host;		/* its address */
	uint16_t	 admin_port;		/* default 9190 */
	char		*node_name;		/* NULL: the host name */
	unsigned	 drain_kick_spread;	/* seconds, drain --kick */
	/* Relay mode (SOCKS5 sessions at websocket_path), reloadable. */
	bool		 relay;			/* accept relay sessions */
	unsigned	 relay_max_streams;	/* per session */
	struct config_prefix relay_allow[CONFIG_MAX_RELAY_PREFIXES];
	unsigned	 nrelay_allow;
	struct config_prefix relay_deny[CONFIG_MAX_RELAY_PREFIXES];
	unsigned	 nrelay_deny;
	struct config_ports relay_ports[CONFIG_MAX_RELAY_PREFIXES];
	unsigned	 nrelay_ports;		/* 0: every port */

	/* [server.network]; without the section: relay-only, no TUN. */
	bool		 tun;
	bool		 nat_enabled;
	struct config_cidr4 dhcp_range;		/* network address, prefix */
	struct config_cidr6 dhcp_range6;	/* prefix 0: IPv4 only */
	struct in_addr	 dns_servers[CONFIG_MAX_DNS];
	unsigned	 ndns_servers;
	struct in6_addr	 dns_servers6[CONFIG_MAX_DNS];	/* the IPv6 ones */
	unsigned	 ndns_servers6;
	char		*tun_name;		/* "tun0" */
	unsigned	 mtu;			/* 576..9000, default 1400 */
	bool		 client_to_client;	/* default false: isolated */
	char		*egress_interface;	/* NULL: default route's */
	struct config_cidr4 routes[CONFIG_MAX_ROUTES];	/* pushed; none = full tunnel */
	unsigned	 nroutes;
	struct config_cidr6 routes6[CONFIG_MAX_ROUTES];	/* the IPv6 ones */
	unsigned	 nroutes6;

	/* The authorized-clients file, loaded with the config. */
	struct config_client *clients;
	unsigned	 nclients;
};

struct client_config {
	char		*path;
	/* [client] */
	char		*server_url;		/* wss://host[:port]/path */
	char		*servers[CONFIG_MAX_SERVERS];	/* tried in turn */
	unsigned	 nservers;		/* 0: server_url alone */
	bool		 url_tls;		/* wss (true) or ws */
	char		*url_host;
	uint16_t	 url_port;
	char		*url_path;		/* normalised, no "/tun" */
	char		*tun_path;		/* url_path + "/tun" */
	bool		 has_server_key;
	uint8_t		 server_key[PROTO_KEY_LEN];
	char		*identity_key_file;
	char		*ca_file;		/* NULL: system CAs */
	char		*sni;			/* NULL: url_host if a name */
	bool		 insecure;		/* skip TLS verification */
	struct config_cidr4 routes[CONFIG_MAX_ROUTES];	/* none: full tunnel */
	unsigned	 nroutes;
	struct config_cidr6 routes6[CONFIG_MAX_ROUTES];	/* the IPv6 ones */
	unsigned	 nroutes6;
	bool		 dns;			/* apply pushed DNS */
	bool		 block_ipv6;		/* no IPv6 pushed: unreachable */
	char		*tun_name;		/* "rvpn0" */
	enum log_level	 log_level;
	unsigned	 reconnect_max;		/* seconds, backoff cap */
	/* Relay mode: a SOCKS5 listener instead of a TUN (NULL: TUN). */
	char		*socks_listen;		/* as written */
	char		*socks_host;		/* an IP address */
	uint16_t	 socks_port;		/* default 1080 */
	bool		 socks_allow_remote;	/* non-loopback listener */
	char		*socks_username;	/* RFC 1929, with the file */
	char		*socks_password_file;	/* its password, 0600 */
};

/*
 * Load a file.  Returns NULL and sets *cause (allocated, one line per
 * error, "FILE:LINE: KEY: 'VALUE': problem", lines joined by '\n' with
 * no final newline, in line order) when anything is wrong:
 * unreadable file, syntax, unknown/duplicate key, bad value, cross-key
 * rule.  server_config_load also reads the authorized-clients file.
 */
struct server_config	*server_config_load(const char *path, char **cause);
void			 server_config_free(struct server_config *);
struct client_config	*client_config_load(const char *path, char **cause);
/*
 * Make servers[i] the URL in use (server_url, url_host, ...): false if
 * there is no such entry.
 */
bool			 client_config_use_server(struct client_config *,
			    unsigned);
/*
 * Reload: nc is the new file, run the running configuration.  Each key
 * whose table entry says it needs a restart (rvpn-server.toml(5)
 * RELOAD): with apply false, changed(KEY) is called if its value differs;
 * with apply true, nc gets the running value, changed or not (the two
 * swap, so lws may keep the strings it borrowed from run), and nothing
 * can fail.
 */
void			 server_config_keep_restart(struct server_config *run,
			    struct server_config *nc, bool apply,
			    void (*changed)(const char *key));
/* Defaults only, for a client run entirely from flags. */
struct client_config	*client_config_default(void);
void			 client_config_free(struct client_config *);
/*
 * Set one key of client.toml from the command line, through the setter
 * and checks the file uses (as sshd -o does): values[0] for a scalar
 * ("true"/"false" for a boolean), all nvalues for an array.  False with
 * *cause "SOURCE: KEY: 'VALUE': problem" (SOURCE: "command line").
 */
bool			 client_config_set(struct client_config *,
			    const char *key, const char *const *values,
			    unsigned nvalues, const char *source, char **cause);
/*
 * Normalise a WebSocket base path: leading '/', no doubled '/', no
 * trailing '/' or "/tun" ("/" stays "/").  Returns an allocated string,
 * or NULL if it holds a character outside RFC 3986 pchar/'/' or a "."
 * or ".." segment.
 */
char			*config_normalise_ws_path(const char *);
/*
 * Is the address (AF_INET: a struct in_addr, AF_INET6: a struct in6_addr)
 * in one of n prefixes (trusted_proxies, relay_allow...)?  An IPv4-mapped
 * IPv6 address also matches the IPv4 prefixes, as the address it is.
 */
bool			 config_in_prefixes(const struct config_prefix *,
			    unsigned n, int af, const void *addr);
struct sockaddr;
bool			 config_in_prefixes_sa(const struct config_prefix *,
			    unsigned n, const struct sockaddr *);

#endif
