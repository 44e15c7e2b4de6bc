//! `wxa/msg_sec_check` (version 2): WeChat's check of a resident's text, as the domain's
//! [`ContentCheck`] port; and the stand-in used when no mini-program is configured.
//!
//! Policy: the check never fails a resident's request. `result.suggest` decides (`pass`,
//! `review`, `risky`), errcode 87014 is `risky`; everything else (WeChat unreachable or
//! slow, an HTTP error, an answer that is not WeChat's JSON, any other errcode such as
//! 61010 for a user not seen within two hours, the access token unobtainable) is
//! [`ContentVerdict::Review`]: the text is held for an operator, never shown unchecked and
//! never refused for WeChat's fault. Texts longer than WeChat takes are checked in pieces;
//! the worst verdict wins.

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::json;

use super::{WeChatClient, WeChatError};
use domain::error::DomainError;
use domain::volunteer::{ContentCheck, ContentScene, ContentVerdict};

/// The most characters WeChat checks in one call.
pub const MAX_CHARS_PER_CHECK: usize = 2500;

/// errcode: the content is illegal (older API versions' way of saying `risky`).
const ERRCODE_RISKY: i64 = 87014;

#[derive(Debug, Deserialize)]
struct SecCheckBody {
    #[serde(default)]
    errcode: Option<i64>,
    #[serde(default)]
    result: Option<SecCheckResult>,
}

#[derive(Debug, Deserialize)]
struct SecCheckResult {
    #[serde(default)]
    suggest: Option<String>,
}

impl WeChatClient {
    /// One `msg_sec_check` call for `content` (at most [`MAX_CHARS_PER_CHECK`] characters).
    pub async fn msg_sec_check(
        &self,
        openid: &str,
        content: &str,
        scene: ContentScene,
    ) -> Result<ContentVerdict, WeChatError> {
        let body = json!({
            "content": content,
            "version": 2,
            "scene": scene.wechat_code(),
            "openid": openid,
        });
        self.with_token(|token| self.sec_check_with(token, &body))
            .await
    }

    async fn sec_check_with(
        &self,
        token: String,
        body: &serde_json::Value,
    ) -> Result<ContentVerdict, WeChatError> {
        let mut url = self.endpoint("wxa/msg_sec_check")?;
        url.query_pairs_mut().append_pair("access_token", &token);
        let answer: SecCheckBody = self.post_json(url, body).await?;
        match answer.errcode.unwrap_or(0) {
            0 => {}
            ERRCODE_RISKY => return Ok(ContentVerdict::Risky),
            code => return Err(WeChatError::from_code(code, String::new())),
        }
        match answer.result.and_then(|r| r.suggest).as_deref() {
            Some("pass") => Ok(ContentVerdict::Pass),
            Some("review") => Ok(ContentVerdict::Review),
            Some("risky") => Ok(ContentVerdict::Risky),
            _ => Err(WeChatError::BadResponse(
                "no known result.suggest in the answer".into(),
            )),
        }
    }
}

/// How bad a verdict is, for "the worst one wins".
fn severity(v: ContentVerdict) -> u8 {
    match v {
        ContentVerdict::Pass => 0,
        ContentVerdict::Review => 1,
        ContentVerdict::Risky => 2,
    }
}

/// `text` in pieces of at most [`MAX_CHARS_PER_CHECK`] characters.
fn pieces(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let end = rest
            .char_indices()
            .nth(MAX_CHARS_PER_CHECK)
            .map_or(rest.len(), |(i, _)| i);
        let (piece, tail) = rest.split_at(end);
        out.push(piece);
        rest = tail;
    }
    out
}

#[async_trait]
impl ContentCheck for WeChatClient {
    async fn check(
        &self,
        openid: &str,
        text: &str,
        scene: ContentScene,
    ) -> Result<ContentVerdict, DomainError> {
        let mut worst = ContentVerdict::Pass;
        for piece in pieces(text) {
            let verdict = match self.msg_sec_check(openid, piece, scene).await {
                Ok(v) => v,
                Err(e) => {
                    // The error names WeChat's code or the transport failure; never the
                    // openid, the text or the access token.
                    tracing::warn!(error = %e, "content check unavailable; the text is held for an operator");
                    ContentVerdict::Review
                }
            };
            if severity(verdict) > severity(worst) {
                worst = verdict;
            }
            if worst == ContentVerdict::Risky {
                break;
            }
        }
        Ok(worst)
    }
}

/// The content check without a mini-program (the embedded default): nobody can check, so
/// every text is held for an operator and nothing unchecked is ever shown.
#[derive(Debug, Clone, Copy, Default)]
pub struct HoldEveryText;

