/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <sys/ioctl.h>

#include <linux/if_tun.h>
#include <net/if.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "tun.h"
#include "vnet.h"
#include "xmalloc.h"

/* The kernel's dev_valid_name(), plus a printable check for messages. */
static bool
tun_valid_name(const char *name, char **cause)
{
	const char *p;

	if (*name == '\0') {
		xasprintf(cause, "tun: interface name is empty");
		return false;
	}
	if (strlen(name) >= IFNAMSIZ) {
		xasprintf(cause, "tun: '%s': interface name longer than %d "
		    "characters", name, IFNAMSIZ - 1);
		return false;
	}
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		xasprintf(cause, "tun: '%s': invalid interface name", name);
		return false;
	}
	for (p = name; *p != '\0'; p++) {
		if (*p == '/' || *p == ':' || !isgraph((unsigned char)*p)) {
			xasprintf(cause, "tun: '%s': invalid character in "
			    "interface name", name);
			return false;
		}
	}
	return true;
}

/* Create or attach TUN device name with extra flags (IFF_VNET_HDR). */
static int
tun_open_flags(const char *name, char ifname[IFNAMSIZ], int flags,
    char **cause)
{
	struct ifreq ifr;
	int fd, saved_errno;

	if (name == NULL)
		name = "";
	if (!tun_valid_name(name, cause)) {
		errno = EINVAL;
		return -1;
	}
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1) {
		saved_errno = errno;
		xasprintf(cause, "%s: /dev/net/tun: %s", name,
		    strerror(saved_errno));
		errno = saved_errno;
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI | flags;
	memcpy(ifr.ifr_name, name, strlen(name));	/* < IFNAMSIZ */
	if (ioctl(fd, TUNSETIFF, &ifr) == -1) {
		saved_errno = errno;
		xasprintf(cause, "%s: TUNSETIFF: %s", name,
		    strerror(saved_errno));
		close(fd);
		errno = saved_errno;
		return -1;
	}
	memcpy(ifname, ifr.ifr_name, IFNAMSIZ);
	ifname[IFNAMSIZ - 1] = '\0';
	return fd;
}

/* Create or attach TUN device name; see tun.h. */
int
tun_open(const char *name, char ifname[IFNAMSIZ], char **cause)
{
	return tun_open_flags(name, ifname, 0, cause);
}

/* The same with a virtio_net_hdr on every packet and TCP offload; tun.h. */
int
tun_open_offload(const char *name, char ifname[IFNAMSIZ], bool *tso,
    char **cause)
{
	int fd, hdrlen = VNET_HDR_LEN;

	if ((fd = tun_open_flags(name, ifname, IFF_VNET_HDR, cause)) == -1)
		return -1;
	/* 10 is the kernel's default; say so rather than rely on it. */
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdrlen) == -1) {
		xasprintf(cause, "%s: TUNSETVNETHDRSZ: %s", ifname,
		    strerror(errno));
		close(fd);
		return -1;
	}
	/*
	 * Super-packets both ways: the kernel hands over TCP of up to
	 * 64 KiB with partial checksums.  A kernel without TSO6 (or
	 * without any) still works, packet by packet.
	 */
	*tso = true;
	if (ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 |
	    TUN_F_TSO6) == -1 &&
	    ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4) == -1)
		*tso = false;
	return fd;
}
