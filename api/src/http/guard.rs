//! The connection guard: reads each HTTP/1.1 request head before the framework does and
//! answers what the framework would otherwise answer with an empty, unlogged 400 — a
//! request line too long for it (414) or a head it cannot parse (400) — as problem+json
//! with a request id, logged at WARN (a client's mistake, not the server's error).
//!
//! It buffers a head until it is complete, checks it with `httparse` (the parser the
//! framework uses), then hands it on unchanged and lets the body through, counted by its
//! `Content-Length`, to find the next head. A chunked body ends the guarding of that
//! connection: the framework's own checks still apply to what follows.

use domain::error::ErrorCode;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The longest request line (method, target, version) accepted.
pub const MAX_REQUEST_LINE: usize = 16 * 1024;
/// The longest request head (line and headers) accepted.
const MAX_HEAD: usize = 64 * 1024;
/// As many headers as the framework accepts.
const MAX_HEADERS: usize = 96;

#[derive(Debug)]
enum State {
    /// Collecting a head.
    Head,
    /// Passing `n` more body bytes.
    Body(u64),
    /// No more checks on this connection.
    Through,
    /// Sending our refusal, then the connection ends.
    Refusing {
        response: Vec<u8>,
        written: usize,
    },
    Closed,
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
}

fn refusal(reason: &str, code: ErrorCode, detail: &str) -> Vec<u8> {
    let (status, title) = (code.status(), code.title());
    let request_id = uuid::Uuid::now_v7().to_string();
    tracing::warn!(request_id = %request_id, status, code = code.as_str(), "request refused before routing: {detail}");
    let body = serde_json::json!({
        "type": format!("urn:problem:{code}"),
        "title": title,
        "status": status,
        "code": code,
        "detail": detail,
        "requestId": request_id,
    })
    .to_string();
    format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: application/problem+json\r\n\
         x-request-id: {request_id}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn uri_too_long() -> Vec<u8> {
    refusal(
        "URI Too Long",
        ErrorCode::RequestUriTooLong,
        &format!("the request line is longer than {MAX_REQUEST_LINE} bytes"),
    )
}

fn head_invalid(detail: &str) -> Vec<u8> {
    refusal("Bad Request", ErrorCode::RequestHeadInvalid, detail)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Checks a complete head; its framing, or the refusal to send.
fn check(head: &[u8]) -> Result<Framing, Vec<u8>> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => {
            return Err(head_invalid("the request head is incomplete"))
        }
        Err(httparse::Error::TooManyHeaders) => {
            return Err(head_invalid(&format!("more than {MAX_HEADERS} headers")))
        }
        Err(e) => {
            return Err(head_invalid(&format!(
                "the request head is malformed ({e})"
            )))
        }
    }
    if req
        .path
        .is_some_and(|p| p.parse::<actix_web::http::Uri>().is_err())
    {
        return Err(head_invalid("the request target is not a valid URI"));
    }
    let mut length = None;
    for h in req.headers.iter() {
        if h.name.eq_ignore_ascii_case("transfer-encoding") {
            return Ok(Framing::Chunked);
        }
        if h.name.eq_ignore_ascii_case("content-length") {
            let n = std::str::from_utf8(h.value)
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
                .ok_or_else(|| head_invalid("Content-Length is not a number"))?;
            if length.is_some_and(|l| l != n) {
                return Err(head_invalid("conflicting Content-Length headers"));
            }
            length = Some(n);
        }
    }
    Ok(Framing::Length(length.unwrap_or(0)))
}

impl<S: AsyncRead + AsyncWrite + Unpin> Guarded<S> {
    /// Runs newly read bytes through the checks, moving what passed to `ready`.
    fn feed(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            match self.state {
                State::Through => {
                    self.ready.extend_from_slice(data);
                    return;
                }
                State::Body(n) => {
                    let take = usize::try_from(n).unwrap_or(usize::MAX).min(data.len());
                    self.ready.extend_from_slice(&data[..take]);
                    data = &data[take..];
                    let left = n - take as u64;
                    self.state = if left == 0 {
                        State::Head
                    } else {
                        State::Body(left)
                    };
                }
                State::Head => {
                    let before = self.head.len();
                    self.head.extend_from_slice(data);
                    // Search from a little before the new bytes: the end may straddle reads.
                    let from = before.saturating_sub(3);
                    let end = find(&self.head[from..], b"\r\n\r\n").map(|i| from + i + 4);
                    let line_end = find(&self.head, b"\r\n");
                    if line_end.map_or(self.head.len(), |e| e) > MAX_REQUEST_LINE {
                        return self.refuse(uri_too_long());
                    }
                    let Some(end) = end else {
                        if self.head.len() > MAX_HEAD {
                            return self.refuse(head_invalid("the request head is too large"));
                        }
                        return;
                    };
                    let rest = self.head.split_off(end);
                    let head = std::mem::take(&mut self.head);
                    match check(&head) {
                        Ok(framing) => {
                            self.ready.extend_from_slice(&head);
                            self.state = match framing {
                                Framing::Chunked => State::Through,
                                Framing::Length(0) => State::Head,
                                Framing::Length(n) => State::Body(n),
                            };
                            // The bytes after the head: body, or the next head.
                            self.feed(&rest);
                            return;
                        }
                        Err(response) => return self.refuse(response),
                    }
                }
                State::Refusing { .. } | State::Closed => return,
            }
        }
    }

    fn refuse(&mut self, response: Vec<u8>) {
        // What passed before the bad head (in `ready`) still goes to the framework first.
        self.head.clear();
        self.state = State::Refusing {
            response,
            written: 0,
        };
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
            match &mut this.state {
                State::Closed => return Poll::Ready(Ok(())),
                State::Refusing { response, written } => {
                    while *written < response.len() {
                        match Pin::new(&mut this.inner).poll_write(cx, &response[*written..]) {
                            Poll::Ready(Ok(0)) => break,
                            Poll::Ready(Ok(n)) => *written += n,
                            Poll::Ready(Err(_)) => break,
                            Poll::Pending => return Poll::Pending,
                        }
                    }
                    let _ = Pin::new(&mut this.inner).poll_flush(cx);
                    this.state = State::Closed;
                    // End of input: the framework closes the connection.
                    return Poll::Ready(Ok(()));
                }
                _ => {}
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
