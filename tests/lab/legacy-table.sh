#!/bin/sh
# rvpn before the per-instance tables (commit 79aa6ea) put its NAT and
# forward rules in one table, "inet rvpn", with no undo record: a crash
# left it for good.  Made here as that code made it (lib/nft.c
# nft_ruleset at 79aa6ea^) for the lab's TUN, with the server stopped:
# the next start deletes it, with one warning, and installs its own
# rvpn_<tun>.  Negative: tables of other names or families (ip rvpn,
# inet rvpn_rvt9, inet rvpnx), and an inet rvpn with a rule the old code
# never wrote, are left as they are.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lab.sh"
lab_init
command -v nft >/dev/null 2>&1 || fail "no nft (contrib/install-deps.sh installs it)"
lab_up
SLOG=$LAB_DIR/server.log
has_table() { nsx "$NS_SRV" nft list tables | grep -qx "table $1 $2"; }

# old_table FAMILY NAME [EXTRA-RULE]: the old shape, for $LAB_TUN.
old_table() {
	nsx "$NS_SRV" nft -f - <<EOT || fail "nft: old table $1 $2"
table $1 $2 {
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr 10.200.0.0/24 oifname "$LAB_IF_SN" masquerade
	}
	chain forward {
		type filter hook forward priority filter; policy accept;
		iifname "$LAB_TUN" tcp flags syn tcp option maxseg size > 1360 tcp option maxseg size set 1360
		oifname "$LAB_TUN" tcp flags syn tcp option maxseg size > 1360 tcp option maxseg size set 1360
		${3:-}
		iifname "$LAB_TUN" accept
		oifname "$LAB_TUN" ct state established,related accept
	}
}
EOT
}

lab_server_config "$LAB_DIR/server.toml"
old_table inet rvpn
old_table ip rvpn
old_table inet rvpn_rvt9
old_table inet rvpnx
has_table inet rvpn || fail "the old table was not made"
lab_server_start "$LAB_DIR/server.toml"
has_table inet rvpn && fail "the old table inet rvpn is still there: $(nsx "$NS_SRV" nft list tables)"
n=$(tail -n +"$LAB_SERVER_FROM" "$SLOG" | grep -c "WARN rvpn_server: nft: deleted table inet rvpn, left by an older rvpn for $LAB_TUN (its NAT and forward rules)")
[ "$n" = 1 ] || fail "$n warning lines: $(tail -n +"$LAB_SERVER_FROM" "$SLOG")"
has_table inet "rvpn_$LAB_TUN" || fail "no table rvpn_$LAB_TUN"
ok "start: the old table inet rvpn deleted (one warning), rvpn_$LAB_TUN installed"
has_table ip rvpn && has_table inet rvpn_rvt9 && has_table inet rvpnx ||
	fail "another table was touched: $(nsx "$NS_SRV" nft list tables)"
ok "ip rvpn, inet rvpn_rvt9 and inet rvpnx untouched"
lab_server_stop || fail "server did not stop cleanly"

# An inet rvpn with a rule the old code never wrote is not ours.
old_table inet rvpn "tcp dport 22 accept"
lab_server_start "$LAB_DIR/server.toml"
has_table inet rvpn || fail "inet rvpn with a foreign rule was deleted"
tail -n +"$LAB_SERVER_FROM" "$SLOG" | grep -q "WARN rvpn_server: nft: table inet rvpn is not the one an older rvpn made (other chains or rules): left alone" ||
	fail "no 'left alone' warning: $(tail -n +"$LAB_SERVER_FROM" "$SLOG")"
nsx "$NS_SRV" nft list table inet rvpn | grep -q "tcp dport 22 accept" ||
	fail "the foreign rule is gone"
ok "inet rvpn with a rule of someone else's: left alone, with a warning"
lab_server_stop || fail "server did not stop cleanly"
for t in "inet rvpn" "ip rvpn" "inet rvpn_rvt9" "inet rvpnx"; do
	nsx "$NS_SRV" nft delete table $t || fail "delete $t"
done
exit 0
