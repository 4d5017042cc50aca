/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "client.h"
#include "ipaddr.h"
#include "log.h"
#include "statefile.h"
#include "xmalloc.h"

#define RESOLV_CONF	"/etc/resolv.conf"
#define RESOLV_MAX	(64 * 1024)
#define RESOLV_MARKER	"# rvpn-client: "
#define RESOLV_ORIG_TAG	"#rvpn-orig "	/* the original, base64, inside */
#define RESOLV_ORIG_RAW	48		/* bytes per line: 64 base64 chars */
#define DNS_RECORD_DIR	RUNSTATEDIR "/rvpn"
#define DNS_RECORD_HEAD	"rvpn-client dns record\n"

extern char **environ;

/* Whether path is a mount point (ip netns exec bind-mounts resolv.conf). */
static bool
client_dns_is_mountpoint(const char *path)
{
	FILE *f;
	char line[4096], mnt[PATH_MAX];
	bool found = false;

	if ((f = fopen("/proc/self/mountinfo", "r")) == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		/* id parent major:minor root mountpoint ... */
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) == 1 &&
		    strcmp(mnt, path) == 0)
			found = true;
	}
	fclose(f);
	return found;
}

/* Whether an executable named prog is in PATH. */
static bool
client_dns_have(const char *prog)
{
	const char *path = getenv("PATH");
	char dir[PATH_MAX], file[PATH_MAX + 64];
	const char *p, *end;
	size_t n;

	if (path == NULL)
		path = "/usr/sbin:/usr/bin:/sbin:/bin";
	for (p = path; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		end = strchr(p, ':');
		if (end == NULL)
			end = p + strlen(p);
		n = (size_t)(end - p);
		if (n == 0 || n >= sizeof(dir))
			continue;
		memcpy(dir, p, n);
		dir[n] = '\0';
		if (snprintf(file, sizeof(file), "%s/%s", dir, prog) >=
		    (int)sizeof(file))
			continue;
		if (access(file, X_OK) == 0)
			return true;
	}
	return false;
}

/*
 * Run a helper (resolvectl, resolvconf) and wait for it, feeding input on
 * its stdin if not NULL.  Only at apply/restore time, never per packet.
 */
static int
client_dns_run(char *const argv[], const char *input, char **cause)
{
	posix_spawn_file_actions_t fa;
	int pfd[2] = { -1, -1 }, status, error;
	pid_t pid;
	size_t off, len;
	ssize_t n;

	if (posix_spawn_file_actions_init(&fa) != 0) {
		xasprintf(cause, "%s: posix_spawn: out of memory", argv[0]);
		return -1;
	}
	if (input != NULL) {
		if (pipe(pfd) == -1) {
			xasprintf(cause, "%s: pipe: %s", argv[0],
			    strerror(errno));
			posix_spawn_file_actions_destroy(&fa);
			return -1;
		}
		posix_spawn_file_actions_adddup2(&fa, pfd[0], STDIN_FILENO);
		posix_spawn_file_actions_addclose(&fa, pfd[1]);
		posix_spawn_file_actions_addclose(&fa, pfd[0]);
	}
	error = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (pfd[0] != -1)
		close(pfd[0]);
	if (error != 0) {
		if (pfd[1] != -1)
			close(pfd[1]);
		xasprintf(cause, "%s: %s", argv[0], strerror(error));
		return -1;
	}
	if (input != NULL) {
		len = strlen(input);
		for (off = 0; off < len; off += (size_t)n) {
			if ((n = write(pfd[1], input + off, len - off)) <= 0)
				break;
		}
		close(pfd[1]);
	}
	while (waitpid(pid, &status, 0) == -1) {
		if (errno != EINTR) {
			xasprintf(cause, "%s: waitpid: %s", argv[0],
			    strerror(errno));
			return -1;
		}
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		xasprintf(cause, "%s %s failed (status %d)", argv[0],
		    argv[1] != NULL ? argv[1] : "", WIFEXITED(status) ?
		    WEXITSTATUS(status) : -1);
		return -1;
	}
	return 0;
}

