// A port where nothing listens, shared by the integration tests and the
// unit tests in src/ (both `include!` this file, so it has no inner docs).

/// A loopback TCP port where nothing listens, for as long as this value
/// lives: the socket is bound (so no other test can take the port) but never
/// listens, so a connection is refused at once.
pub struct DeadPort {
    fd: std::os::fd::OwnedFd,
    pub port: u16,
}

impl DeadPort {
    pub fn new() -> DeadPort {
        use std::os::fd::FromRawFd;
        // SAFETY: plain socket calls on a fresh descriptor that OwnedFd
        // then owns; the sockaddr structs are fully initialised.
        unsafe {
            let raw = libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
            assert!(raw >= 0, "socket: {}", std::io::Error::last_os_error());
            let fd = std::os::fd::OwnedFd::from_raw_fd(raw);
            let mut addr: libc::sockaddr_in = std::mem::zeroed();
            addr.sin_family = libc::AF_INET as libc::sa_family_t;
            addr.sin_addr.s_addr = u32::from(std::net::Ipv4Addr::LOCALHOST).to_be();
            let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
            let rc = libc::bind(raw, (&raw const addr).cast(), len);
            assert_eq!(rc, 0, "bind: {}", std::io::Error::last_os_error());
            let mut bound: libc::sockaddr_in = std::mem::zeroed();
            let mut blen = len;
            let rc = libc::getsockname(raw, (&raw mut bound).cast(), &mut blen);
            assert_eq!(rc, 0, "getsockname: {}", std::io::Error::last_os_error());
            DeadPort {
                fd,
                port: u16::from_be(bound.sin_port),
            }
        }
    }

    /// `http://127.0.0.1:PORT` + `suffix`.
    pub fn url(&self, suffix: &str) -> String {
        let _ = &self.fd;
        format!("http://127.0.0.1:{}{suffix}", self.port)
    }
}
