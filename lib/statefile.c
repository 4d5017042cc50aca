/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "statefile.h"
#include "xmalloc.h"

#define STATEFILE_BOOT_ID	"/proc/sys/kernel/random/boot_id"

struct statefile {
	int	 dirfd;
	int	 fd;
	char	*name;		/* within dirfd */
	char	*path;		/* for messages */
};

/* Split path into its directory and last component (both allocated). */
static void
statefile_split(const char *path, char **dir, char **name)
{
	const char *slash;

	if ((slash = strrchr(path, '/')) == NULL) {
		*dir = xstrdup(".");
		*name = xstrdup(path);
	} else if (slash == path) {
		*dir = xstrdup("/");
		*name = xstrdup(slash + 1);
	} else {
		xasprintf(dir, "%.*s", (int)(slash - path), path);
		*name = xstrdup(slash + 1);
	}
}

static int
statefile_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	size_t off;
	ssize_t n;

	for (off = 0; off < len; off += (size_t)n) {
		if ((n = write(fd, p + off, len - off)) == -1) {
			if (errno == EINTR) {
				n = 0;
				continue;
			}
			return -1;
		}
	}
	return 0;
}

struct statefile *
statefile_create(const char *path, const void *data, size_t len,
    char **cause)
{
	struct statefile *sf;
	char *dir, *name, *tmp;
	int dirfd, fd, error;

	statefile_split(path, &dir, &name);
	if (*name == '\0') {
		xasprintf(cause, "%s: not a file name", path);
		free(dir);
		free(name);
		errno = EINVAL;
		return NULL;
	}
	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		error = errno;
		xasprintf(cause, "%s: %s", dir, strerror(error));
		free(dir);
		free(name);
		errno = error;
		return NULL;
	}
	free(dir);
	xasprintf(&tmp, ".%s.tmp", name);
	/* A temporary file left by a crash in the middle of this. */
	(void)unlinkat(dirfd, tmp, 0);
	if ((fd = openat(dirfd, tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1)
		goto fail;
	if (fchmod(fd, 0600) == -1 || statefile_write_all(fd, data, len) == -1 ||
	    fsync(fd) == -1 || renameat(dirfd, tmp, dirfd, name) == -1) {
		error = errno;
		close(fd);
		(void)unlinkat(dirfd, tmp, 0);
		errno = error;
		goto fail;
	}
	(void)fsync(dirfd);
	free(tmp);
	sf = xcalloc(1, sizeof(*sf));
	sf->dirfd = dirfd;
	sf->fd = fd;
	sf->name = name;
	sf->path = xstrdup(path);
	return sf;

fail:
	error = errno;
	xasprintf(cause, "%s: cannot write: %s", path, strerror(error));
	close(dirfd);
	free(tmp);
	free(name);
	errno = error;
	return NULL;
}

void
statefile_remove(struct statefile *sf)
{
	if (sf == NULL)
		return;
	if (unlinkat(sf->dirfd, sf->name, 0) == -1) {
		/* Not ours to unlink any more: empty is "no record". */
		if (ftruncate(sf->fd, 0) == -1)
			log_warn("%s: cannot remove or empty", sf->path);
		else
			log_debug("%s: emptied (unlink: not permitted)",
			    sf->path);
	}
	close(sf->fd);
	close(sf->dirfd);
	free(sf->name);
	free(sf->path);
	free(sf);
}

int
statefile_read(const char *path, char **data, size_t *len, char **cause)
{
	struct stat sb;
	char *b;
	size_t off = 0;
	ssize_t n;
	int fd, error;

	*data = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return 0;
		goto fail;
	}
	if (fstat(fd, &sb) == -1)
		goto fail_close;
	if (!S_ISREG(sb.st_mode)) {
		close(fd);
		xasprintf(cause, "%s: not a regular file", path);
		errno = EINVAL;
		return -1;
	}
	b = xmalloc(STATEFILE_MAX + 1);
	while ((n = read(fd, b + off, STATEFILE_MAX - off)) > 0)
		off += (size_t)n;
	error = errno;
	close(fd);
	if (n == -1 || off == STATEFILE_MAX) {
		free(b);
		xasprintf(cause, "%s: %s", path, n == -1 ? strerror(error) :
		    "too large");
		errno = n == -1 ? error : EFBIG;
		return -1;
	}
	if (off == 0) {
		free(b);
		return 0;
	}
	b[off] = '\0';
	*data = b;
	*len = off;
	return 0;

fail_close:
	error = errno;
	close(fd);
	errno = error;
fail:
	error = errno;
	xasprintf(cause, "%s: %s", path, strerror(error));
	errno = error;
	return -1;
}

int
statefile_unlink(const char *path, char **cause)
{
	int error;

	if (unlink(path) == -1 && errno != ENOENT) {
		error = errno;
		xasprintf(cause, "%s: cannot remove: %s", path,
		    strerror(error));
		errno = error;
		return -1;
	}
	return 0;
}

const char *
statefile_boot_id(void)
{
	static char id[64];
	ssize_t n;
	int fd;

	if (id[0] != '\0')
		return id;
	snprintf(id, sizeof(id), "unknown");
	if ((fd = open(STATEFILE_BOOT_ID, O_RDONLY | O_CLOEXEC)) == -1)
		return id;
	n = read(fd, id, sizeof(id) - 1);
	close(fd);
	if (n <= 0) {
		snprintf(id, sizeof(id), "unknown");
		return id;
	}
	id[n] = '\0';
	id[strcspn(id, "\n")] = '\0';
	return id;
}
