/* SPDX-License-Identifier: ISC */
/*
 * The decoy's internals, shared by server-decoy.c (dispatch, the generic
 * 404, static files from decoy_root) and server-decoy-up.c (requests
 * proxied to decoy_upstream).  Only these two files include it.
 */
#ifndef RVPN_SERVER_DECOY_H
#define RVPN_SERVER_DECOY_H

#define DECOY_CHUNK	16384		/* body bytes per write */
#define DECOY_HEAD_MAX	16384		/* upstream response head */
#define DECOY_UP_HIGH	(256 * 1024)	/* upstream bytes held back */
#define DECOY_UP_TIMEOUT 60		/* seconds of upstream silence */
#define DECOY_SYNC_MS	1000		/* upgrade probe to the upstream */
#define DECOY_WHOLE_MAX	(1024 * 1024)	/* body written at once */
#define DECOY_URI_MAX	4096
#define DECOY_HDRS_MAX	8192		/* response header lines */
#define DECOY_HEADBUF	(DECOY_HDRS_MAX + 1024)	/* status line, Date... */

struct decoy {
	int			 rootfd;	/* -1: no decoy_root */
	bool			 has_upstream;
	struct sockaddr_storage	 up_sa;
	socklen_t		 up_salen;
	char			*server_header;	/* NULL: none */
};

enum decoy_kind { DECOY_NONE, DECOY_MEM, DECOY_FILE, DECOY_PROXY };

/* The per-request state (the "http" protocol's per-session data). */
struct decoy_req {
	enum decoy_kind		 kind;
	struct lws		*wsi;
	struct server		*sv;
	bool			 head_only;	/* HEAD: headers alone */
	bool			 keep;		/* length known: keep-alive */

	/* DECOY_MEM */
	char			*mem;
	size_t			 memlen, memoff;

	/* DECOY_FILE */
	int			 fd;
	off_t			 off, left;

	/* DECOY_PROXY */
	struct bufferevent	*bev;
	bool			 up_eof, up_failed, head_sent;
	bool			 up_reading;
	int64_t			 up_left;	/* body bytes to come, -1 */
};

/* One response before it is written. */
struct decoy_resp {
	int		 status;
	char		 hdrs[DECOY_HDRS_MAX];	/* "name: value\r\n" lines */
	size_t		 hlen;
	int64_t		 clen;		/* Content-Length, -1: none */
	bool		 has_server;	/* the upstream's Server in hdrs */
	char		*body;		/* or fd: */
	size_t		 bodylen;
	int		 fd;
	off_t		 off, len;
};

/* server-decoy.c, for server-decoy-up.c */
int	decoy_start(struct server *, struct lws *, struct decoy_req *,
	    struct decoy_resp *);
void	decoy_error_page(struct decoy_resp *r, int status);
void	decoy_resp_init(struct decoy_resp *r, int status);
bool	decoy_path(struct lws *wsi, char *buf, size_t len);
bool	decoy_no_body(int status);
int	decoy_method(struct lws *wsi);
bool	decoy_keepalive(struct lws *wsi);
int	decoy_head_fmt(struct server *, const struct decoy_resp *, bool,
	    char *, size_t);
void	decoy_hdr(struct decoy_resp *, const char *, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/* server-decoy-up.c, for server-decoy.c */
int	decoy_up_start(struct server *sv, struct lws *wsi, struct decoy_req *q);
bool	decoy_up_sync(struct server *, struct lws *, struct decoy_resp *,
	    bool *);
int	decoy_up_writeable(struct server *sv, struct lws *wsi, struct decoy_req *q);
int	decoy_up_parse_url(struct decoy *d, const char *url, char **cause);

#endif /* RVPN_SERVER_DECOY_H */
