/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <event2/event.h>
#include <libwebsockets.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

/* Re-emit one library line at our level, without its trailing newline. */
static void
log_lib_line(enum log_level level, const char *lib, const char *line)
{
	char buf[512];
	size_t n;

	if (level > log_get_level())
		return;
	snprintf(buf, sizeof(buf), "%s", line);
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	switch (level) {
	case LOG_LVL_ERROR:
	case LOG_LVL_WARN:
		log_warnx("%s: %s", lib, buf);
		break;
	case LOG_LVL_INFO:
	case LOG_LVL_DEBUG:
		log_debug("%s: %s", lib, buf);
		break;
	default:
		log_trace("%s: %s", lib, buf);
		break;
	}
}

/* lws errors are worth a warning; its notices and chatter are debug/trace. */
static void
log_lws_cb(int lll, const char *line)
{
	enum log_level level;

	if (lll & LLL_ERR)
		level = LOG_LVL_WARN;
	else if (lll & (LLL_WARN | LLL_NOTICE))
		level = LOG_LVL_DEBUG;
	else
		level = LOG_LVL_TRACE;
	log_lib_line(level, "lws", line);
}

static void
log_event_cb(int severity, const char *msg)
{
	enum log_level level;

	if (severity >= EVENT_LOG_WARN)
		level = LOG_LVL_WARN;
	else
		level = LOG_LVL_TRACE;
	log_lib_line(level, "libevent", msg);
}

/* Send lws and libevent messages through log.c; call again after a level change. */
void
log_route_libs(void)
{
	int lll = LLL_ERR;

	if (log_get_level() >= LOG_LVL_DEBUG)
		lll |= LLL_WARN | LLL_NOTICE;
	if (log_get_level() >= LOG_LVL_TRACE)
		lll |= LLL_INFO | LLL_CLIENT | LLL_HEADER;
	lws_set_log_level(lll, log_lws_cb);
	event_set_log_callback(log_event_cb);
}
