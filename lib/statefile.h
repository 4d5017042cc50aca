/* SPDX-License-Identifier: ISC */
/*
 * Durable undo records: a small file written (0600, atomically: a
 * temporary file, fsync, rename) before a system change, so that the
 * next start can undo what a crashed process left behind.  Kept files
 * live under the runstate directory (/run: gone after a reboot, as the
 * changes they record are); each also names the boot it was written in.
 */
#ifndef RVPN_STATEFILE_H
#define RVPN_STATEFILE_H

#include <stddef.h>

#define STATEFILE_MAX	(128 * 1024)

struct statefile;

/*
 * Write len bytes of data to path (replacing it) and keep the file and
 * its directory open, so statefile_remove works after a chroot or a
 * change of user.  NULL with *cause.
 */
struct statefile	*statefile_create(const char *path, const void *data,
			    size_t len, char **cause);
/*
 * Remove the file: unlink it, or where that is no longer allowed
 * (dropped privileges) empty it, which reads as "no record".  NULL is a
 * no-op.
 */
void			 statefile_remove(struct statefile *);
/*
 * Read path (a regular file, not followed if a symlink); 0 with *data
 * NULL when it is missing or empty.  *data is NUL-terminated (not
 * counted in *len).  -1 with *cause.
 */
int			 statefile_read(const char *path, char **data,
			    size_t *len, char **cause);
/* Unlink path; missing is fine.  -1 with *cause. */
int			 statefile_unlink(const char *path, char **cause);
/* This boot's id (/proc/sys/kernel/random/boot_id), or "unknown". */
const char		*statefile_boot_id(void);

#endif
