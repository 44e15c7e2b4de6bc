//! The client as the domain's sign-in port: WeChat's error codes become what the user should
//! be told, and a phone is answered only when it was vouched for to this app.

use async_trait::async_trait;
use domain::auth::{VouchedPhone, WeChatFailure, WeChatSession, WeChatSignIn};

use super::{WeChatClient, WeChatError};

impl From<WeChatError> for WeChatFailure {
    fn from(e: WeChatError) -> Self {
        match e {
            WeChatError::InvalidCode => WeChatFailure::CodeInvalid,
            WeChatError::CodeUsed => WeChatFailure::CodeUsed,
            WeChatError::RateLimited => WeChatFailure::RateLimited,
            WeChatError::Busy => WeChatFailure::Busy,
            WeChatError::Cache(e) => WeChatFailure::Cache(e),
            other => WeChatFailure::Unavailable(Box::new(other)),
        }
    }
}

#[async_trait]
impl WeChatSignIn for WeChatClient {
    async fn code_to_session(&self, code: &str) -> Result<WeChatSession, WeChatFailure> {
        let session = self.code2session(code).await?;
        Ok(WeChatSession {
            openid: session.openid,
        })
    }

    async fn phone_number(&self, phone_code: &str) -> Result<VouchedPhone, WeChatFailure> {
        let phone = WeChatClient::phone_number(self, phone_code).await?;
        if phone.watermark_app_id != self.app_id() {
            tracing::warn!("a phone code issued to another mini-program was offered for binding");
            return Err(WeChatFailure::WrongApp);
        }
        Ok(VouchedPhone::new(
            phone.country_code,
            phone.pure_phone_number,
        ))
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests fail loudly")]
mod tests {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::super::tests::{client, handing_out_token, phone_answer};
    use super::*;

    async fn phone_server(appid: &str) -> MockServer {
        let server = handing_out_token("tok").await;
        Mock::given(method("POST"))
            .and(path("/wxa/business/getuserphonenumber"))
            .respond_with(phone_answer(appid))
            .mount(&server)
            .await;
        server
    }

    #[tokio::test]
    async fn a_phone_vouched_to_this_app_is_answered_and_one_for_another_app_is_not() {
        let ours = phone_server("wx-test-app").await;
        let port: &dyn WeChatSignIn = &client(&ours, 2000).await;
        let phone = port.phone_number("pc").await.unwrap();
        assert_eq!(
            phone.roster_number().map(|p| p.as_str().to_owned()),
            Some("13800000001".to_owned())
        );
        let theirs = phone_server("wx-other-app").await;
        let port: &dyn WeChatSignIn = &client(&theirs, 2000).await;
        assert!(matches!(
            port.phone_number("pc").await,
            Err(WeChatFailure::WrongApp)
        ));
    }

    #[tokio::test]
    async fn login_failures_keep_what_the_user_is_told_and_the_cause_for_the_log() {
        for (answer, want) in [
            (r#"{"errcode":40029}"#, "CodeInvalid"),
            (r#"{"errcode":40163}"#, "CodeUsed"),
            (r#"{"errcode":45011}"#, "RateLimited"),
            (r#"{"errcode":-1}"#, "Busy"),
            (
                r#"{"errcode":40226,"errmsg":"high risk user"}"#,
                "Unavailable",
            ),
        ] {
            let server = MockServer::start().await;
            Mock::given(method("GET"))
                .and(path("/sns/jscode2session"))
                .respond_with(ResponseTemplate::new(200).set_body_string(answer))
                .mount(&server)
                .await;
            let port: &dyn WeChatSignIn = &client(&server, 2000).await;
            let got = port.code_to_session("c").await.err().unwrap();
            assert!(format!("{got:?}").starts_with(want), "{answer}: {got:?}");
        }
    }
}
