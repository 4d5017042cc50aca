# SPDX-License-Identifier: ISC
# Checks shared by the fault tests (tests/lab/fault-*.sh), sourced after
# lab.sh and lab_init.
#   fault_trap       replaces lab_init's EXIT trap: lab_down runs, then
#                    the test fails if one of its namespaces or one of the
#                    processes it started is still there.
#   fault_all_gone   every rvpn program stopped: fails if a process is
#                    left in the server's or a client's namespace (a
#                    helper an rvpn program forked and left behind), or a
#                    TUN device (rvt0, rvpn*) is left in them.

fault_trap() {
	trap fault_down EXIT
}

fault_down() {
	local rc=$? ns pid
	( (exit "$rc"); lab_down )
	rc=$?
	[ "$rc" = 77 ] && exit 77
	for ns in $LAB_NSES; do
		[ -e "/run/netns/$ns" ] || continue
		echo "FAIL: namespace $ns left after teardown" >&2
		rc=1
	done
	for pid in $LAB_PIDS; do
		kill -0 "$pid" 2>/dev/null || continue
		echo "FAIL: process $pid left after teardown:" \
		    "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" >&2
		rc=1
	done
	exit "$rc"
}

fault_all_gone() {
	local ns pid left=
	for ns in "$NS_SRV" "$NS_C1" "$NS_C2"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			left="$left $ns:$pid($(cat "/proc/$pid/comm" 2>/dev/null))"
		done
		ip -n "$ns" -o link show 2>/dev/null |
			grep -qE ": ($LAB_TUN|rvpn[0-9]+)[:@]" &&
			fail "a TUN device is left in $ns: $(ip -n "$ns" -o link show | grep -E "$LAB_TUN|rvpn")"
	done
	[ -z "$left" ] || fail "processes left:$left"
	ok "nothing left: no process or TUN device in the server's and clients' namespaces"
}
