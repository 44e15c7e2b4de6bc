//! The connection guard: reads each HTTP/1.1 request head before the framework does and
//! answers what the framework would otherwise answer with an empty, unlogged 400 — a
//! request line too long for it (414) or a head it cannot parse (400) — as problem+json
//! with a request id, logged at WARN (a client's mistake, not the server's error).
//!
//! It buffers a head until it is complete, checks it with `httparse` (the parser the
//! framework uses), then hands it on unchanged and lets the body through — counted by its
//! `Content-Length`, or followed chunk by chunk when chunked — to find the next head. A
//! chunked body it cannot follow ends the guarding of that connection (the framework
//! refuses such a body itself and closes the connection).
//!
//! A refused head is not answered by the guard: it is replaced by a request of its own
//! (see [`refusal_of`]), which the framework answers like any other, in order after the
//! requests pipelined before it, through the application's logging, metrics and request
//! ids; the connection closes after it.

use std::io;
use std::pin::Pin;
use std::sync::LazyLock;
use std::task::{Context, Poll};

use actix_web::HttpRequest;
use domain::error::ErrorCode;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::error::ApiError;

/// The longest request line (method, target, version) accepted.
pub const MAX_REQUEST_LINE: usize = 16 * 1024;
/// The longest request head (line and headers) accepted.
const MAX_HEAD: usize = 64 * 1024;
/// As many headers as the framework accepts.
const MAX_HEADERS: usize = 96;
/// The longest chunk-size line (size and extensions) followed.
const MAX_CHUNK_LINE: usize = 4 * 1024;
/// The most trailer bytes after a chunked body followed.
const MAX_TRAILERS: usize = 64 * 1024;

/// Where the guard's own request for a refusal goes, and the header that proves the guard
/// wrote it: a value random to this process, so no client can ask for a refusal.
const REFUSAL_PATH: &str = "/_guard/refusal";
const REFUSAL_HEADER: &str = "x-guard-refusal";
const REFUSAL_DETAIL_HEADER: &str = "x-guard-detail";
static SECRET: LazyLock<String> = LazyLock::new(|| uuid::Uuid::new_v4().simple().to_string());

#[derive(Debug)]
enum State {
    /// Collecting a head.
    Head,
    /// Passing `n` more body bytes.
    Body(u64),
    /// A chunked body: collecting a chunk-size line of `len` bytes so far.
    ChunkSize { line: Vec<u8> },
    /// A chunked body: passing `n` more bytes of a chunk.
    ChunkData(u64),
    /// A chunked body: the CRLF after a chunk's data, `seen` bytes of it passed.
    ChunkEnd { seen: u8 },
    /// A chunked body: the trailer section after the last chunk; `line` bytes into the
    /// current line, `total` bytes in all.
    Trailers { line: usize, total: usize },
    /// No more checks on this connection.
    Through,
    /// A refusal was handed on: what the client sends after it is dropped.
    Draining,
}

/// An accepted connection, guarded.
pub struct Guarded<S> {
    inner: S,
    state: State,
    /// Head bytes collected but not handed on yet.
    head: Vec<u8>,
    /// Bytes checked and ready for the framework.
    ready: Vec<u8>,
}

impl<S> Guarded<S> {
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            state: State::Head,
            head: Vec::new(),
            ready: Vec::new(),
        }
    }
}

/// What a complete head says about the body behind it.
enum Framing {
    Length(u64),
    Chunked,
    /// A transfer coding the guard does not follow: the framework decides.
    Other,
}

/// A refused head: its code and what was wrong, in plain ASCII.
struct Refusal {
    code: ErrorCode,
    detail: String,
}

impl Refusal {
    fn uri_too_long() -> Self {
        Self {
            code: ErrorCode::RequestUriTooLong,
            detail: format!("the request line is longer than {MAX_REQUEST_LINE} bytes"),
        }
    }

    fn head_invalid(detail: impl Into<String>) -> Self {
        Self {
            code: ErrorCode::RequestHeadInvalid,
            detail: detail.into(),
        }
    }

