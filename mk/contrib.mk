# contrib: service files and install checks (owned by the contrib area)
#
# contrib/**/*.in become service files by sed, with the installation
# directories as make sees them (not configure), in two places:
#  - the build tree, made by `all`, for the tests and to read;
#  - the install tree, made again from the .in by `make install`, so that
#    `make install prefix=/opt/rvpn` writes /opt/rvpn paths into them even
#    after a `make` with the configured prefix.
# The systemd units go to $(systemdsystemunitdir), $(prefix)/lib/systemd/system
# unless given on the make command line: systemd reads
# /usr/local/lib/systemd/system, so the default prefix needs no more;
# packagers pass systemdsystemunitdir=/usr/lib/systemd/system.  The init
# scripts and contrib/README go to $(rvpncontribdir), for the administrator
# to copy into place (contrib/README says how).
systemdsystemunitdir = $(prefix)/lib/systemd/system
rvpncontribdir = $(datadir)/rvpn/contrib

RVPN_CONTRIB_UNITS = contrib/systemd/rvpn-server.service \
	contrib/systemd/rvpn-client@.service
RVPN_CONTRIB_INITS = contrib/init.d/rvpn-server contrib/freebsd/rvpn_server
RVPN_CONTRIB_GEN = $(RVPN_CONTRIB_UNITS) $(RVPN_CONTRIB_INITS)
# [@] keeps configure from substituting these itself.
RVPN_CONTRIB_SED = sed -e 's|@sbindir[@]|$(sbindir)|g' \
	-e 's|@bindir[@]|$(bindir)|g' -e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	-e 's|@runstatedir[@]|$(runstatedir)|g'

noinst_DATA = $(RVPN_CONTRIB_GEN)
CLEANFILES += $(RVPN_CONTRIB_GEN)
EXTRA_DIST += contrib/README contrib/systemd/rvpn-server.service.in \
	contrib/systemd/rvpn-client@.service.in \
	contrib/init.d/rvpn-server.in contrib/freebsd/rvpn_server.in

# Made again when configure changes a directory (Makefile) or the .in does.
contrib/systemd/rvpn-server.service: \
	$(srcdir)/contrib/systemd/rvpn-server.service.in Makefile
contrib/systemd/rvpn-client@.service: \
	$(srcdir)/contrib/systemd/rvpn-client@.service.in Makefile
contrib/init.d/rvpn-server: $(srcdir)/contrib/init.d/rvpn-server.in Makefile
contrib/freebsd/rvpn_server: $(srcdir)/contrib/freebsd/rvpn_server.in Makefile
$(RVPN_CONTRIB_GEN):
	$(AM_V_GEN)$(MKDIR_P) $(@D) && rm -f $@ $@.tmp && \
	$(RVPN_CONTRIB_SED) '$(srcdir)/$@.in' >$@.tmp && mv $@.tmp $@

# Automake's own install-data-local and uninstall-local (Makefile.am, the
# sample configs) run these first.
install-data-local: install-rvpn-contrib
uninstall-local: uninstall-rvpn-contrib

install-rvpn-contrib:
	$(MKDIR_P) '$(DESTDIR)$(systemdsystemunitdir)' \
	    '$(DESTDIR)$(rvpncontribdir)/init.d' \
	    '$(DESTDIR)$(rvpncontribdir)/freebsd'
	@for f in $(RVPN_CONTRIB_GEN); do \
	  case $$f in \
	  *.service) d='$(DESTDIR)$(systemdsystemunitdir)/'`basename $$f`; \
	     m=644 ;; \
	  *) d='$(DESTDIR)$(rvpncontribdir)/'`echo $$f | sed 's|^contrib/||'`; \
	     m=755 ;; \
	  esac; \
	  echo " GEN      $$d"; \
	  $(RVPN_CONTRIB_SED) '$(srcdir)/'$$f.in >"$$d.tmp" && \
	  chmod $$m "$$d.tmp" && mv -f "$$d.tmp" "$$d" || exit 1; \
	done
	$(INSTALL_DATA) '$(srcdir)/contrib/README' \
	    '$(DESTDIR)$(rvpncontribdir)/README'

uninstall-rvpn-contrib:
	@for f in $(RVPN_CONTRIB_GEN); do \
	  case $$f in \
	  *.service) d='$(DESTDIR)$(systemdsystemunitdir)/'`basename $$f` ;; \
	  *) d='$(DESTDIR)$(rvpncontribdir)/'`echo $$f | sed 's|^contrib/||'` ;; \
	  esac; \
	  echo " rm -f $$d"; rm -f "$$d"; \
	done
	rm -f '$(DESTDIR)$(rvpncontribdir)/README'
	-rmdir '$(DESTDIR)$(rvpncontribdir)/init.d' \
	    '$(DESTDIR)$(rvpncontribdir)/freebsd' \
	    '$(DESTDIR)$(rvpncontribdir)' '$(DESTDIR)$(datadir)/rvpn' \
	    2>/dev/null

# The installation directories with this command line's overrides, for
# tests/install.sh and tests/contrib.sh (make rvpn-print-dirs prefix=/opt).
rvpn-print-dirs:
	@echo "prefix='$(prefix)'"; echo "sbindir='$(sbindir)'"; \
	echo "bindir='$(bindir)'"; echo "sysconfdir='$(sysconfdir)'"; \
	echo "runstatedir='$(runstatedir)'"; echo "mandir='$(mandir)'"; \
	echo "datadir='$(datadir)'"; echo "docdir='$(docdir)'"; \
	echo "systemdsystemunitdir='$(systemdsystemunitdir)'"; \
	echo "rvpncontribdir='$(rvpncontribdir)'"

.PHONY: install-rvpn-contrib uninstall-rvpn-contrib rvpn-print-dirs

TESTS += tests/contrib.sh tests/install.sh
EXTRA_DIST += tests/contrib.sh tests/install.sh
