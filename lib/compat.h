/* SPDX-License-Identifier: ISC */
#ifndef RVPN_COMPAT_H
#define RVPN_COMPAT_H

#include <stddef.h>
#include <string.h>

#ifndef HAVE_EXPLICIT_BZERO
void	explicit_bzero(void *, size_t);
#endif

#ifndef nitems
#define nitems(a) (sizeof(a) / sizeof((a)[0]))
#endif

#endif