    /// The request that stands for the refused one: the framework answers it with
    /// [`refusal_of`]'s problem and then closes the connection.
    fn as_request(&self) -> Vec<u8> {
        let detail: String = self
            .detail
            .chars()
            .map(|c| {
                if c.is_ascii_graphic() || c == ' ' {
                    c
                } else {
                    '?'
                }
            })
            .collect();
        format!(
            "GET {REFUSAL_PATH} HTTP/1.1\r\nhost: guard\r\nconnection: close\r\n\
             {REFUSAL_HEADER}: {} {}\r\n{REFUSAL_DETAIL_HEADER}: {detail}\r\n\r\n",
            SECRET.as_str(),
            self.code.as_str(),
        )
        .into_bytes()
    }
}

/// The problem to answer when `req` is the guard's stand-in for a refused head; `None` for
/// every request a client wrote (the header carries a secret of this process). Logged at
/// WARN here: the application logs a client's mistake only at DEBUG.
pub fn refusal_of(req: &HttpRequest) -> Option<ApiError> {
    if req.path() != REFUSAL_PATH {
        return None;
    }
    let value = req.headers().get(REFUSAL_HEADER)?.to_str().ok()?;
    let (secret, code) = value.split_once(' ')?;
    if secret != SECRET.as_str() {
        return None;
    }
    let code = [ErrorCode::RequestUriTooLong, ErrorCode::RequestHeadInvalid]
        .into_iter()
        .find(|c| c.as_str() == code)?;
    let detail = req
        .headers()
        .get(REFUSAL_DETAIL_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("the request head was refused")
        .to_owned();
    tracing::warn!(
        code = code.as_str(),
        "request refused before routing: {detail}"
    );
    Some(ApiError::new(code).with_detail(detail))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Checks a complete head; its framing, or the refusal.
fn check(head: &[u8]) -> Result<Framing, Refusal> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => {
            return Err(Refusal::head_invalid("the request head is incomplete"))
        }
        Err(httparse::Error::TooManyHeaders) => {
            return Err(Refusal::head_invalid(format!(
                "more than {MAX_HEADERS} headers"
            )))
        }
        Err(e) => {
            return Err(Refusal::head_invalid(format!(
                "the request head is malformed ({e})"
            )))
        }
    }
    if req
        .path
        .is_some_and(|p| p.parse::<actix_web::http::Uri>().is_err())
    {
        return Err(Refusal::head_invalid(
            "the request target is not a valid URI",
        ));
    }
    let mut length = None;
    let mut coding = None;
    for h in req.headers.iter() {
        if h.name.eq_ignore_ascii_case("transfer-encoding") {
            // Several Transfer-Encoding headers, or one that does not end in chunked: the
            // framework decides.
            let chunked = coding.is_none()
                && std::str::from_utf8(h.value).is_ok_and(|v| {
                    v.rsplit(',')
                        .next()
                        .is_some_and(|last| last.trim().eq_ignore_ascii_case("chunked"))
                });
            coding = Some(if chunked {
                Framing::Chunked
            } else {
                Framing::Other
            });
        }
        if h.name.eq_ignore_ascii_case("content-length") {
            let n = std::str::from_utf8(h.value)
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
                .ok_or_else(|| Refusal::head_invalid("Content-Length is not a number"))?;
            if length.is_some_and(|l| l != n) {
                return Err(Refusal::head_invalid("conflicting Content-Length headers"));
            }
            length = Some(n);
        }
    }
    Ok(coding.unwrap_or(Framing::Length(length.unwrap_or(0))))
}

/// The size of a chunk from its size line (without the CRLF), extensions ignored.
fn chunk_size(line: &[u8]) -> Option<u64> {
    let line = std::str::from_utf8(line).ok()?;
    let size = line
        .split(';')
        .next()?
        .trim_matches(|c| c == ' ' || c == '\t');
    if size.is_empty() || size.len() > 16 {
        return None;
    }
    u64::from_str_radix(size, 16).ok()
}