/* Read a whole small file; *buf NULL and 0 if it does not exist. */
static int
client_dns_read(const char *path, char **buf, size_t *len, char **cause)
{
	char *b;
	size_t off = 0;
	ssize_t n;
	int fd;

	*buf = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return 0;
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	b = xmalloc(RESOLV_MAX + 1);
	while ((n = read(fd, b + off, RESOLV_MAX - off)) > 0)
		off += (size_t)n;
	close(fd);
	if (n == -1 || off == RESOLV_MAX) {
		xasprintf(cause, "%s: %s", path, n == -1 ? strerror(errno) :
		    "too large");
		free(b);
		return -1;
	}
	b[off] = '\0';
	*buf = b;
	*len = off;
	return 0;
}

/*
 * Rewrite a file in place (truncate and write): a bind-mounted
 * /etc/resolv.conf (ip netns exec) cannot be replaced by rename().
 */
static int
client_dns_write(const char *path, const char *buf, size_t len, char **cause)
{
	size_t off;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_WRONLY | O_TRUNC | O_CREAT | O_CLOEXEC,
	    0644)) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (off = 0; off < len; off += (size_t)n) {
		if ((n = write(fd, buf + off, len - off)) == -1) {
			xasprintf(cause, "%s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
	}
	if (close(fd) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * The durable record of what DNS change is in place, so that the next
 * start can undo it after a crash: DNS_RECORD_DIR/client-TUN.resolv.orig,
 * with the network namespace's inode appended outside the initial
 * namespace (clients in different namespaces have different files).
 */
static char *
client_dns_record_path(const char *tun)
{
	struct stat self, init;
	char *path;

	if (stat("/proc/self/ns/net", &self) == 0 &&
	    (stat("/proc/1/ns/net", &init) == -1 || self.st_ino != init.st_ino))
		xasprintf(&path, "%s/client-%s.%llu.resolv.orig",
		    DNS_RECORD_DIR, tun, (unsigned long long)self.st_ino);
	else
		xasprintf(&path, "%s/client-%s.resolv.orig", DNS_RECORD_DIR,
		    tun);
	return path;
}

/* mkdir -p DNS_RECORD_DIR (root's, 0755). */
static void
client_dns_record_dir(void)
{
	char dir[] = DNS_RECORD_DIR, *p;

	for (p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		(void)mkdir(dir, 0755);
		*p = '/';
	}
	(void)mkdir(dir, 0755);
}

/*
 * Write the record: a header (method, interface, and for the file
 * method its path and whether it existed), an empty line, then the
 * file's original bytes.  A record that cannot be written is a warning,
 * not a failure: DNS is still applied (and restored at a clean stop),
 * only a crash would leave it changed.
 */
static struct statefile *
client_dns_record(struct client *cl, const char *method, const char *path,
    const char *orig, size_t len)
{
	struct statefile *sf;
	char *rpath, *head, *buf, *cause = NULL;
	size_t hlen;

	client_dns_record_dir();
	rpath = client_dns_record_path(cl->cfg->tun_name);
	xasprintf(&head, DNS_RECORD_HEAD "boot %s\nmethod %s\nifname %s\n"
	    "path %s\nexists %d\n\n", statefile_boot_id(), method, cl->ifname,
	    path != NULL ? path : "-", orig != NULL ? 1 : 0);
	hlen = strlen(head);
	buf = xmalloc(hlen + len + 1);
	memcpy(buf, head, hlen);
	if (orig != NULL)
		memcpy(buf + hlen, orig, len);
	sf = statefile_create(rpath, buf, hlen + (orig != NULL ? len : 0),
	    &cause);
	if (sf == NULL) {
		log_warnx("dns record: %s: DNS is changed without it, so a "
		    "crash would leave it changed", cause);
		free(cause);
	}
	free(buf);
	free(head);
	free(rpath);
	return sf;
}

/*
 * The original inside the rewritten file, as comment lines of base64
 * (RESOLV_ORIG_RAW bytes each), or "none": a copy that survives a reboot,
 * which the record under /run does not.
 */
static char *
client_dns_embed(const char *orig, size_t len, size_t *elen)
{
	char *e;
	size_t off, n, o = 0, cap;

	if (orig == NULL) {
		e = xstrdup(RESOLV_ORIG_TAG "none\n");
		*elen = strlen(e);
		return e;
	}
	cap = (len / RESOLV_ORIG_RAW + 1) * (sizeof(RESOLV_ORIG_TAG) + 66) + 1;
	e = xmalloc(cap);
	for (off = 0; off < len; off += n) {
		n = len - off < RESOLV_ORIG_RAW ? len - off : RESOLV_ORIG_RAW;
		memcpy(e + o, RESOLV_ORIG_TAG, sizeof(RESOLV_ORIG_TAG) - 1);
		o += sizeof(RESOLV_ORIG_TAG) - 1;
		o += (size_t)EVP_EncodeBlock((unsigned char *)e + o,
		    (const unsigned char *)orig + off, (int)n);
		e[o++] = '\n';
	}
	e[o] = '\0';
	*elen = o;
	return e;
}

/*
 * The original embedded in a rewritten file: 1 with *orig (NULL: there
 * was no file), 0 if there is no copy, -1 if it is damaged.
 */
static int
client_dns_unembed(const char *text, char **orig, size_t *len)
{
	const char *p, *e, *b;
	unsigned char *out;
	size_t n, o = 0, cap = strlen(text);
	int got, pad;
	bool any = false;

	*orig = NULL;
	*len = 0;
	out = xmalloc(cap + 1);
	for (p = text; *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		if ((e = strchr(p, '\n')) == NULL)
			e = p + strlen(p);
		if (strncmp(p, RESOLV_ORIG_TAG, sizeof(RESOLV_ORIG_TAG) - 1) != 0)
			continue;
		b = p + sizeof(RESOLV_ORIG_TAG) - 1;
		n = (size_t)(e - b);
		if (n == 4 && strncmp(b, "none", 4) == 0) {
			free(out);
			return 1;
		}
		if (n == 0 || n % 4 != 0 || n > 4 * ((RESOLV_ORIG_RAW + 2) / 3))
			goto bad;
		if ((got = EVP_DecodeBlock(out + o, (const unsigned char *)b,
		    (int)n)) < 0)
			goto bad;
		pad = (b[n - 1] == '=') + (b[n - 2] == '=');
		o += (size_t)(got - pad);
		any = true;
	}
	if (!any) {
		free(out);
		return 0;
	}
	out[o] = '\0';
	*orig = (char *)out;
	*len = o;
	return 1;
bad:
	free(out);
	return -1;
}

/* resolv.conf: our nameservers first, then the old non-nameserver lines. */
static int
client_dns_apply_file(struct client *cl, const char *path,
    const char (*dns)[INET6_ADDRSTRLEN], unsigned ndns, char **cause)
{
	char *orig = NULL, *out, *line, *next, *embed;
	size_t len, olen, cap, elen;
	unsigned i;

	if (client_dns_read(path, &orig, &len, cause) == -1)
		return -1;
	if (orig != NULL && strncmp(orig, RESOLV_MARKER,
	    strlen(RESOLV_MARKER)) == 0)
		log_warnx("%s was rewritten by an rvpn-client that did not "
		    "restore it, and no record of the original is left: it "
		    "is kept as found", path);
	/* The original goes to disk before the file changes. */
	cl->dns_record = client_dns_record(cl, "file", path, orig, len);
	embed = client_dns_embed(orig, len, &elen);
	cap = len + 256 + ndns * (INET6_ADDRSTRLEN + 16) + elen;
	out = xmalloc(cap);
	olen = (size_t)snprintf(out, cap, RESOLV_MARKER "%s; the original is "
	    "restored when rvpn-client stops\n", cl->ifname);
	for (i = 0; i < ndns; i++)
		olen += (size_t)snprintf(out + olen, cap - olen,
		    "nameserver %s\n", dns[i]);
	for (line = orig; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		next = next != NULL ? next + 1 : line + strlen(line);
		if (strncmp(line, "nameserver", 10) == 0 ||
		    strncmp(line, RESOLV_ORIG_TAG,
		    sizeof(RESOLV_ORIG_TAG) - 1) == 0)
			continue;
		if (olen + (size_t)(next - line) + 1 + elen >= cap)
			break;
		memcpy(out + olen, line, (size_t)(next - line));
		olen += (size_t)(next - line);
		if (out[olen - 1] != '\n')
			out[olen++] = '\n';
	}
	memcpy(out + olen, embed, elen);
	olen += elen;
	free(embed);
	if (client_dns_write(path, out, olen, cause) == -1) {
		free(out);
		free(orig);
		statefile_remove(cl->dns_record);
		cl->dns_record = NULL;
		return -1;
	}
	free(out);
	cl->resolv_path = xstrdup(path);
	cl->resolv_orig = orig;		/* NULL: there was no file */
	cl->resolv_len = len;
	cl->dns_method = CLIENT_DNS_FILE;
	return 0;
}

/*
 * Run "resolvconf [-x] -a IFACE" with our nameservers: -x (openresolv)
 * makes them exclusive, so other interfaces' servers cannot answer; a
 * resolvconf without -x (Debian's) gets the plain form and a warning.
 */
static int
client_dns_resolvconf(struct client *cl, const char (*dns)[INET6_ADDRSTRLEN],
    unsigned ndns, char **cause)
{
	char *argv[5], *input, *why = NULL;
	size_t cap = ndns * (INET6_ADDRSTRLEN + 16) + 1;
	unsigned i;
	int rc;

	input = xmalloc(cap);
	input[0] = '\0';
	for (i = 0; i < ndns; i++)
		snprintf(input + strlen(input), cap - strlen(input),
		    "nameserver %s\n", dns[i]);
	argv[0] = "resolvconf";
	argv[1] = "-x";
	argv[2] = "-a";
	argv[3] = cl->ifname;
	argv[4] = NULL;
	if ((rc = client_dns_run(argv, input, &why)) == -1) {
		log_warnx("%s; without -x other interfaces' name servers may "
		    "answer too", why);
		free(why);
		argv[1] = "-a";
		argv[2] = cl->ifname;
		argv[3] = NULL;
		rc = client_dns_run(argv, input, cause);
	}
	free(input);
	return rc;
}

/*
 * Apply pushed DNS servers (once; again when they change, or when the
 * TUN device was recreated: resolved and resolvconf know the link by its
 * index and forgot the old one's servers).
 */
int
client_dns_apply(struct client *cl, const char (*dns)[INET6_ADDRSTRLEN],
    unsigned ndns, char **cause)
{
	char path[PATH_MAX], list[CLIENT_MAX_DNS * (INET6_ADDRSTRLEN + 1) + 1];
	char *argv[4 + CLIENT_MAX_DNS];
	const char *how;
	struct stat sb;
	bool link = false;
	unsigned i, ifindex;

	if (ndns > CLIENT_MAX_DNS)
		ndns = CLIENT_MAX_DNS;
	ifindex = if_nametoindex(cl->ifname);
	if (cl->dns_method != CLIENT_DNS_NONE) {
		if (ndns == cl->ndns &&
		    memcmp(dns, cl->dns, ndns * sizeof(*dns)) == 0 &&
		    (cl->dns_method == CLIENT_DNS_FILE ||
		    ifindex == cl->dns_ifindex))
			return 0;
		client_dns_restore(cl);
	}

	list[0] = '\0';
	for (i = 0; i < ndns; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
		    "%s%s", i > 0 ? "," : "", dns[i]);

	if (lstat(RESOLV_CONF, &sb) == 0 && S_ISLNK(sb.st_mode))
		link = true;
	if (realpath(RESOLV_CONF, path) == NULL)
		snprintf(path, sizeof(path), "%s", RESOLV_CONF);

	if (client_dns_is_mountpoint(path) || !link) {
		/* A netns bind mount or a plain file: rewrite in place. */
		if (client_dns_apply_file(cl, path, dns, ndns, cause) == -1)
			return -1;
		how = "resolv.conf rewritten in place";
	} else if (strncmp(path, "/run/systemd/resolve/", 21) == 0 &&
	    client_dns_have("resolvectl")) {
		cl->dns_record = client_dns_record(cl, "resolvectl", NULL, NULL,
		    0);
		cl->dns_method = CLIENT_DNS_RESOLVECTL;
		argv[0] = "resolvectl";
		argv[1] = "dns";
		argv[2] = cl->ifname;
		for (i = 0; i < ndns; i++)
			argv[3 + i] = xstrdup(dns[i]);
		argv[3 + ndns] = NULL;
		if (client_dns_run(argv, NULL, cause) == -1) {
			for (i = 0; i < ndns; i++)
				free(argv[3 + i]);
			client_dns_restore(cl);
			return -1;
		}
		for (i = 0; i < ndns; i++)
			free(argv[3 + i]);
		/* "~.": this link is the route for every domain. */
		argv[1] = "domain";
		argv[3] = "~.";
		argv[4] = NULL;
		if (client_dns_run(argv, NULL, cause) == -1) {
			client_dns_restore(cl);
			return -1;
		}
		how = "resolvectl";
	} else if ((strncmp(path, "/run/resolvconf/", 16) == 0 ||
	    strncmp(path, "/etc/resolvconf/", 16) == 0) &&
	    client_dns_have("resolvconf")) {
		cl->dns_record = client_dns_record(cl, "resolvconf", NULL, NULL,
		    0);
		cl->dns_method = CLIENT_DNS_RESOLVCONF;
		if (client_dns_resolvconf(cl, dns, ndns, cause) == -1) {
			client_dns_restore(cl);
			return -1;
		}
		how = "resolvconf";
	} else {
		if (client_dns_apply_file(cl, path, dns, ndns, cause) == -1)
			return -1;
		how = "resolv.conf rewritten in place";
	}
	memcpy(cl->dns, dns, ndns * sizeof(*dns));
	cl->ndns = ndns;
	cl->dns_ifindex = ifindex;
	log_info("dns %s on %s via %s", list, cl->ifname, how);
	return 0;
}

/* Undo a helper's change for ifname ("resolvectl revert", "resolvconf -d"). */
static int
client_dns_helper_undo(enum client_dns_method method, char *ifname,
    char **cause)
{
	char *argv[4];

	argv[0] = method == CLIENT_DNS_RESOLVECTL ? "resolvectl" :
	    "resolvconf";
	argv[1] = method == CLIENT_DNS_RESOLVECTL ? "revert" : "-d";
	argv[2] = ifname;
	argv[3] = NULL;
	return client_dns_run(argv, NULL, cause);
}

/* Put DNS back as it was. */
void
client_dns_restore(struct client *cl)
{
	char *cause = NULL;

	switch (cl->dns_method) {
	case CLIENT_DNS_NONE:
		statefile_remove(cl->dns_record);
		cl->dns_record = NULL;
		return;
	case CLIENT_DNS_FILE:
		if (cl->resolv_orig == NULL) {
			if (unlink(cl->resolv_path) == -1 && errno != ENOENT)
				log_warn("%s", cl->resolv_path);
		} else if (client_dns_write(cl->resolv_path, cl->resolv_orig,
		    cl->resolv_len, &cause) == -1) {
			log_warnx("cannot restore DNS: %s", cause);
			free(cause);
		} else
			log_debug("%s: %s restored", __func__,
			    cl->resolv_path);
		break;
	case CLIENT_DNS_RESOLVECTL:
	case CLIENT_DNS_RESOLVCONF:
		if (client_dns_helper_undo(cl->dns_method, cl->ifname,
		    &cause) == -1) {
			log_warnx("cannot restore DNS: %s", cause);
			free(cause);
		}
		break;
	}
	statefile_remove(cl->dns_record);
	cl->dns_record = NULL;
	free(cl->resolv_path);
	cl->resolv_path = NULL;
	free(cl->resolv_orig);
	cl->resolv_orig = NULL;
	cl->resolv_len = 0;
	cl->ndns = 0;
	cl->dns_method = CLIENT_DNS_NONE;
}

/* The value of "key " in the record's header, or NULL. */
static char *
client_dns_field(const char *head, const char *key, char *buf, size_t len)
{
	const char *p, *e;
	size_t klen = strlen(key);

	for (p = head; *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		e = strchr(p, '\n');
		if (e == NULL)
			e = p + strlen(p);
		if ((size_t)(e - p) > klen && strncmp(p, key, klen) == 0 &&
		    p[klen] == ' ') {
			snprintf(buf, len, "%.*s", (int)(e - p - klen - 1),
			    p + klen + 1);
			return buf;
		}
	}
	return NULL;
}

/*
 * No record (it lived under /run: a reboot took it), but resolv.conf
 * still carries rvpn-client's marker: put back the copy of the original
 * kept inside the file.
 */
static void
client_dns_recover_embedded(void)
{
	char path[PATH_MAX], *cur = NULL, *orig = NULL, *cause = NULL;
	const char *did;
	size_t clen, olen;
	int rc;

	if (realpath(RESOLV_CONF, path) == NULL)
		snprintf(path, sizeof(path), "%s", RESOLV_CONF);
	if (client_dns_read(path, &cur, &clen, &cause) == -1) {
		free(cause);
		return;
	}
	if (cur == NULL || strncmp(cur, RESOLV_MARKER,
	    strlen(RESOLV_MARKER)) != 0) {
		free(cur);
		return;
	}
	if ((rc = client_dns_unembed(cur, &orig, &olen)) != 1)
		did = rc == 0 ? "no copy of the original inside it: left as "
		    "it is" : "its copy of the original is damaged: left as "
		    "it is";
	else if (orig == NULL)
		did = unlink(path) == 0 ? "removed it (there was none)" :
		    "could not remove it";
	else if (client_dns_write(path, orig, olen, &cause) == -1) {
		log_warnx("dns: %s", cause);
		free(cause);
		did = "could not restore it";
	} else
		did = "restored the original from the copy inside it";
	log_warnx("recovering DNS from an unclean stop of the last run: %s: "
	    "%s (no record: rebooted since?)", path, did);
	free(orig);
	free(cur);
}

/*
 * At start, before anything changes: undo what a run that did not stop
 * (SIGKILL, a crash) left, from its record.  resolv.conf gets its
 * original bytes back if it still carries rvpn-client's marker (a file
 * someone rewrote since is theirs and left alone); resolvectl revert or
 * resolvconf -d for the helpers.  One warning when anything was found.
 */
void
client_dns_recover(struct client *cl)
{
	char *rpath, *data = NULL, *cause = NULL, *body, *cur = NULL;
	char method[32], ifname[IFNAMSIZ], path[PATH_MAX], exists[4];
	const char *did;
	size_t len, blen, clen;
	enum client_dns_method m;

	/* While privileged: the directory for this run's record. */
	client_dns_record_dir();
	rpath = client_dns_record_path(cl->cfg->tun_name);
	if (statefile_read(rpath, &data, &len, &cause) == -1) {
		log_warnx("dns record: %s", cause);
		free(cause);
		free(rpath);
		return;
	}
	if (data == NULL || strncmp(data, DNS_RECORD_HEAD,
	    strlen(DNS_RECORD_HEAD)) != 0 || (body = strstr(data, "\n\n")) ==
	    NULL) {
		if (data != NULL)
			log_warnx("%s: not an rvpn-client dns record: "
			    "ignored", rpath);
		else
			client_dns_recover_embedded();
		free(data);
		free(rpath);
		return;
	}
	*body = '\0';
	body += 2;
	blen = len - (size_t)(body - data);
	if (client_dns_field(data, "method", method, sizeof(method)) == NULL ||
	    client_dns_field(data, "ifname", ifname, sizeof(ifname)) == NULL ||
	    client_dns_field(data, "path", path, sizeof(path)) == NULL ||
	    client_dns_field(data, "exists", exists, sizeof(exists)) == NULL) {
		log_warnx("%s: incomplete dns record: ignored", rpath);
		free(data);
		free(rpath);
		return;
	}
	if (strcmp(method, "file") == 0) {
		if (client_dns_read(path, &cur, &clen, &cause) == -1) {
			log_warnx("dns: %s", cause);
			free(cause);
			cause = NULL;
			did = "could not read it";
		} else if (cur == NULL || strncmp(cur, RESOLV_MARKER,
		    strlen(RESOLV_MARKER)) != 0)
			did = "it was rewritten since, left as it is";
		else if (strcmp(exists, "0") == 0) {
			did = unlink(path) == 0 ? "removed it (there was none)" :
			    "could not remove it";
		} else if (client_dns_write(path, body, blen, &cause) == -1) {
			log_warnx("dns: %s", cause);
			free(cause);
			cause = NULL;
			did = "could not restore it";
		} else
			did = "restored the original";
		free(cur);
	} else if (strcmp(method, "resolvectl") == 0 ||
	    strcmp(method, "resolvconf") == 0) {
		m = method[7] == 'c' ? CLIENT_DNS_RESOLVECTL :
		    CLIENT_DNS_RESOLVCONF;
		snprintf(path, sizeof(path), "%s %s", method,
		    m == CLIENT_DNS_RESOLVECTL ? "revert" : "-d");
		if (client_dns_helper_undo(m, ifname, &cause) == -1) {
			log_debug("%s: %s", __func__, cause);
			free(cause);
			cause = NULL;
			did = "failed (the link is gone)";
		} else
			did = "done";
		snprintf(path + strlen(path), sizeof(path) - strlen(path),
		    " %s", ifname);
	} else {
		log_warnx("%s: unknown dns method '%s': ignored", rpath,
		    method);
		free(data);
		free(rpath);
		return;
	}
	log_warnx("recovering DNS from an unclean stop of the last run: %s: "
	    "%s (record %s)", path, did, rpath);
	if (statefile_unlink(rpath, &cause) == -1) {
		log_warnx("%s", cause);
		free(cause);
	}
	free(data);
	free(rpath);
}
