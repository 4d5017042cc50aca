# net: file lists (owned by the net area)