impl<S: AsyncRead + AsyncWrite + Unpin> Guarded<S> {
    /// Runs newly read bytes through the checks, moving what passed to `ready`.
    fn feed(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            match &mut self.state {
                State::Through => {
                    self.ready.extend_from_slice(data);
                    return;
                }
                State::Draining => return,
                State::Body(n) | State::ChunkData(n) => {
                    let n = *n;
                    let take = usize::try_from(n).unwrap_or(usize::MAX).min(data.len());
                    self.ready.extend_from_slice(&data[..take]);
                    data = &data[take..];
                    let left = n - take as u64;
                    self.state = match (&self.state, left) {
                        (State::Body(_), 0) => State::Head,
                        (State::Body(_), _) => State::Body(left),
                        (_, 0) => State::ChunkEnd { seen: 0 },
                        (_, _) => State::ChunkData(left),
                    };
                }
                State::ChunkEnd { seen } => {
                    let expected = b"\r\n"[usize::from(*seen)];
                    if data[0] != expected {
                        self.state = State::Through;
                        continue;
                    }
                    self.ready.push(data[0]);
                    data = &data[1..];
                    self.state = if *seen == 1 {
                        State::ChunkSize { line: Vec::new() }
                    } else {
                        State::ChunkEnd { seen: 1 }
                    };
                }
                State::ChunkSize { line } => {
                    let byte = data[0];
                    self.ready.push(byte);
                    data = &data[1..];
                    if byte != b'\n' {
                        line.push(byte);
                        if line.len() > MAX_CHUNK_LINE {
                            self.state = State::Through;
                        }
                        continue;
                    }
                    let size = line.strip_suffix(b"\r").and_then(chunk_size);
                    self.state = match size {
                        None => State::Through,
                        Some(0) => State::Trailers { line: 0, total: 0 },
                        Some(n) => State::ChunkData(n),
                    };
                }
                State::Trailers { line, total } => {
                    let byte = data[0];
                    self.ready.push(byte);
                    data = &data[1..];
                    *total += 1;
                    if byte == b'\n' {
                        if *line <= 1 {
                            // An empty line (a lone CR before it at most): the body ends.
                            self.state = State::Head;
                        } else {
                            *line = 0;
                        }
                    } else {
                        *line += 1;
                        if *total > MAX_TRAILERS {
                            self.state = State::Through;
                        }
                    }
                }
                State::Head => {
                    let before = self.head.len();
                    self.head.extend_from_slice(data);
                    // Search from a little before the new bytes: the end may straddle reads.
                    let from = before.saturating_sub(3);
                    let end = find(&self.head[from..], b"\r\n\r\n").map(|i| from + i + 4);
                    let line_end = find(&self.head, b"\r\n");
                    if line_end.map_or(self.head.len(), |e| e) > MAX_REQUEST_LINE {
                        return self.refuse(Refusal::uri_too_long());
                    }
                    let Some(end) = end else {
                        if self.head.len() > MAX_HEAD {
                            return self
                                .refuse(Refusal::head_invalid("the request head is too large"));
                        }
                        return;
                    };
                    let rest = self.head.split_off(end);
                    let head = std::mem::take(&mut self.head);
                    match check(&head) {
                        Ok(framing) => {
                            self.ready.extend_from_slice(&head);
                            self.state = match framing {
                                Framing::Chunked => State::ChunkSize { line: Vec::new() },
                                Framing::Other => State::Through,
                                Framing::Length(0) => State::Head,
                                Framing::Length(n) => State::Body(n),
                            };
                            // The bytes after the head: body, or the next head.
                            self.feed(&rest);
                            return;
                        }
                        Err(refusal) => return self.refuse(refusal),
                    }
                }
            }
        }
    }

    /// Hands on, after what passed before the bad head, the guard's stand-in for it; the
    /// rest of the connection is dropped.
    fn refuse(&mut self, refusal: Refusal) {
        self.head.clear();
        self.ready.extend_from_slice(&refusal.as_request());
        self.state = State::Draining;
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for Guarded<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        loop {
            if !this.ready.is_empty() {
                let n = this.ready.len().min(buf.remaining());
                buf.put_slice(&this.ready[..n]);
                this.ready.drain(..n);
                return Poll::Ready(Ok(()));
            }
            let mut chunk = [0u8; 8192];
            let mut read = ReadBuf::new(&mut chunk);
            match Pin::new(&mut this.inner).poll_read(cx, &mut read) {
                Poll::Ready(Ok(())) => {
                    let filled = read.filled();
                    if filled.is_empty() {
                        // The peer closed: hand on whatever half head there was.
                        let rest = std::mem::take(&mut this.head);
                        this.ready.extend_from_slice(&rest);
                        if this.ready.is_empty() {
                            return Poll::Ready(Ok(()));
                        }
                        continue;
                    }
                    let filled = filled.to_vec();
                    this.feed(&filled);
                }
                other => return other,
            }
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for Guarded<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, data)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guarded() -> Guarded<tokio::io::DuplexStream> {
        Guarded::new(tokio::io::duplex(64).0)
    }

    const CHUNKED_THEN_GET: &[u8] =
        b"POST /a HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n\
        4;ext=1\r\nabcd\r\n10\r\n0123456789abcdef\r\n0\r\nx-trailer: t\r\n\r\n\
        GET /b HTTP/1.1\r\nhost: x\r\n\r\n";

    #[test]
    fn a_chunked_body_is_followed_to_the_next_head_however_it_is_split() {
        for piece in [1, 2, 3, 7, CHUNKED_THEN_GET.len()] {
            let mut g = guarded();
            for part in CHUNKED_THEN_GET.chunks(piece) {
                g.feed(part);
            }
            assert_eq!(g.ready, CHUNKED_THEN_GET, "pieces of {piece}");
            assert!(
                matches!(g.state, State::Head),
                "pieces of {piece}: {:?}",
                g.state
            );
        }
    }

    #[test]
    fn a_bad_head_after_a_chunked_body_is_replaced_by_the_guards_request() {
        let mut g = guarded();
        g.feed(b"POST /a HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
        let passed = g.ready.clone();
        g.feed(b"GET /b HTTP/1.1\r\nno colon\r\n\r\n");
        assert!(matches!(g.state, State::Draining));
        let refusal = String::from_utf8_lossy(&g.ready[passed.len()..]).into_owned();
        assert!(
            refusal.starts_with(&format!("GET {REFUSAL_PATH} HTTP/1.1\r\n")),
            "{refusal}"
        );
        assert!(refusal.contains("request_head_invalid"), "{refusal}");
        assert!(refusal.contains("connection: close\r\n"), "{refusal}");
        // Whatever follows is dropped.
        g.feed(b"GET /c HTTP/1.1\r\n\r\n");
        assert!(!String::from_utf8_lossy(&g.ready).contains("/c"));
    }

    #[test]
    fn a_chunked_body_the_guard_cannot_follow_is_left_to_the_framework() {
        for body in [
            &b"zz\r\nabc\r\n0\r\n\r\n"[..],
            &b"3\r\nabcXY0\r\n\r\n"[..],
            &b"12345678901234567\r\n"[..],
        ] {
            let mut g = guarded();
            let mut input = b"POST /a HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
            input.extend_from_slice(body);
            input.extend_from_slice(b"GET /b HTTP/1.1\r\nno colon\r\n\r\n");
            g.feed(&input);
            assert!(matches!(g.state, State::Through), "{body:?}: {:?}", g.state);
            assert_eq!(g.ready, input, "{body:?}");
        }
    }

    #[test]
    fn a_transfer_coding_other_than_chunked_last_is_left_to_the_framework() {
        for coding in ["gzip", "chunked, gzip"] {
            let mut g = guarded();
            g.feed(format!("POST /a HTTP/1.1\r\ntransfer-encoding: {coding}\r\n\r\n").as_bytes());
            assert!(matches!(g.state, State::Through), "{coding}");
        }
        let mut g = guarded();
        g.feed(b"POST /a HTTP/1.1\r\ntransfer-encoding: gzip, chunked\r\n\r\n");
        assert!(matches!(g.state, State::ChunkSize { .. }));
    }

    #[test]
    fn chunk_sizes_are_hex_with_extensions_ignored() {
        assert_eq!(chunk_size(b"1a"), Some(26));
        assert_eq!(chunk_size(b"1A;name=value"), Some(26));
        assert_eq!(chunk_size(b"0"), Some(0));
        assert_eq!(chunk_size(b""), None);
        assert_eq!(chunk_size(b"-1"), None);
        assert_eq!(chunk_size(b"g"), None);
        assert_eq!(chunk_size(b"11111111111111111"), None);
    }
}
