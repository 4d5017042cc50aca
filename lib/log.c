/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "log.h"

static const char	*log_name = "rvpn";
static enum log_level	 log_level = LOG_LVL_INFO;
static bool		 log_syslog;

static const char *const level_names[] = {
	"ERROR", "WARN", "INFO", "DEBUG", "TRACE",
};

/* Start logging to stderr under the given target name. */
void
log_init(const char *name, enum log_level level)
{
	log_name = name;
	log_level = level;
	log_syslog = false;
}

/* Switch to syslog, as a daemon does once it has detached. */
void
log_to_syslog(void)
{
	openlog(log_name, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_syslog = true;
}

void
log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level
log_get_level(void)
{
	return log_level;
}

/* Parse a level name as written in config files, case-insensitively. */
bool
log_level_parse(const char *s, enum log_level *out)
{
	static const char *const names[] = {
		"error", "warn", "info", "debug", "trace",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(s, names[i]) == 0) {
			*out = (enum log_level)i;
			return true;
		}
	}
	if (strcasecmp(s, "warning") == 0) {
		*out = LOG_LVL_WARN;
		return true;
	}
	return false;
}

const char *
log_level_name(enum log_level level)
{
	if ((unsigned)level > LOG_LVL_TRACE)
		return "?";
	return level_names[level];
}

/*
 * Copy s to out (len bytes, NUL-terminated) with every control character
 * escaped: newline, carriage return and tab as \n \r \t, the others
 * and DEL as \xHH.  Messages quote peer and file text (a close reason,
 * a client name, a config value): one event stays one line, and none of
 * it can forge a line of its own or move the terminal's cursor.
 */
static void
log_escape(const char *s, char *out, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p;
	size_t o = 0;

	for (p = (const unsigned char *)s; *p != '\0' && o + 5 < len; p++) {
		if (*p >= 0x20 && *p != 0x7f) {
			out[o++] = (char)*p;
			continue;
		}
		out[o++] = '\\';
		switch (*p) {
		case '\n':
			out[o++] = 'n';
			break;
		case '\r':
			out[o++] = 'r';
			break;
		case '\t':
			out[o++] = 't';
			break;
		default:
			out[o++] = 'x';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 0xf];
			break;
		}
	}
	out[o] = '\0';
}

/* Emit one line at the given level; the core of every log function. */
void
log_vlog(enum log_level level, const char *fmt, va_list ap)
{
	static const int prio[] = {
		LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG, LOG_DEBUG,
	};
	char msg[1024], line[4 * sizeof(msg)];
	int saved = errno;

	if (level > log_level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	log_escape(msg, line, sizeof(line));
	if (log_syslog)
		syslog(prio[level], "%s", line);
	else {
		fprintf(stderr, "%s %s: %s\n", level_names[level], log_name,
		    line);
		fflush(stderr);
	}
	errno = saved;
}

static void log_vlog_msg(enum log_level, const char *, ...)
    LOG_PRINTF(2, 3);

static void
log_vlog_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vlog(level, fmt, ap);
	va_end(ap);
}

#define LOG_FN(fn, lvl)						\
void								\
fn(const char *fmt, ...)					\
{								\
	va_list ap;						\
	va_start(ap, fmt);					\
	log_vlog(lvl, fmt, ap);					\
	va_end(ap);						\
}
LOG_FN(log_error, LOG_LVL_ERROR)
LOG_FN(log_warnx, LOG_LVL_WARN)
LOG_FN(log_info, LOG_LVL_INFO)
LOG_FN(log_debug, LOG_LVL_DEBUG)
LOG_FN(log_trace, LOG_LVL_TRACE)

/* Log fmt followed by ": strerror(errno)". */
static void
log_verrno(enum log_level level, const char *fmt, va_list ap)
{
	char msg[1024];
	int saved = errno;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	log_vlog_msg(level, "%s: %s", msg, strerror(saved));
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_verrno(LOG_LVL_WARN, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_verrno(LOG_LVL_ERROR, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vlog(LOG_LVL_ERROR, fmt, ap);
	va_end(ap);
	exit(1);
}

void
log_print_cause(const char *cause)
{
	size_t n = strlen(cause);

	fprintf(stderr, "%s%s", cause, n > 0 && cause[n - 1] == '\n' ? "" :
	    "\n");
}
