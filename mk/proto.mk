# proto: file lists (owned by the proto area)
