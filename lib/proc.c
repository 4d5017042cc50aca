/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/landlock.h>
#include <linux/securebits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "proc.h"
#include "xmalloc.h"

int
proc_daemonize(void)
{
	int fds[2], status;
	pid_t pid;
	char c;

	if (pipe2(fds, O_CLOEXEC) == -1)
		fatal("pipe");
	switch ((pid = fork())) {
	case -1:
		fatal("fork");
	case 0:
		close(fds[0]);
		if (setsid() == -1)
			fatal("setsid");
		if (chdir("/") == -1)
			fatal("chdir");
		return fds[1];
	default:
		close(fds[1]);
		if (read(fds[0], &c, 1) == 1)
			_exit(0);
		if (waitpid(pid, &status, 0) == pid && WIFEXITED(status))
			_exit(WEXITSTATUS(status) == 0 ? 1 :
			    WEXITSTATUS(status));
		_exit(1);
	}
}

int
proc_detach_prepare(const char *ident)
{
	int fd;

	openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		log_warn("/dev/null");
	return fd;
}

void
proc_detached(int notify, int devnull)
{
	log_to_syslog();
	if (devnull != -1) {
		dup2(devnull, STDIN_FILENO);
		dup2(devnull, STDOUT_FILENO);
		dup2(devnull, STDERR_FILENO);
		if (devnull > STDERR_FILENO)
			close(devnull);
	}
	if (write(notify, "1", 1) != 1)
		log_warn("notify parent");
	close(notify);
}

#define PROC_MAX_SIGNALS	8

struct proc_signals {
	struct event	*ev[PROC_MAX_SIGNALS];
	int		 n;
};

struct proc_signals *
proc_signals_new(struct event_base *base, const int *sigs,
    event_callback_fn cb, void *arg, char **cause)
{
	struct proc_signals *ps;

	ps = xcalloc(1, sizeof(*ps));
	for (; *sigs != 0; sigs++) {
		if (ps->n == PROC_MAX_SIGNALS ||
		    (ps->ev[ps->n] = evsignal_new(base, *sigs, cb,
		    arg)) == NULL ||
		    evsignal_add(ps->ev[ps->n++], NULL) == -1) {
			xasprintf(cause, "cannot handle signal %d", *sigs);
			proc_signals_free(ps);
			return NULL;
		}
	}
	return ps;
}

void
proc_signals_free(struct proc_signals *ps)
{
	int i;

	if (ps == NULL)
		return;
	for (i = 0; i < ps->n; i++) {
		if (ps->ev[i] != NULL)
			event_free(ps->ev[i]);
	}
	free(ps);
}

int
proc_pidfile_write(const char *path, char **cause)
{
	struct stat st;
	char buf[32];
	int fd, n, saved;

	if (proc_mkdir_parent(path, cause) == -1)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC, S_IRUSR | S_IWUSR | S_IRGRP | S_IROTH);
	if (fd == -1) {
		if (errno == ELOOP)
			xasprintf(cause, "pid file %s: is a symbolic link, "
			    "not replacing it", path);
		else
			xasprintf(cause, "pid file %s: %s", path,
			    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1)
		goto fail;
	if (!S_ISREG(st.st_mode) || st.st_nlink != 1) {
		close(fd);
		xasprintf(cause, "pid file %s: not a regular file with one "
		    "link, not replacing it", path);
		return -1;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 ||
	    fchmod(fd, S_IRUSR | S_IWUSR | S_IRGRP | S_IROTH) == -1 ||
	    write(fd, buf, (size_t)n) != n)
		goto fail;
	if (close(fd) == -1) {
		xasprintf(cause, "pid file %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
fail:
	saved = errno;
	close(fd);
	xasprintf(cause, "pid file %s: %s", path, strerror(saved));
	return -1;
}

void
proc_pidfile_remove(const char *path)
{
	if (unlink(path) == -1)
		log_debug("%s: unlink %s: %s (replaced at the next start)",
		    __func__, path, strerror(errno));
}

int
proc_mkdir_parent(const char *path, char **cause)
{
	struct stat st;
	char *dir, *p;
	int rc = -1;

	dir = xstrdup(path);
	if ((p = strrchr(dir, '/')) == NULL) {
		free(dir);
		return 0;	/* relative, in the current directory */
	}
	if (p == dir)
		p[1] = '\0';
	else
		*p = '\0';
	/* Each missing component in turn, from the top. */
	for (p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) == -1 && errno != EEXIST)
			goto mkfail;
		*p = '/';
	}
	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		goto mkfail;
	if (stat(dir, &st) == -1) {
		xasprintf(cause, "%s: %s", dir, strerror(errno));
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		xasprintf(cause, "%s: not a directory", dir);
		goto out;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		xasprintf(cause, "%s: owned by uid %u, not root: refusing to "
		    "use it", dir, (unsigned)st.st_uid);
		goto out;
	}
	if (st.st_mode & S_IWOTH) {
		xasprintf(cause, "%s: writable by anyone (mode %04o): "
		    "refusing to use it", dir, (unsigned)(st.st_mode & 07777));
		goto out;
	}
	rc = 0;
	goto out;
mkfail:
	xasprintf(cause, "%s: cannot create the directory: %s", dir,
	    strerror(errno));
out:
	free(dir);
	return rc;
}

