# contrib: service files and install checks (owned by the contrib area)
