/* SPDX-License-Identifier: ISC */
#ifndef RVPN_XMALLOC_H
#define RVPN_XMALLOC_H

#include <stddef.h>

/* Allocators that die on failure: setup paths only, never per packet. */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
int	 xasprintf(char **, const char *, ...) __attribute__((format(printf, 2, 3)));
/* Wipe then free (secrets); NULL is a no-op. */
void	 freezero(void *, size_t);

#endif
