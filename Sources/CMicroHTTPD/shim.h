#ifndef CASEWORK_CMICROHTTPD_SHIM_H
#define CASEWORK_CMICROHTTPD_SHIM_H
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <microhttpd.h>

/* MHD_start_daemon and MHD_get_daemon_info are variadic, which Swift cannot call; these two inline functions are
   the only C the server needs, each passing its arguments through unchanged. */

/* Starts a daemon listening on `address` with the server's limits; TLS when both PEM texts are given. */
static inline struct MHD_Daemon *casework_mhd_start(
    unsigned int flags, const struct sockaddr *address, unsigned int threads, unsigned int connection_limit,
    unsigned int timeout_seconds, size_t memory_limit, const char *tls_key, const char *tls_cert,
    MHD_AccessHandlerCallback handler, void *handler_cls, MHD_RequestCompletedCallback completed, void *completed_cls)
{
    struct MHD_OptionItem tls[] = {
        { MHD_OPTION_HTTPS_MEM_KEY, 0, (void *) tls_key },
        { MHD_OPTION_HTTPS_MEM_CERT, 0, (void *) tls_cert },
        { MHD_OPTION_END, 0, NULL },
    };
    struct MHD_OptionItem none[] = { { MHD_OPTION_END, 0, NULL } };
    return MHD_start_daemon(flags, 0, NULL, NULL, handler, handler_cls,
                            MHD_OPTION_SOCK_ADDR, address,
                            MHD_OPTION_THREAD_POOL_SIZE, threads,
                            MHD_OPTION_CONNECTION_LIMIT, connection_limit,
                            MHD_OPTION_CONNECTION_TIMEOUT, timeout_seconds,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, memory_limit,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, completed_cls,
                            MHD_OPTION_ARRAY, (tls_key != NULL && tls_cert != NULL) ? tls : none,
                            MHD_OPTION_END);
}

/* The port the daemon listens on (the one the system chose when asked for port 0), or 0. */
static inline uint16_t casework_mhd_port(struct MHD_Daemon *daemon)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info != NULL ? info->port : 0;
}
#endif
