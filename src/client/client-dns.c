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

#include "client.h"
#include "ipaddr.h"
#include "log.h"
#include "xmalloc.h"

#define RESOLV_CONF	"/etc/resolv.conf"
#define RESOLV_MAX	(64 * 1024)

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

/* resolv.conf: our nameservers first, then the old non-nameserver lines. */
static int
client_dns_apply_file(struct client *cl, const char *path,
    const struct in_addr *dns, unsigned ndns, char **cause)
{
	char *orig = NULL, *out, *line, *next, buf[INET_ADDRSTRLEN];
	size_t len, olen, cap;
	unsigned i;

	if (client_dns_read(path, &orig, &len, cause) == -1)
		return -1;
	cap = len + 256 + ndns * 32;
	out = xmalloc(cap);
	olen = (size_t)snprintf(out, cap, "# rvpn-client: %s; the original is "
	    "restored when rvpn-client stops\n", cl->ifname);
	for (i = 0; i < ndns; i++)
		olen += (size_t)snprintf(out + olen, cap - olen,
		    "nameserver %s\n", ipaddr_str4(dns[i], buf, sizeof(buf)));
	for (line = orig; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		next = next != NULL ? next + 1 : line + strlen(line);
		if (strncmp(line, "nameserver", 10) == 0)
			continue;
		if (olen + (size_t)(next - line) + 1 >= cap)
			break;
		memcpy(out + olen, line, (size_t)(next - line));
		olen += (size_t)(next - line);
		if (out[olen - 1] != '\n')
			out[olen++] = '\n';
	}
	if (client_dns_write(path, out, olen, cause) == -1) {
		free(out);
		free(orig);
		return -1;
	}
	free(out);
	cl->resolv_path = xstrdup(path);
	cl->resolv_orig = orig;		/* NULL: there was no file */
	cl->resolv_len = len;
	cl->dns_method = CLIENT_DNS_FILE;
	return 0;
}

/* Apply pushed DNS servers (once; again only if they change). */
int
client_dns_apply(struct client *cl, const struct in_addr *dns, unsigned ndns,
    char **cause)
{
	char path[PATH_MAX], list[PROTO_MAX_DNS * (INET_ADDRSTRLEN + 1) + 1];
	char buf[INET_ADDRSTRLEN], *input = NULL;
	char *argv[4 + PROTO_MAX_DNS];
	const char *how;
	struct stat sb;
	bool link = false;
	unsigned i;

	if (ndns > PROTO_MAX_DNS)
		ndns = PROTO_MAX_DNS;
	if (cl->dns_method != CLIENT_DNS_NONE) {
		if (ndns == cl->ndns &&
		    memcmp(dns, cl->dns, ndns * sizeof(*dns)) == 0)
			return 0;
		client_dns_restore(cl);
	}

	list[0] = '\0';
	for (i = 0; i < ndns; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
		    "%s%s", i > 0 ? "," : "", ipaddr_str4(dns[i], buf,
		    sizeof(buf)));

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
		argv[0] = "resolvectl";
		argv[1] = "dns";
		argv[2] = cl->ifname;
		for (i = 0; i < ndns; i++)
			argv[3 + i] = xstrdup(ipaddr_str4(dns[i], buf,
			    sizeof(buf)));
		argv[3 + ndns] = NULL;
		if (client_dns_run(argv, NULL, cause) == -1) {
			for (i = 0; i < ndns; i++)
				free(argv[3 + i]);
			return -1;
		}
		for (i = 0; i < ndns; i++)
			free(argv[3 + i]);
		cl->dns_method = CLIENT_DNS_RESOLVECTL;
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
		input = xmalloc(ndns * 32 + 1);
		input[0] = '\0';
		for (i = 0; i < ndns; i++)
			snprintf(input + strlen(input), ndns * 32 + 1 -
			    strlen(input), "nameserver %s\n",
			    ipaddr_str4(dns[i], buf, sizeof(buf)));
		argv[0] = "resolvconf";
		argv[1] = "-a";
		argv[2] = cl->ifname;
		argv[3] = NULL;
		if (client_dns_run(argv, input, cause) == -1) {
			free(input);
			return -1;
		}
		free(input);
		cl->dns_method = CLIENT_DNS_RESOLVCONF;
		how = "resolvconf";
	} else {
		if (client_dns_apply_file(cl, path, dns, ndns, cause) == -1)
			return -1;
		how = "resolv.conf rewritten in place";
	}
	memcpy(cl->dns, dns, ndns * sizeof(*dns));
	cl->ndns = ndns;
	log_info("dns %s on %s via %s", list, cl->ifname, how);
	return 0;
}

/* Put DNS back as it was. */
void
client_dns_restore(struct client *cl)
{
	char *argv[4], *cause = NULL;

	switch (cl->dns_method) {
	case CLIENT_DNS_NONE:
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
		argv[0] = "resolvectl";
		argv[1] = "revert";
		argv[2] = cl->ifname;
		argv[3] = NULL;
		if (client_dns_run(argv, NULL, &cause) == -1) {
			log_warnx("cannot restore DNS: %s", cause);
			free(cause);
		}
		break;
	case CLIENT_DNS_RESOLVCONF:
		argv[0] = "resolvconf";
		argv[1] = "-d";
		argv[2] = cl->ifname;
		argv[3] = NULL;
		if (client_dns_run(argv, NULL, &cause) == -1) {
			log_warnx("cannot restore DNS: %s", cause);
			free(cause);
		}
		break;
	}
	free(cl->resolv_path);
	cl->resolv_path = NULL;
	free(cl->resolv_orig);
	cl->resolv_orig = NULL;
	cl->resolv_len = 0;
	cl->ndns = 0;
	cl->dns_method = CLIENT_DNS_NONE;
}
