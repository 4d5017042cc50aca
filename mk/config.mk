# config: file lists (owned by the config area)
