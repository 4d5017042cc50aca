# server: file lists (owned by the server area)
