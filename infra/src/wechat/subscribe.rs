//! `cgi-bin/message/subscribe/send`: one subscribe message to one user, and the
//! [`PushSender`] the push worker uses, which says whether a failure may be retried.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{WeChatClient, WeChatError};
use domain::push::{PushMessage, PushSender, SendOutcome};

#[derive(Debug, Deserialize)]
struct SendBody {
    #[serde(default)]
    errcode: Option<i64>,
    #[serde(default)]
    errmsg: Option<String>,
}

/// Error codes that retrying cannot fix: invalid openid, template, page or data.
const PERMANENT: [i64; 6] = [40003, 40037, 41028, 41030, 47003, 43107];

impl WeChatClient {
    /// Sends `message` to `openid`. `Ok` once WeChat answered `errcode` 0.
    pub async fn send_subscribe(
        &self,
        openid: &str,
        message: &PushMessage,
        miniprogram_state: &str,
    ) -> Result<(), WeChatError> {
        let body = send_body(openid, message, miniprogram_state);
        self.with_token(|token| self.send_with(token, &body)).await
    }

    async fn send_with(&self, token: String, body: &Value) -> Result<(), WeChatError> {
        let mut url = self.endpoint("cgi-bin/message/subscribe/send")?;
        url.query_pairs_mut().append_pair("access_token", &token);
        let answer: SendBody = self.post_json(url, body).await?;
        match answer.errcode {
            Some(0) => Ok(()),
            Some(code) => Err(WeChatError::from_code(
                code,
                answer.errmsg.unwrap_or_default(),
            )),
            None => Err(WeChatError::BadResponse("no errcode in the answer".into())),
        }
    }
}

/// The request body of one subscribe message.
fn send_body(openid: &str, message: &PushMessage, miniprogram_state: &str) -> Value {
    let mut data = Map::new();
    for (key, value) in &message.fields {
        data.insert(key.clone(), json!({ "value": value }));
    }
    json!({
        "touser": openid,
        "template_id": message.template_id,
        "page": message.page,
        "miniprogram_state": miniprogram_state,
        "lang": "zh_CN",
        "data": Value::Object(data),
    })
}

/// The push worker's sender over WeChat.
#[derive(Debug, Clone)]
pub struct WeChatPushSender {
    client: Arc<WeChatClient>,
    /// `formal`, `trial` or `developer`: which version of the mini-program opens.
    miniprogram_state: String,
}

impl WeChatPushSender {
    pub fn new(client: Arc<WeChatClient>, miniprogram_state: impl Into<String>) -> Self {
        Self {
            client,
            miniprogram_state: miniprogram_state.into(),
        }
    }
}

/// What the worker does after `error`; `reached` says whether the send request may have
/// left (before that, nothing can have arrived).
fn classify(error: WeChatError, reached: bool) -> SendOutcome {
    let text = error.to_string();
    match error {
        WeChatError::Rejected { errcode: 43101, .. } => SendOutcome::Refused,
        WeChatError::Rejected { errcode, .. } if PERMANENT.contains(&errcode) => {
            SendOutcome::Failed(text)
        }
        WeChatError::InvalidCode | WeChatError::CodeUsed => SendOutcome::Failed(text),
        // An answer with an error code, or no connection: definitely not delivered.
        WeChatError::Rejected { .. }
        | WeChatError::Busy
        | WeChatError::RateLimited
        | WeChatError::AccessTokenRejected(_)
        | WeChatError::NotConnected
        | WeChatError::Cache(_) => SendOutcome::Retry(text),
        // A gateway error after the request left may come after WeChat delivered it.
        WeChatError::HttpStatus(status) if reached && status >= 500 => SendOutcome::Unknown(text),
        WeChatError::HttpStatus(_) => SendOutcome::Retry(text),
        // Sent, but no readable answer: it may have arrived.
        WeChatError::Unreachable(_) | WeChatError::BadResponse(_) if reached => {
            SendOutcome::Unknown(text)
        }
        WeChatError::Unreachable(_) | WeChatError::BadResponse(_) => SendOutcome::Retry(text),
    }
}

