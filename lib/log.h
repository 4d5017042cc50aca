/* SPDX-License-Identifier: ISC */
#ifndef RVPN_LOG_H
#define RVPN_LOG_H

#include <stdarg.h>
#include <stdbool.h>

/* Levels, most severe first; a message is shown when its level <= the set level. */
enum log_level {
	LOG_LVL_ERROR = 0,
	LOG_LVL_WARN = 1,
	LOG_LVL_INFO = 2,
	LOG_LVL_DEBUG = 3,
	LOG_LVL_TRACE = 4,	/* also library debug output (lws, libevent) */
};

/*
 * Start logging as "LEVEL name: message" lines on stderr.  name is the
 * target operators grep for, e.g. "rvpn_server".
 */
void		 log_init(const char *name, enum log_level level);
/* From now on log to syslog (LOG_DAEMON) instead of stderr. */
void		 log_to_syslog(void);
void		 log_set_level(enum log_level);
enum log_level	 log_get_level(void);
/* Parse "error", "warn", "info", "debug", "trace"; false if unknown. */
bool		 log_level_parse(const char *, enum log_level *);
const char	*log_level_name(enum log_level);

#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))
/* _warn and fatal append strerror(errno); _warnx and fatalx do not. */
void	log_error(const char *, ...) LOG_PRINTF(1, 2);
void	log_warn(const char *, ...) LOG_PRINTF(1, 2);
void	log_warnx(const char *, ...) LOG_PRINTF(1, 2);
void	log_info(const char *, ...) LOG_PRINTF(1, 2);
void	log_debug(const char *, ...) LOG_PRINTF(1, 2);
void	log_trace(const char *, ...) LOG_PRINTF(1, 2);
void	log_vlog(enum log_level, const char *, va_list) LOG_PRINTF(2, 0);
/* Log and exit(1).  For startup and broken invariants only, never peer input. */
void	fatal(const char *, ...) LOG_PRINTF(1, 2) __attribute__((noreturn));
void	fatalx(const char *, ...) LOG_PRINTF(1, 2) __attribute__((noreturn));

/* Route libwebsockets' and libevent's own messages through this module (log-lws.c). */
void	log_route_libs(void);

/* A cause of one or more lines ('\n' between them) to stderr. */
void		 log_print_cause(const char *cause);

#endif
