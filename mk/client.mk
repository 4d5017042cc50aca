# client: file lists (owned by the client area)
