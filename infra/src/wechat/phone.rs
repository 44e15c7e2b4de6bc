//! `wxa/business/getuserphonenumber`: the phone number behind a `getPhoneNumber` button's
//! code.

use serde::Deserialize;
use serde_json::json;

use super::{WeChatClient, WeChatError};

/// The phone WeChat vouches for, and the app it vouches to.
#[derive(Clone, PartialEq, Eq)]
pub struct WeChatPhone {
    /// Without the country code, as the user's WeChat account holds it.
    pub pure_phone_number: String,
    pub country_code: String,
    /// `watermark.appid`: the app the code was issued to (must be ours).
    pub watermark_app_id: String,
}

impl std::fmt::Debug for WeChatPhone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WeChatPhone")
            .field("country_code", &self.country_code)
            .field("watermark_app_id", &self.watermark_app_id)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Deserialize)]
struct PhoneBody {
    #[serde(default)]
    errcode: Option<i64>,
    #[serde(default)]
    errmsg: Option<String>,
    #[serde(default)]
    phone_info: Option<PhoneInfo>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PhoneInfo {
    #[serde(default)]
    pure_phone_number: Option<String>,
    /// A string in WeChat's documentation, a number in some answers.
    #[serde(default)]
    country_code: Option<serde_json::Value>,
    #[serde(default)]
    watermark: Option<Watermark>,
}

#[derive(Debug, Deserialize)]
struct Watermark {
    #[serde(default)]
    appid: Option<String>,
}

impl WeChatClient {
    /// Exchanges a phone code for the phone number (one call, retried once with a fresh
    /// access token if WeChat rejects the token).
    pub async fn phone_number(&self, code: &str) -> Result<WeChatPhone, WeChatError> {
        self.with_token(|token| self.phone_number_with(token, code))
            .await
    }

    async fn phone_number_with(
        &self,
        token: String,
        code: &str,
    ) -> Result<WeChatPhone, WeChatError> {
        let mut url = self.endpoint("wxa/business/getuserphonenumber")?;
        url.query_pairs_mut().append_pair("access_token", &token);
        let body: PhoneBody = self.post_json(url, &json!({ "code": code })).await?;
        if let Some(errcode) = body.errcode.filter(|c| *c != 0) {
            return Err(WeChatError::from_code(
                errcode,
                body.errmsg.unwrap_or_default(),
            ));
        }
        let info = body
            .phone_info
            .ok_or_else(|| WeChatError::BadResponse("no phone_info in the answer".into()))?;
        let country_code = match info.country_code {
            Some(serde_json::Value::String(s)) => s,
            Some(serde_json::Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        match (
            info.pure_phone_number.filter(|p| !p.is_empty()),
            info.watermark.and_then(|w| w.appid),
        ) {
            (Some(pure_phone_number), Some(watermark_app_id)) => Ok(WeChatPhone {
                pure_phone_number,
                country_code,
                watermark_app_id,
            }),
            _ => Err(WeChatError::BadResponse(
                "no phone number or watermark in the answer".into(),
            )),
        }
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests fail loudly")]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use wiremock::matchers::{body_partial_json, method, path, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::super::tests::{client, client_sharing, phone_answer, token_answer};
    use super::*;
    use crate::cache::MemoryCache;

    #[tokio::test]
    async fn a_phone_code_is_exchanged_with_a_token_fetched_once_and_then_cached() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/cgi-bin/stable_token"))
            .and(body_partial_json(serde_json::json!({
                "grant_type": "client_credential",
                "appid": "wx-test-app",
                "secret": "s3cret-of-the-app",
                "force_refresh": false,
            })))
            .respond_with(token_answer("tok-1"))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/wxa/business/getuserphonenumber"))
            .and(query_param("access_token", "tok-1"))
            .and(body_partial_json(serde_json::json!({"code": "pc"})))
            .respond_with(phone_answer("wx-test-app"))
            .expect(2)
            .mount(&server)
            .await;
        let c = client(&server, 2000).await;
        for _ in 0..2 {
            let phone = c.phone_number("pc").await.unwrap();
            assert_eq!(phone.pure_phone_number, "13800000001");
            assert_eq!(phone.country_code, "86");
            assert_eq!(phone.watermark_app_id, "wx-test-app");
            assert!(!format!("{phone:?}").contains("13800000001"));
        }
    }

    #[tokio::test]
    async fn a_rejected_token_is_force_refreshed_once_and_the_call_retried_once() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/cgi-bin/stable_token"))
            .and(body_partial_json(
                serde_json::json!({"force_refresh": false}),
            ))
            .respond_with(token_answer("stale"))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/cgi-bin/stable_token"))
            .and(body_partial_json(
                serde_json::json!({"force_refresh": true}),
            ))
            .respond_with(token_answer("fresh"))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/wxa/business/getuserphonenumber"))
            .and(query_param("access_token", "stale"))
            .respond_with(ResponseTemplate::new(200).set_body_string(
                r#"{"errcode":40001,"errmsg":"invalid credential, access_token is invalid"}"#,
            ))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/wxa/business/getuserphonenumber"))
            .and(query_param("access_token", "fresh"))
            .respond_with(phone_answer("wx-test-app"))
            .expect(1)
            .mount(&server)
            .await;
        let c = client(&server, 2000).await;
        assert_eq!(
            c.phone_number("pc").await.unwrap().pure_phone_number,
            "13800000001"
        );
    }

    #[tokio::test]
    async fn a_token_rejected_twice_is_an_error_not_a_loop() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/cgi-bin/stable_token"))
            .respond_with(token_answer("always-bad"))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/wxa/business/getuserphonenumber"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_string(r#"{"errcode":42001,"errmsg":"expired"}"#),
            )
            .expect(2)
            .mount(&server)
            .await;
        let c = client(&server, 2000).await;
        assert_eq!(
            c.phone_number("pc").await,
            Err(WeChatError::AccessTokenRejected(42001))
        );
    }