#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER	(1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE	(1ULL << 14)
#endif

/*
 * Refuse every way of changing the file system but beneath dirs (and
 * what is open already): Landlock, with the rights the kernel knows.
 * Returns 1 when in force, 0 when Landlock is not available (not in
 * the kernel, or refused by a seccomp filter), -1 on error.  Needs
 * no_new_privs.
 */
static int
proc_landlock(const char *const *dirs, char **cause)
{
#ifdef SYS_landlock_create_ruleset
	struct landlock_ruleset_attr ra;
	struct landlock_path_beneath_attr pb;
	uint64_t handled;
	int abi, rfd, fd, saved;

	abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	/* EPERM: a seccomp filter without the landlock calls. */
	if (abi < 0)
		return (errno == ENOSYS || errno == EOPNOTSUPP ||
		    errno == EPERM) ? 0 : -1;
	handled = LANDLOCK_ACCESS_FS_WRITE_FILE |
	    LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |
	    LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR |
	    LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |
	    LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |
	    LANDLOCK_ACCESS_FS_MAKE_SYM;
	if (abi >= 2)
		handled |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		handled |= LANDLOCK_ACCESS_FS_TRUNCATE;
	memset(&ra, 0, sizeof(ra));
	ra.handled_access_fs = handled;
	rfd = (int)syscall(SYS_landlock_create_ruleset, &ra, sizeof(ra), 0);
	if (rfd == -1) {
		xasprintf(cause, "landlock: create ruleset: %s",
		    strerror(errno));
		return -1;
	}
	for (; dirs != NULL && *dirs != NULL; dirs++) {
		if ((fd = open(*dirs, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1) {
			log_debug("%s: %s: %s (no writes there)", __func__,
			    *dirs, strerror(errno));
			continue;
		}
		memset(&pb, 0, sizeof(pb));
		pb.allowed_access = handled;
		pb.parent_fd = fd;
		if (syscall(SYS_landlock_add_rule, rfd,
		    LANDLOCK_RULE_PATH_BENEATH, &pb, 0) == -1) {
			saved = errno;
			close(fd);
			close(rfd);
			xasprintf(cause, "landlock: %s: %s", *dirs,
			    strerror(saved));
			return -1;
		}
		close(fd);
	}
	if (syscall(SYS_landlock_restrict_self, rfd, 0) == -1) {
		saved = errno;
		close(rfd);
		xasprintf(cause, "landlock: restrict: %s", strerror(saved));
		return -1;
	}
	close(rfd);
	return 1;
#else
	return 0;
#endif
}

/* Whether CAP_SETPCAP is in the effective set. */
static bool
proc_have_setpcap(void)
{
	cap_t now;
	cap_flag_value_t v = CAP_CLEAR;

	if ((now = cap_get_proc()) == NULL)
		return false;
	if (cap_get_flag(now, CAP_SETPCAP, CAP_EFFECTIVE, &v) == -1)
		v = CAP_CLEAR;
	cap_free(now);
	return v == CAP_SET;
}

static bool
proc_kept(const struct proc_privs *pp, cap_value_t c)
{
	int i;

	for (i = 0; i < pp->nkeep; i++) {
		if (pp->keep[i] == c)
			return true;
	}
	return false;
}

/*
 * With CAP_SETPCAP, empty the bounding set but for the kept ones,
 * skipping what is not there; *left counts what stays in it without.
 */
static int
proc_drop_bounding(const struct proc_privs *pp, bool setpcap, int *left,
    char **cause)
{
	cap_value_t c;
	int in;

	*left = 0;
	for (c = 0; (in = cap_get_bound(c)) >= 0; c++) {
		if (in == 0 || proc_kept(pp, c))
			continue;
		if (!setpcap) {
			(*left)++;
			continue;
		}
		if (cap_drop_bound(c) == -1) {
			xasprintf(cause, "cannot drop %s from the bounding "
			    "set: %s", cap_to_name(c), strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* The names of the kept capabilities, " "-separated, or "none". */
static char *
proc_keep_names(const struct proc_privs *pp)
{
	char *s = NULL, *t, *name;
	int i;

	for (i = 0; i < pp->nkeep; i++) {
		name = cap_to_name(pp->keep[i]);
		for (t = name; t != NULL && *t != '\0'; t++) {
			if (*t >= 'a' && *t <= 'z')
				*t = (char)(*t - 'a' + 'A');
		}
		if (s == NULL)
			s = xstrdup(name != NULL ? name : "?");
		else {
			xasprintf(&t, "%s %s", s, name != NULL ? name : "?");
			free(s);
			s = t;
		}
		cap_free(name);
	}
	return s != NULL ? s : xstrdup("none");
}

int
proc_drop_privileges(const struct proc_privs *pp, char **what, char **cause)
{
	struct passwd *pw = NULL;
	struct group *gr = NULL, *lg;
	cap_t caps = NULL, now = NULL;
	uid_t uid = getuid();
	gid_t gid = getgid();
	bool setpcap, switching;
	unsigned long bits = 0;
	const char *secure;
	char gname[64], uname[64], *names, *wdirs = NULL, *writes = NULL;
	char *t;
	int left, ll, i, rc = -1;

	*what = NULL;
	*cause = NULL;
	if (pp->user != NULL) {
		if ((pw = getpwnam(pp->user)) == NULL) {
			xasprintf(cause, "user: '%s': no such user", pp->user);
			return -1;
		}
		uid = pw->pw_uid;
		gid = pw->pw_gid;
	}
	if (pp->group != NULL) {
		if ((gr = getgrnam(pp->group)) == NULL) {
			xasprintf(cause, "group: '%s': no such group",
			    pp->group);
			return -1;
		}
		gid = gr->gr_gid;
	}
	switching = pw != NULL || gr != NULL;
	/* Names for the log, while /etc is in reach. */
	lg = getgrgid(gid);
	snprintf(gname, sizeof(gname), "%s", lg != NULL ? lg->gr_name : "?");
	if (pw != NULL)
		snprintf(uname, sizeof(uname), "user %s", pp->user);
	else
		snprintf(uname, sizeof(uname), "%s", uid == 0 ? "root" :
		    "the same user");

	if (pp->chroot_dir != NULL) {
		/* syslog's time stamps keep the zone without /etc/localtime. */
		tzset();
		if (chroot(pp->chroot_dir) == -1 || chdir("/") == -1) {
			xasprintf(cause, "chroot: '%s': %s%s", pp->chroot_dir,
			    strerror(errno), errno == EPERM ? " (chroot "
			    "needs CAP_SYS_CHROOT)" : "");
			return -1;
		}
		log_info("Chrooted to %s", pp->chroot_dir);
	}

	setpcap = proc_have_setpcap();
	if (proc_drop_bounding(pp, setpcap, &left, cause) == -1)
		return -1;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1 &&
	    errno != EINVAL) {
		xasprintf(cause, "cannot clear ambient capabilities: %s",
		    strerror(errno));
		return -1;
	}
	/*
	 * Secure bits need CAP_SETPCAP.  KEEP_CAPS keeps the permitted set
	 * across the setuid below; it is cleared right after and locked.
	 */
	if (setpcap && pp->noroot) {
		bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED;
		if (prctl(PR_SET_SECUREBITS, bits | SECBIT_KEEP_CAPS, 0, 0,
		    0) == -1) {
			xasprintf(cause, "cannot set the secure bits: %s",
			    strerror(errno));
			return -1;
		}
	}
	if (switching) {
		if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == -1 ||
		    setgroups(1, &gid) == -1 ||
		    setresgid(gid, gid, gid) == -1 ||
		    setresuid(uid, uid, uid) == -1 ||
		    prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) == -1) {
			xasprintf(cause, "cannot switch to user %s group %s: "
			    "%s", pp->user != NULL ? pp->user : "-",
			    pp->group != NULL ? pp->group : "-",
			    strerror(errno));
			return -1;
		}
	} else if (bits != 0 && prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) == -1) {
		xasprintf(cause, "cannot clear keep-caps: %s",
		    strerror(errno));
		return -1;
	}
	if ((caps = cap_init()) == NULL ||
	    (pp->nkeep > 0 &&
	    (cap_set_flag(caps, CAP_PERMITTED, pp->nkeep, pp->keep,
	    CAP_SET) == -1 ||
	    cap_set_flag(caps, CAP_EFFECTIVE, pp->nkeep, pp->keep,
	    CAP_SET) == -1)) ||
	    cap_set_proc(caps) == -1) {
		xasprintf(cause, "cannot set capabilities: %s",
		    strerror(errno));
		goto out;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		xasprintf(cause, "cannot set no_new_privs: %s",
		    strerror(errno));
		goto out;
	}
	/* Check: no way back to root, and exactly the sets asked for. */
	if ((uid != 0 && (setuid(0) != -1 || seteuid(0) != -1)) ||
	    (gid != 0 && (setgid(0) != -1 || setegid(0) != -1)))
		fatalx("privileges could be regained after the drop");
	if ((now = cap_get_proc()) == NULL || cap_compare(now, caps) != 0)
		fatalx("capabilities are not as set after the drop");
	if (bits != 0 && (unsigned long)prctl(PR_GET_SECUREBITS, 0, 0, 0,
	    0) != bits)
		fatalx("secure bits are not as set after the drop");

	if (pp->write_dirs != NULL) {
		if ((ll = proc_landlock(pp->write_dirs, cause)) == -1) {
			if (*cause == NULL)
				xasprintf(cause, "landlock: %s",
				    strerror(errno));
			goto out;
		}
		for (i = 0; pp->write_dirs[i] != NULL; i++) {
			xasprintf(&t, "%s%s%s", wdirs != NULL ? wdirs : "",
			    wdirs != NULL ? " " : "", pp->write_dirs[i]);
			free(wdirs);
			wdirs = t;
		}
		if (ll == 0)
			xasprintf(&writes, ", file writes not restricted "
			    "(Landlock not available)");
		else if (wdirs == NULL)
			writes = xstrdup(", no file writes");
		else
			xasprintf(&writes, ", file writes only under %s",
			    wdirs);
	}

	if (bits != 0)
		secure = ", secure bits noroot (locked)";
	else if (pp->noroot)
		secure = ", secure bits unchanged (no CAP_SETPCAP)";
	else
		secure = "";
	names = proc_keep_names(pp);
	xasprintf(what, "%s (uid %u) group %s (gid %u), keeping only %s%s%s",
	    uname, (unsigned)uid, gname, (unsigned)gid, names, secure,
	    writes != NULL ? writes : "");
	free(names);
	if (left > 0)
		log_debug("%s: no CAP_SETPCAP: %d capabilities stay in the "
		    "bounding set (no_new_privs is set)", __func__, left);
	rc = 0;
out:
	free(wdirs);
	free(writes);
	cap_free(now);
	cap_free(caps);
	return rc;
}
