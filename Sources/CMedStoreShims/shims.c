#define _GNU_SOURCE
#include "CMedStoreShims.h"
#include <sys/socket.h>
#include <sys/prctl.h>
#include <fcntl.h>
#include <errno.h>
#include <openssl/crypto.h>

int medstore_get_peer_cred(int fd, medstore_peer_cred *out) {
    struct ucred cred;
    socklen_t len = sizeof(cred);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return -1;
    out->pid = cred.pid;
    out->uid = cred.uid;
    out->gid = cred.gid;
    return 0;
}

sqlite3_destructor_type medstore_sqlite_transient(void) { return SQLITE_TRANSIENT; }

int medstore_disable_core_dumps(void) { return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0); }

int medstore_set_cloexec(int fd) {
    int flags = fcntl(fd, F_GETFD);
    if (flags < 0) return -1;
    return fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

int medstore_set_nonblocking(int fd, int on) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) return -1;
    return fcntl(fd, F_SETFL, on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK));
}

void medstore_cleanse(void *ptr, size_t len) { OPENSSL_cleanse(ptr, len); }

int medstore_accept_cloexec(int listen_fd) { return accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC); }