    #[tokio::test]
    async fn forced_refreshes_stop_at_the_daily_allowance() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/cgi-bin/stable_token"))
            .and(body_partial_json(
                serde_json::json!({"force_refresh": true}),
            ))
            .respond_with(token_answer("always-bad"))
            .expect(15)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/cgi-bin/stable_token"))
            .and(body_partial_json(
                serde_json::json!({"force_refresh": false}),
            ))
            .respond_with(token_answer("always-bad"))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/wxa/business/getuserphonenumber"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_string(r#"{"errcode":40001,"errmsg":"invalid"}"#),
            )
            .mount(&server)
            .await;
        let cache: Arc<dyn domain::cache::Cache> = Arc::new(MemoryCache::default());
        let c = client_sharing(&server, 2000, cache.clone());
        for _ in 0..20 {
            // As if 30 s had passed since the last forced refresh.
            cache
                .delete("wechat:access-token-forced:wx-test-app")
                .await
                .unwrap();
            assert!(c.phone_number("pc").await.is_err());
        }
    }

    #[tokio::test]
    async fn instances_needing_a_token_at_once_make_one_stable_token_call() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/cgi-bin/stable_token"))
            .respond_with(token_answer("shared").set_delay(Duration::from_millis(200)))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/wxa/business/getuserphonenumber"))
            .and(query_param("access_token", "shared"))
            .respond_with(phone_answer("wx-test-app"))
            .expect(4)
            .mount(&server)
            .await;
        let cache: Arc<dyn domain::cache::Cache> = Arc::new(MemoryCache::default());
        let a = client_sharing(&server, 2000, cache.clone());
        let b = client_sharing(&server, 2000, cache);
        let (r1, r2, r3, r4) = tokio::join!(
            a.phone_number("p1"),
            b.phone_number("p2"),
            a.phone_number("p3"),
            b.phone_number("p4"),
        );
        for r in [r1, r2, r3, r4] {
            assert_eq!(r.unwrap().watermark_app_id, "wx-test-app");
        }
    }

    #[tokio::test]
    async fn stable_token_errors_and_bad_answers_surface_as_such() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/cgi-bin/stable_token"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_string(r#"{"errcode":40125,"errmsg":"invalid appsecret"}"#),
            )
            .mount(&server)
            .await;
        let got = client(&server, 2000).await.phone_number("pc").await;
        assert!(
            matches!(got, Err(WeChatError::Rejected { errcode: 40125, .. })),
            "{got:?}"
        );
    }
}
