/* SPDX-License-Identifier: ISC */
/*
 * The process lifecycle both daemons share (tmux proc.c, OpenSSH
 * uidswap.c and OpenBSD httpd proc.c are the models): detaching with a
 * readiness pipe, so a startup failure still reaches the shell as exit
 * status 1; the signals; the pid file; the run-state directory; and the
 * privilege sequence (chroot, bounding set, secure bits, user and group,
 * the capabilities kept, no_new_privs, Landlock).
 */
#ifndef RVPN_PROC_H
#define RVPN_PROC_H

#include <sys/capability.h>
#include <sys/types.h>

#include <event2/event.h>
#include <stdbool.h>

/*
 * Detach: fork, the parent waits until the child calls proc_detached()
 * (exit 0) or exits (the parent exits with the child's status, 1 if
 * that was 0 or a signal).  The child is a session leader in "/".
 * Returns the child's end of the pipe; dies when fork or pipe fail.
 */
int	proc_daemonize(void);
/*
 * Before a chroot, while /dev and /dev/log are in reach: connect to
 * syslog as ident (LOG_DAEMON, kept open) and open /dev/null.  Returns
 * the /dev/null descriptor, -1 (logged) when it cannot be opened.
 */
int	proc_detach_prepare(const char *ident);
/*
 * Startup is done: log to syslog from now on, point stdin, stdout and
 * stderr at devnull (closed after) and release the parent (notify).
 */
void	proc_detached(int notify, int devnull);

/*
 * The signals a daemon handles, as events on base: each of sigs (ended
 * by 0) calls cb(sig, EV_SIGNAL, arg) from the loop.  NULL, with
 * *cause, when an event cannot be added.  proc_signals_free() accepts
 * NULL.
 */
struct proc_signals;
struct proc_signals	*proc_signals_new(struct event_base *, const int *sigs,
			    event_callback_fn cb, void *arg, char **cause);
void			 proc_signals_free(struct proc_signals *);

/*
 * Write the pid of this process to path, which must be a regular file
 * or absent: opened with O_NOFOLLOW (a symbolic link is refused, its
 * target untouched), checked with fstat (a regular file with one link),
 * truncated and set to 0644 through the descriptor.
 */
int	proc_pidfile_write(const char *path, char **cause);
/* Remove the pid file; logs at debug why it could not (not an error). */
void	proc_pidfile_remove(const char *path);

/*
 * Make sure the directory of file path exists: missing directories are
 * created (0755, owned by the caller, root at startup).  The directory
 * itself must then be owned by root or the caller and not be writable
 * by others, or it is refused: anyone able to write there could
 * replace the socket or the pid file.
 */
int	proc_mkdir_parent(const char *path, char **cause);

/* What proc_drop_privileges() does. */
struct proc_privs {
	const char		*user;		/* NULL: keep the uid */
	const char		*group;		/* NULL: the user's */
	const char		*chroot_dir;	/* NULL: none */
	const cap_value_t	*keep;		/* kept in P and E */
	int			 nkeep;
	/*
	 * Set SECBIT_NOROOT (locked): uid 0 gains no capability from an
	 * exec.  The server sets it; the client not, as resolvectl and
	 * resolvconf are run as root with its CAP_NET_ADMIN.
	 */
	bool			 noroot;
	/*
	 * Where the process may still create, write or remove files once
	 * dropped: everywhere else is refused with Landlock (where the
	 * kernel has it), so a process left uid 0 cannot write root's
	 * files.  Reading is not restricted (reload reads the config and
	 * TLS files wherever they are).  NULL: no restriction.
	 */
	const char *const	*write_dirs;	/* NULL-terminated */
};

/*
 * The privilege sequence, in this order: look up user and group (while
 * /etc is in reach); chroot (needs CAP_SYS_CHROOT); with CAP_SETPCAP,
 * drop from the bounding set every capability present and not kept
 * (without it, leave the set as it is: no_new_privs already stops an
 * exec from gaining anything), then the secure bits; clear ambient;
 * switch to the group alone, then the user, keeping capabilities
 * across setuid; permitted = effective = keep, inheritable empty;
 * no_new_privs.  Then check that root cannot be regained and the sets
 * are exactly keep; then the Landlock write restriction (write_dirs).
 * On success *what (allocated) tells the log line: "user nobody (uid
 * 65534) group nogroup (gid 65534), keeping only CAP_NET_ADMIN, secure
 * bits noroot (locked), file writes only under /run/rvpn".
 */
int	proc_drop_privileges(const struct proc_privs *, char **what,
	    char **cause);

#endif