#[async_trait]
impl PushSender for WeChatPushSender {
    async fn send(&self, openid: &str, message: &PushMessage) -> SendOutcome {
        let reached = AtomicBool::new(false);
        let result = self
            .client
            .with_token(|token| {
                reached.store(true, Ordering::SeqCst);
                let body = send_body(openid, message, &self.miniprogram_state);
                async move { self.client.send_with(token, &body).await }
            })
            .await;
        match result {
            Ok(()) => SendOutcome::Delivered,
            Err(e) => classify(e, reached.load(Ordering::SeqCst)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wechat::tests::{client, handing_out_token};
    use chrono::Utc;
    use domain::push::{PushKind, PushMessageId};
    use std::time::Duration;
    use wiremock::matchers::{body_partial_json, method, path, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    fn message() -> PushMessage {
        PushMessage {
            id: PushMessageId::new(),
            key: "material:x:r1".into(),
            subject: "material:x".into(),
            kind: PushKind::Material,
            template_id: "tmpl-1".into(),
            page: "pages/materials/detail?id=x".into(),
            fields: vec![("thing1".into(), "学习党章".into())],
            expires_at: None,
            created_at: Utc::now(),
        }
    }

    async fn server_answering(send: ResponseTemplate) -> MockServer {
        let server = handing_out_token("tok").await;
        Mock::given(method("POST"))
            .and(path("/cgi-bin/message/subscribe/send"))
            .and(query_param("access_token", "tok"))
            .and(body_partial_json(serde_json::json!({
                "touser": "o-1",
                "template_id": "tmpl-1",
                "miniprogram_state": "trial",
                "data": {"thing1": {"value": "学习党章"}},
            })))
            .respond_with(send)
            .mount(&server)
            .await;
        server
    }

    async fn outcome(send: ResponseTemplate) -> SendOutcome {
        let server = server_answering(send).await;
        let sender = WeChatPushSender::new(Arc::new(client(&server, 300).await), "trial");
        sender.send("o-1", &message()).await
    }

    fn errcode(code: i64) -> ResponseTemplate {
        ResponseTemplate::new(200).set_body_string(format!(r#"{{"errcode":{code},"errmsg":"m"}}"#))
    }

    #[tokio::test]
    async fn each_answer_decides_whether_the_worker_retries() {
        assert_eq!(outcome(errcode(0)).await, SendOutcome::Delivered);
        assert_eq!(outcome(errcode(43101)).await, SendOutcome::Refused);
        assert!(matches!(outcome(errcode(-1)).await, SendOutcome::Retry(_)));
        assert!(matches!(
            outcome(errcode(45009)).await,
            SendOutcome::Retry(_)
        ));
        assert!(matches!(
            outcome(errcode(40037)).await,
            SendOutcome::Failed(_)
        ));
        assert!(matches!(
            outcome(ResponseTemplate::new(429)).await,
            SendOutcome::Retry(_)
        ));
        // Sent, but no answer in time or no readable one: it may have arrived.
        assert!(matches!(
            outcome(errcode(0).set_delay(Duration::from_millis(1000))).await,
            SendOutcome::Unknown(_)
        ));
        assert!(matches!(
            outcome(ResponseTemplate::new(200).set_body_string("<html>")).await,
            SendOutcome::Unknown(_)
        ));
        assert!(matches!(
            outcome(ResponseTemplate::new(502)).await,
            SendOutcome::Unknown(_)
        ));
    }

    #[tokio::test]
    async fn a_send_that_never_left_is_retried() {
        // No stable_token mock: the token call fails before any send.
        let server = MockServer::start().await;
        let sender = WeChatPushSender::new(Arc::new(client(&server, 300).await), "formal");
        assert!(matches!(
            sender.send("o-1", &message()).await,
            SendOutcome::Retry(_)
        ));
        // Nothing listening at all: not connected, retried.
        let gone = MockServer::start().await;
        let c = client(&gone, 300).await;
        drop(gone);
        let sender = WeChatPushSender::new(Arc::new(c), "formal");
        assert!(matches!(
            sender.send("o-1", &message()).await,
            SendOutcome::Retry(_)
        ));
    }
}
