#ifndef CMEDSTORE_SHIMS_H
#define CMEDSTORE_SHIMS_H
#include <stdint.h>
#include <sys/types.h>
#include <sqlite3.h>

/// Peer credentials of a connected Unix socket (SO_PEERCRED needs _GNU_SOURCE for struct ucred).
typedef struct medstore_peer_cred { int32_t pid; uint32_t uid; uint32_t gid; } medstore_peer_cred;

/// Reads SO_PEERCRED from a connected AF_UNIX socket. Returns 0 or -1 with errno set.
int medstore_get_peer_cred(int fd, medstore_peer_cred *out);

/// SQLITE_TRANSIENT is a cast macro Swift cannot import.
sqlite3_destructor_type medstore_sqlite_transient(void);

/// prctl(PR_SET_DUMPABLE, 0) is variadic: keeps key material out of core dumps.
int medstore_disable_core_dumps(void);

/// fcntl(F_SETFD, FD_CLOEXEC) / fcntl(F_SETFL, O_NONBLOCK) are variadic.
int medstore_set_cloexec(int fd);
int medstore_set_nonblocking(int fd, int on);

/// accept4 needs _GNU_SOURCE: accepts with SOCK_CLOEXEC set atomically.
int medstore_accept_cloexec(int listen_fd);

/// OPENSSL_cleanse wrapper kept here so Swift sees one stable signature.
void medstore_cleanse(void *ptr, size_t len);

#endif