#[async_trait]
impl ContentCheck for HoldEveryText {
    async fn check(
        &self,
        _openid: &str,
        _text: &str,
        _scene: ContentScene,
    ) -> Result<ContentVerdict, DomainError> {
        Ok(ContentVerdict::Review)
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests fail loudly")]
mod tests {
    use std::time::Duration;

    use wiremock::matchers::{body_json, method, path, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::super::tests::{client, handing_out_token};
    use super::*;

    fn suggest(s: &str) -> ResponseTemplate {
        ResponseTemplate::new(200).set_body_string(format!(
            r#"{{"errcode":0,"errmsg":"ok","result":{{"suggest":"{s}","label":100}},"detail":[],"trace_id":"t"}}"#
        ))
    }

    async fn verdict_of(answer: ResponseTemplate) -> ContentVerdict {
        let server = handing_out_token("tok").await;
        Mock::given(method("POST"))
            .and(path("/wxa/msg_sec_check"))
            .respond_with(answer)
            .mount(&server)
            .await;
        let check: &dyn ContentCheck = &client(&server, 300).await;
        check
            .check("o-1", "请帮忙修水管", ContentScene::Forum)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn the_request_carries_the_text_the_version_the_scene_and_the_openid() {
        let server = handing_out_token("tok").await;
        Mock::given(method("POST"))
            .and(path("/wxa/msg_sec_check"))
            .and(query_param("access_token", "tok"))
            .and(body_json(json!({
                "content": "请帮忙修水管",
                "version": 2,
                "scene": 3,
                "openid": "o-1",
            })))
            .respond_with(suggest("pass"))
            .expect(1)
            .mount(&server)
            .await;
        let check: &dyn ContentCheck = &client(&server, 2000).await;
        let got = check
            .check("o-1", "请帮忙修水管", ContentScene::Forum)
            .await;
        assert_eq!(got.unwrap(), ContentVerdict::Pass);
    }

    #[tokio::test]
    async fn each_suggestion_is_its_verdict_and_87014_is_risky() {
        assert_eq!(verdict_of(suggest("pass")).await, ContentVerdict::Pass);
        assert_eq!(verdict_of(suggest("review")).await, ContentVerdict::Review);
        assert_eq!(verdict_of(suggest("risky")).await, ContentVerdict::Risky);
        let illegal = ResponseTemplate::new(200)
            .set_body_string(r#"{"errcode":87014,"errmsg":"risky content"}"#);
        assert_eq!(verdict_of(illegal).await, ContentVerdict::Risky);
    }

    #[tokio::test]
    async fn whatever_else_wechat_does_the_text_is_held_not_failed() {
        let errcode = |c: i64| {
            ResponseTemplate::new(200).set_body_string(format!(r#"{{"errcode":{c},"errmsg":"x"}}"#))
        };
        for (what, answer) in [
            ("user not seen in two hours", errcode(61010)),
            ("busy", errcode(-1)),
            ("invalid openid", errcode(40003)),
            (
                "no suggestion",
                ResponseTemplate::new(200).set_body_string(r#"{"errcode":0}"#),
            ),
            ("unknown suggestion", suggest("maybe")),
            (
                "an HTML page",
                ResponseTemplate::new(200).set_body_raw("<html>", "text/html"),
            ),
            ("HTTP 502", ResponseTemplate::new(502)),
            (
                "too slow",
                suggest("pass").set_delay(Duration::from_millis(1000)),
            ),
        ] {
            assert_eq!(verdict_of(answer).await, ContentVerdict::Review, "{what}");
        }
        // WeChat not there at all (nor its token endpoint).
        let gone = MockServer::start().await;
        let c = client(&gone, 300).await;
        drop(gone);
        let check: &dyn ContentCheck = &c;
        assert_eq!(
            check.check("o-1", "x", ContentScene::Forum).await.unwrap(),
            ContentVerdict::Review
        );
    }

    #[tokio::test]
    async fn a_long_text_is_checked_in_pieces_and_the_worst_verdict_wins() {
        let server = handing_out_token("tok").await;
        let first = "甲".repeat(MAX_CHARS_PER_CHECK);
        Mock::given(method("POST"))
            .and(path("/wxa/msg_sec_check"))
            .and(wiremock::matchers::body_partial_json(
                json!({ "content": first }),
            ))
            .respond_with(suggest("pass"))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/wxa/msg_sec_check"))
            .and(wiremock::matchers::body_partial_json(
                json!({ "content": "乙乙" }),
            ))
            .respond_with(suggest("review"))
            .expect(1)
            .mount(&server)
            .await;
        let check: &dyn ContentCheck = &client(&server, 2000).await;
        let text = format!("{first}乙乙");
        assert_eq!(
            check
                .check("o-1", &text, ContentScene::Forum)
                .await
                .unwrap(),
            ContentVerdict::Review
        );
    }

    #[tokio::test]
    async fn without_wechat_every_text_is_held() {
        let check: &dyn ContentCheck = &HoldEveryText;
        assert_eq!(
            check
                .check("o", "hello", ContentScene::Comment)
                .await
                .unwrap(),
            ContentVerdict::Review
        );
    }
}
